"""Incident bundles: one ``.tar.gz`` keeping what was seen of a crashing pod (no UI).

- :mod:`~triage.bundle.redact` — credentials out of object YAML (env values, annotations)
- :mod:`~triage.bundle.archive` — write atomically; read back in memory with hard limits
- :mod:`~triage.bundle.collect` — gather the parts through :mod:`triage.cluster`, each optional

The workspace (:func:`triage.workspace.load_bundle`) turns a read bundle into dumps
and profiles; ``triage bundle`` and the app's ``B`` key write one.
Nothing is imported here.
"""
