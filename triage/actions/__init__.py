"""Cluster-changing actions, one pipeline for all: plan, RBAC, dry run, approve, run, verify, audit.

Each action (rollback, restart, scale, cordon, uncordon, drain, delete pod)
reads the cluster and builds a :class:`~triage.actions.model.Plan`: the exact
API requests it will send. :func:`triage.actions.pipeline.run` then checks
every request with a SelfSubjectAccessReview, sends them once with
``dryRun=All`` and diffs each object before and after, asks an
:class:`~triage.actions.approval.Approver`, executes, verifies (rolled out,
drained, or timed out) and writes an audit record and a Kubernetes Event.

This package never imports ``kubernetes``: it drives an
:class:`~triage.actions.executor.Executor`, which ``triage.cluster.executor``
implements with the cluster client (and which speaks plain JSON).
"""
