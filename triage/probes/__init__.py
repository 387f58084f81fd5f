"""Live attach: probe a running Go service over HTTP (no UI).

- :mod:`triage.probes.client` — :class:`~triage.probes.client.ProbeClient`: pprof,
  goroutine dumps, health endpoints and ``/metrics`` over one keep-alive client.
- :mod:`triage.probes.health` — health sample history, percentiles, "failing".
- :mod:`triage.probes.metrics` — Go runtime series from ``/metrics`` and their trends.
- :mod:`triage.probes.snapshots` — goroutine groups across refreshes, growth findings.
- :mod:`triage.probes.poller` — backoff and status-line bookkeeping for polling.

Nothing is imported here, so importing one module does not pull in the others.
"""
