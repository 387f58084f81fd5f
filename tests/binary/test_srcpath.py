"""Finding a frame's source file from the names a real binary stores."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.binary import peers
from tests.support import gotool
from triage.binary import open_binary, resolve_source, source_lines


def frames_of_crash(path: Path) -> list[tuple[str, str, int]]:
    return [f for p in peers.first_goroutine(peers.crash(path, "index")) for f in p.frames]


def test_built_here_the_file_is_used_as_is(binsample: Callable[[str], Path]) -> None:
    name, file, line = frames_of_crash(binsample("default"))[3]  # main.at, inlined
    assert name == "main.at"
    assert resolve_source(file, []) == file
    numbered = dict(source_lines(file, line, context=1))
    assert "func at(" in numbered[line]
    assert sorted(numbered) == [line - 1, line, line + 1]


def test_trimpath_names_under_a_checkout_and_goroot(
    tmp_path: Path, binsample: Callable[[str], Path]
) -> None:
    """-trimpath stores module paths; a copy of the repository elsewhere serves them."""
    checkout = tmp_path / "checkout"
    shutil.copytree(gotool.TARGETS / "binsample", checkout / "binsample")
    frames = frames_of_crash(binsample("trimpath"))
    user = next(f for f in frames if f[0] == "main.at")
    assert user[1] == "example.com/shop/binsample/main.go"
    found = resolve_source(user[1], [tmp_path / "elsewhere", checkout])
    assert found == str(checkout / "binsample" / "main.go")
    assert "func at(" in dict(source_lines(found, user[2]))[user[2]]

    runtime = next(f for f in frames if f[1].startswith("runtime/"))
    found = resolve_source(runtime[1], [gotool.goroot()])
    assert found == str(gotool.goroot() / "src" / runtime[1])
    with open_binary(binsample("trimpath")) as binary:
        assert binary.build_info().setting("-trimpath") == "true"


def test_module_cache_case_escaping(tmp_path: Path) -> None:
    """The module cache writes github.com/Azure as github.com/!azure."""
    cached = tmp_path / "mod" / "github.com" / "!azure" / "sdk@v1.2.0" / "Client.go"
    cached.parent.mkdir(parents=True)
    cached.write_text("package sdk\n\nfunc Do() {}\n")
    name = "/home/ci/go/pkg/mod/github.com/Azure/sdk@v1.2.0/Client.go"  # file names keep case
    assert resolve_source(name, [tmp_path / "mod"]) == str(cached)
    assert resolve_source(name, [tmp_path]) == str(cached)  # a shorter tail: mod/github.com/...
    assert resolve_source("github.com/Azure/sdk@v1.2.0/missing.go", [tmp_path / "mod"]) is None


def test_nothing_to_find() -> None:
    assert resolve_source("?", ["/"]) is None
    assert resolve_source("", ["/"]) is None
    assert source_lines("/no/such/file.go", 10) == []
