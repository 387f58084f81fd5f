"""Patch templates: YAML files naming a patch type, parameters and the patch body.

Shipped in ``triage/actions/templates/``; a file of the same name in
``$XDG_CONFIG_HOME/triage/templates/`` replaces the shipped one, and new names
add templates. A template looks like::

    description: set a container's memory limit
    kinds: [deployments, statefulsets, daemonsets]
    type: strategic            # json | merge | strategic
    params:
      value: {help: "the limit, e.g. 1Gi"}
      container: {help: "...", default: "@first-container"}
    patch: {spec: {template: {spec: {containers: [{name: "{container}", ...}]}}}}

``{name}`` in any string (keys too) is replaced by the parameter; a string that
is exactly ``{name}`` takes the parameter's type (``int``, ``json``). Every
error names the file and, where it can, the line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from triage.actions.model import JSON, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH
from triage.errors import BadInput
from triage.locations import config_dir

TYPES = {"json": JSON_PATCH, "merge": MERGE_PATCH, "strategic": STRATEGIC_PATCH}
FIRST_CONTAINER = "@first-container"
_KEYS = {"description", "kinds", "type", "params", "patch"}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter, set with ``--set name=value``."""

    name: str
    help: str = ""
    default: str | None = None
    choices: tuple[str, ...] = ()
    kind: str = "str"  # str | int | json


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template."""

    name: str
    source: str
    description: str
    kinds: tuple[str, ...]
    content_type: str
    params: tuple[Param, ...]
    body: Any


def _sources() -> dict[str, tuple[str, str]]:
    """name -> (where, text): shipped first, the user's folder overriding."""
    found: dict[str, tuple[str, str]] = {}
    shipped = files("triage.actions") / "templates"
    for entry in shipped.iterdir():
        if entry.name.endswith(".yaml"):
            found[entry.name[:-5]] = (f"shipped template {entry.name}", entry.read_text("utf-8"))
    user = config_dir() / "templates"
    if user.is_dir():
        for path in sorted(user.glob("*.yaml")):
            try:
                found[path.stem] = (str(path), path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput(f"{path}: cannot read ({exc})") from None
    return found


def names() -> list[str]:
    """Every template name available."""
    return sorted(_sources())


def load(name: str) -> Template:
    """The named template, parsed and checked."""
    sources = _sources()
    if name not in sources:
        raise BadInput(f"no patch template {name!r}", "templates: " + ", ".join(sorted(sources)))
    where, text = sources[name]
    return parse(name, where, text)


def _lines(text: str) -> dict[str, int]:
    """The 1-based line of each top-level key (for error messages)."""
    import yaml  # type: ignore[import-untyped]

    node = yaml.compose(text)
    out: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            out[str(key.value)] = key.start_mark.line + 1
    return out


def parse(name: str, where: str, text: str) -> Template:
    """Parse a template's text; BadInput naming ``where`` and the line on any problem."""
    import yaml

    try:
        doc = yaml.safe_load(text)
        lines = _lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise BadInput(f"{where}{line}: {problem}", "fix the template") from None

    def fail(key: str, problem: str) -> BadInput:
        line = f" line {lines[key]}" if key in lines else ""
        return BadInput(f"{where}{line}: {problem}", "fix the template")

    if not isinstance(doc, dict):
        raise BadInput(f"{where} line 1: a template is a YAML mapping", "fix the template")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    if "patch" not in doc:
        raise BadInput(f"{where}: no 'patch' key", "fix the template")
    kind = doc.get("type", "strategic")
    if kind not in TYPES:
        raise fail("type", f"type {kind!r} is not one of json, merge, strategic")
    kinds = doc.get("kinds") or []
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise fail("kinds", "kinds must be a list of resources (deployments, ...)")
    raw_params = doc.get("params") or {}
    if not isinstance(raw_params, dict):
        raise fail("params", "params must be a mapping of name to {help, default, ...}")
    params = []
    for pname, given in raw_params.items():
        spec = given or {}
        if not isinstance(spec, dict) or spec.get("type", "str") not in ("str", "int", "json"):
            raise fail("params", f"parameter {pname!r}: give help, default, choices, type")
        default = spec.get("default")
        params.append(
            Param(
                str(pname),
                str(spec.get("help") or ""),
                None if default is None else str(default),
                tuple(str(c) for c in spec.get("choices") or ()),
                str(spec.get("type", "str")),
            )
        )
    return Template(
        name,
        where,
        str(doc.get("description") or ""),
        tuple(kinds),
        TYPES[kind],
        tuple(params),
        doc["patch"],
    )


def _value(template: Template, param: Param, given: str | None, obj: JSON) -> Any:
    text = given if given is not None else param.default
    if text == FIRST_CONTAINER:
        containers = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        first = (containers.get("containers") or [{}])[0]
        text = str(first.get("name") or "")
    if text is None or text == "":
        hint = f" ({param.help})" if param.help else ""
        raise BadInput(
            f"template {template.name} needs --set {param.name}=VALUE{hint}",
            f"e.g. triage patch ... --template {template.name} --set {param.name}=...",
        )
    if param.choices and text not in param.choices:
        raise BadInput(f"--set {param.name}={text}: one of {', '.join(param.choices)}")
    if param.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise BadInput(f"--set {param.name}={text}: not a whole number") from None
    if param.kind == "json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise BadInput(f"--set {param.name}: not valid JSON ({exc})") from None
    return text


def render(template: Template, given: dict[str, str], obj: JSON) -> Any:
    """The patch body for ``obj`` with the parameters filled in."""
    known = {p.name for p in template.params}
    extra = sorted(set(given) - known)
    if extra:
        raise BadInput(
            f"template {template.name} has no parameter {extra[0]!r}",
            "its parameters: " + (", ".join(sorted(known)) or "none"),
        )
    values = {p.name: _value(template, p, given.get(p.name), obj) for p in template.params}
    return _fill(template.body, values)


def _fill(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {_fill(k, values): _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, values) for v in node]
    if isinstance(node, str):
        for name, value in values.items():
            if node == "{" + name + "}":
                return value
        for name, value in values.items():
            node = node.replace("{" + name + "}", str(value))
    return node
