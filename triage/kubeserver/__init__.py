"""triage's own Kubernetes API server: real HTTP, the REST subset triage uses.

Close enough to a kube-apiserver (Status shapes, watch framing, resource
versions, logs, port-forward, patches, controllers, reviews) that the official
client and kubectl cannot tell; the tests and the demo run triage against it.
Imports neither ``kubernetes`` nor ``textual``: only the stdlib (and the
``openssl`` command for its HTTPS certificate).

Using it::

    server = KubeServer(tls=make_cert(tmpdir)).start()      # 127.0.0.1, ephemeral port
    c = server.cluster
    c.add_namespace("shop"); c.add_node("node-1")
    crash = Container("app", "img:v7", restarts=5, waiting="CrashLoopBackOff",
                      last=Termination(exit_code=2, message=panic), previous_log=panic)
    seeded = c.add_deployment("shop", "api", [Revision([Container("app", "img:v6")], 0),
                                               Revision([crash], 3)])   # revisions 1 and 2
    c.image_states["img:v7"] = crash          # pods a controller makes from img:v7 crash too
    c.spec_states.append((lambda spec: bool(spec.get("env")), Container()))  # before images
    c.back_port("shop", pod_name, 6060, ("127.0.0.1", pprof_port))   # port-forward target
    c.crash_container("shop", pod_name, "app", Termination(...), log=panic)  # one more restart
    c.logs.write(("shop", pod_name, "app"), "a line\n")                 # follow readers see it
    c.store.compact()                          # watches from older versions get 410 Expired
    server.url, server.token("viewer"); server.stop()

Users (bearer tokens): ``admin`` and ``admin2`` (system:masters), ``viewer``
(get/list/watch on everything except pods/log, pods/portforward, pods/exec).
``scenarios.seed_shop`` makes the crash-looping ``checkout`` and the
PDB-guarded ``catalog``; ``tests/support/kube.py`` wraps all of this in the
``kube`` fixture; ``python -m triage.kubeserver`` serves it by hand.
"""

import logging

from triage.kubeserver.cluster import Cluster
from triage.kubeserver.objects import Container, Revision, Seeded, Termination
from triage.kubeserver.server import KubeServer

__all__ = ["Cluster", "Container", "KubeServer", "Revision", "Seeded", "Termination"]

# A library logs, it does not print: without this an internal error's report
# would reach stderr through logging's last-resort handler (and scribble on a TUI).
logging.getLogger(__name__).addHandler(logging.NullHandler())
