"""Pure renderer for the binary panel: what ``go version -m`` says, and advisories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:
    from triage.binary import BuildInfo, RuntimeAdvisory

SETTINGS_SHOWN = (
    "vcs.revision",
    "vcs.time",
    "vcs.modified",
    "GOOS",
    "GOARCH",
    "CGO_ENABLED",
    "-ldflags",
    "-tags",
)


def binary_lines(
    name: str, info: BuildInfo, advisories: list[RuntimeAdvisory], *, deps: int = 12
) -> list[Content]:
    """Build identity, the useful build settings, advisories, then dependencies."""
    main = info.main
    lines = [
        Content.assemble(("Binary", "bold"), (f"  {name}", "dim")),
        Content.assemble("  Go ", (info.go_version, "bold"), f"  {info.path}"),
    ]
    if main is not None:
        lines.append(Content(f"  module {main.path} {main.version}"))
    for key in SETTINGS_SHOWN:
        value = info.setting(key)
        if value is not None:
            lines.append(
                Content.assemble(f"  {key:<13}", (value, "bold" if key == "vcs.revision" else ""))
            )
    if advisories:
        for a in advisories:
            lines.append(
                Content.assemble(
                    ("  ✗ KNOWN BUG ", "bold $severity-warning"),
                    f"{a.summary} (go.dev/issue/{a.go_issue}, fixed in {a.fixed_in})",
                )
            )
    else:
        lines.append(
            Content.assemble(
                ("  ✓ ", "$success"), f"no known runtime bugs listed for {info.go_version}"
            )
        )
    if info.deps:
        lines.append(Content.assemble(("  dependencies", "bold"), f"  {len(info.deps)}"))
        for dep in info.deps[:deps]:
            replaced = f" => {dep.replace.path} {dep.replace.version}" if dep.replace else ""
            lines.append(Content(f"    {dep.path} {dep.version}{replaced}"))
        if len(info.deps) > deps:
            lines.append(Content(f"    … {len(info.deps) - deps} more"))
    return lines
