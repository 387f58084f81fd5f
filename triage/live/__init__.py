"""The live session: what an attached target shows over time, with no UI.

- :mod:`triage.live.fetcher` — :class:`~triage.live.fetcher.Fetcher`, what a live
  target can give (goroutine dump, health checks, metrics, profiles) and which
  of those it has. :class:`~triage.probes.client.ProbeClient` is the HTTP one;
  a pod fetcher (port-forward and logs) plugs in the same way.
- :mod:`triage.live.session` — :class:`~triage.live.session.LiveSession`: the
  snapshots, growth, health and metrics trackers, the polling schedule with its
  backoff, and the blocking fetches a UI runs in its worker threads.

Nothing is imported here, so importing one module does not pull in the others.
"""
