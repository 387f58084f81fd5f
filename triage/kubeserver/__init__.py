"""triage's own Kubernetes API server: real HTTP, the REST subset triage uses.

Close enough to a kube-apiserver (Status shapes, watch framing, resource
versions, logs, reviews) that the official client and kubectl cannot tell; the
tests and the demo run triage against it. Imports neither ``kubernetes`` nor
``textual``: only the stdlib.
"""

from triage.kubeserver.cluster import Cluster, Revision, Seeded
from triage.kubeserver.objects import Container, Termination
from triage.kubeserver.server import KubeServer

__all__ = ["Cluster", "Container", "KubeServer", "Revision", "Seeded", "Termination"]
