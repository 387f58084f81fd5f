"""triage: a keyboard-driven terminal tool for crashing Go services on Kubernetes."""

__version__ = "0.1.0"
