"""Kubernetes: crash-aware pods and workloads, a pod as a source (no UI).

Only :mod:`triage.cluster.client` imports ``kubernetes`` (lazily, ~0.3 s); the
other modules work on plain dicts as the API server sends them:

- :mod:`~triage.cluster.kubeconfig` — kubectl's kubeconfig rules (files, context, namespace)
- :mod:`~triage.cluster.client` — connect, raw-JSON reads, logs, access reviews, watch, port
- :mod:`~triage.cluster.apierrors` — Status answers and transport failures as one line
- :mod:`~triage.cluster.model` — a pod's crash signals (reasons, exit codes, restarts)
- :mod:`~triage.cluster.workloads` — owner workload and revision of a pod
- :mod:`~triage.cluster.signature` — fleet signatures ("9/12 pods: ..., since revision 7")
- :mod:`~triage.cluster.logs` — previous log, else current, else termination message
- :mod:`~triage.cluster.crashes` — the report behind ``triage crashes``
- :mod:`~triage.cluster.endpoints` — pprof/metrics ports and probes from the pod spec
- :mod:`~triage.cluster.forward` — a loopback listener bridged to a pod port
- :mod:`~triage.cluster.watch` — list + watch with bookmarks, 410 relist, backoff, coalescing
- :mod:`~triage.cluster.source` — pod/workload references: crash log, signature, forward
- :mod:`~triage.cluster.access` — what the user may do (access reviews) and what would show more

Nothing is imported here.
"""
