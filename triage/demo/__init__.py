"""``triage demo``: the whole product against an embedded, realistic, misbehaving cluster.

The project's own API server (:mod:`triage.kubeserver`) runs in-process on
loopback with a private kubeconfig in a temporary directory; the cluster is
seeded with the incidents an on-call engineer meets (a crash loop after a bad
rollout, a goroutine leak, an OOMKill, lock contention) and its pods serve
pprof, health and metrics through the port-forward path, backed by the real Go
test programs when a Go toolchain and the sources are at hand
(:mod:`triage.demo.golive`), else by artefacts recorded from them
(:mod:`triage.demo.replay`, ``data/MANIFEST.txt``).

Layering: this package imports neither ``textual`` nor ``kubernetes``; the
command (:mod:`triage.ui.demo`) starts the UI on top of it.
"""
