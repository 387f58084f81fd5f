"""Build info from the ELF file, compared field by field with `go version -m`."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.binary import peers
from tests.binary.conftest import VARIANTS
from triage.binary import open_binary
from triage.binary.buildinfo import parse_modinfo
from triage.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["binary", *argv, "--json"]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_json_matches_go_version_m(
    variant: str, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binsample(variant)
    want = peers.version_m(binary)
    doc = run_json(capsys, str(binary))
    assert doc["go_version"] == want.go_version
    assert doc["path"] == want.path == "example.com/shop/binsample"
    assert doc["main"] == want.main
    assert doc["deps"] == want.deps
    assert doc["settings"] == want.settings
    assert doc["build_id"] == peers.buildid(binary)


def test_deps_replacements_vcs_and_flags(
    depsapp: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    binary, head = depsapp
    want = peers.version_m(binary)
    doc = run_json(capsys, str(binary))
    assert doc["deps"] == want.deps
    assert doc["settings"] == want.settings
    assert doc["main"] == want.main
    deps = {d["path"]: d for d in doc["deps"]}  # type: ignore[attr-defined]
    assert deps["example.com/lib"]["sum"].startswith("h1:")
    assert deps["example.com/old"]["replace"]["path"] == "example.com/fork"
    assert deps["example.com/old"]["replace"]["sum"].startswith("h1:")
    assert deps["example.com/local"]["replace"] == {
        "path": "./local",
        "version": "(devel)",
        "sum": "",
    }
    settings = doc["settings"]
    assert isinstance(settings, dict)
    assert settings["vcs.revision"] == head
    assert settings["vcs.modified"] == "false"
    assert settings["-ldflags"] == '"-X main.v=1.2 -s"'  # exactly as the build line has it
    assert settings["-tags"] == "prod,netgo"


def test_text_output_is_go_version_m(
    depsapp: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    binary, _ = depsapp
    expected = peers.go_tool("version", "-m", str(binary)).splitlines()
    assert main(["binary", str(binary)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[: len(expected)] == expected
    assert any(line.startswith("tables: pclntab yes, symtab no, DWARF no") for line in out)


def test_api_decodes_quoted_settings(binsample: Callable[[str], Path]) -> None:
    with open_binary(binsample("stripped")) as binary:
        info = binary.build_info()
        assert info.setting("-ldflags") == "-s -w"
        assert info.setting("-tags") == "triage_test,netgo"
        assert info.setting("GOOS") == "linux"
        assert info.setting("no-such-key") is None


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("default", ({"dwarf": True, "symtab": True, "pclntab": True}, False)),
        ("nodwarf", ({"dwarf": False, "symtab": True, "pclntab": True}, False)),
        ("stripped", ({"dwarf": False, "symtab": False, "pclntab": True}, False)),
        ("pie", ({"dwarf": True, "symtab": True, "pclntab": True}, True)),
    ],
)
def test_sections_and_pie(
    variant: str,
    expected: tuple[dict[str, bool], bool],
    binsample: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(capsys, str(binsample(variant)))
    assert (doc["sections"], doc["pie"]) == expected


def test_parse_modinfo_quoting_and_replacements() -> None:
    text = (
        "path\texample.com/x\n"
        "mod\texample.com/x\t(devel)\t\n"
        "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
        "=>\t../sys\t(devel)\t\n"
        'build\t-ldflags="-X \\"main.v=a b\\" -s"\n'
        'build\t"weird key"=`raw value`\n'
        "build\tDefaultGODEBUG=panicnil=1\n"
    )
    info = parse_modinfo("x", "go1.23.4", text)
    assert info.deps[0].replace is not None and info.deps[0].replace.path == "../sys"
    assert info.setting("-ldflags") == '-X "main.v=a b" -s'
    assert info.setting("weird key") == "raw value"
    assert info.setting("DefaultGODEBUG") == "panicnil=1"
    assert info.settings[0].raw_value == '"-X \\"main.v=a b\\" -s"'


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["arm64", "386"])
def test_other_architectures(
    arch: str, cross: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    binary = cross(arch)
    want = peers.version_m(binary)
    doc = run_json(capsys, str(binary))
    assert doc["go_version"] == want.go_version
    assert doc["settings"] == want.settings
    assert doc["build_id"] == peers.buildid(binary)


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def test_pre_go118_pointer_form(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before Go 1.18 the header pointed at two Go strings; rewrite a copy that way.

    `go version -m` still reads that form, so it stays the judge.
    """
    from elftools.elf.elffile import ELFFile

    source = binsample("stripped")
    blob = bytearray(source.read_bytes())
    with source.open("rb") as fh:
        elf = ELFFile(fh)
        info, data = elf.get_section_by_name(".go.buildinfo"), elf.get_section_by_name(".noptrdata")
        assert info is not None and data is not None
        info_off, data_off, data_addr = info["sh_offset"], data["sh_offset"], data["sh_addr"]
    n, pos = _uvarint(blob, info_off + 32)
    version = bytes(blob[pos : pos + n])
    n, pos = _uvarint(blob, pos + n)
    modinfo = bytes(blob[pos : pos + n])
    # strings, then two (pointer, length) string headers, at the start of .noptrdata
    strings = version + modinfo
    headers_at = (len(strings) + 7) & ~7
    headers = struct.pack("<QQQQ", data_addr, len(version), data_addr + len(version), len(modinfo))
    blob[data_off : data_off + len(strings)] = strings
    blob[data_off + headers_at : data_off + headers_at + 32] = headers
    header = b"\xff Go buildinf:" + bytes([8, 0])
    header += struct.pack("<QQ", data_addr + headers_at, data_addr + headers_at + 16)
    blob[info_off : info_off + 32] = header
    old = tmp_path / "pointer-form"
    old.write_bytes(bytes(blob))

    want = peers.version_m(old)
    doc = run_json(capsys, str(old))
    assert doc["go_version"] == want.go_version == version.decode()
    assert doc["main"] == want.main
    assert doc["settings"] == want.settings
    assert doc["settings"]["-ldflags"] == '"-s -w"'
