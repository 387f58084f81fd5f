"""Plain data for a decoded pprof profile (no protobuf types leak out of decode.py).

Samples are stored by column, because real profiles hold hundreds of thousands
of them and the call-tree builder only needs their stacks and one value each:
``stacks[i]`` is sample i's location ids (leaf first, as in the file) and
``values[i * len(sample_types) + t]`` its value for sample type t. Labels are
decoded only when asked for (:meth:`Profile.labels`), since most views never
need them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ValueType:
    """A sample type such as ``cpu/nanoseconds`` or ``inuse_space/bytes``."""

    type: str
    unit: str

    def __str__(self) -> str:
        return f"{self.type}/{self.unit}"


@dataclass(frozen=True, slots=True)
class Function:
    """A function as symbolized in the profile."""

    id: int
    name: str
    system_name: str = ""
    filename: str = ""
    start_line: int = 0


@dataclass(frozen=True, slots=True)
class Line:
    """One frame of a location: a function and the line reached in it."""

    function: Function
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class Mapping:
    """A mapped binary or library (Go profiles: the executable, vdso, vsyscall)."""

    id: int
    memory_start: int = 0
    memory_limit: int = 0
    file_offset: int = 0
    filename: str = ""
    build_id: str = ""
    has_functions: bool = False
    has_filenames: bool = False
    has_line_numbers: bool = False
    has_inline_frames: bool = False


@dataclass(frozen=True, slots=True)
class Location:
    """A program counter; ``lines`` are innermost first (inlined callees before callers)."""

    id: int
    address: int = 0
    mapping: Mapping | None = None
    lines: tuple[Line, ...] = ()
    is_folded: bool = False


@dataclass(frozen=True, slots=True)
class Label:
    """A sample label: a string value, or a number with an optional unit."""

    key: str
    value: str = ""
    num: int | None = None
    num_unit: str = ""


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample, materialized on demand from the profile's columns."""

    locations: tuple[Location, ...]
    values: tuple[int, ...]
    labels: tuple[Label, ...]


def _no_labels(index: int) -> tuple[Label, ...]:
    return ()


@dataclass(slots=True)
class Profile:
    """A decoded profile: everything profile.proto carries, with strings resolved."""

    sample_types: list[ValueType]
    stacks: list[tuple[int, ...]]
    values: list[int]
    locations: dict[int, Location]
    functions: dict[int, Function] = field(default_factory=dict)
    mappings: dict[int, Mapping] = field(default_factory=dict)
    default_sample_type: str = ""
    period_type: ValueType | None = None
    period: int = 0
    time_nanos: int = 0
    duration_nanos: int = 0
    comments: list[str] = field(default_factory=list)
    drop_frames: str = ""
    keep_frames: str = ""
    doc_url: str = ""
    name: str = ""
    _label_reader: Callable[[int], tuple[Label, ...]] = field(default=_no_labels, repr=False)

    def __len__(self) -> int:
        return len(self.stacks)

    def column(self, sample_type: int) -> list[int]:
        """Every sample's value for one sample type, in sample order."""
        return self.values[sample_type :: len(self.sample_types)]

    def labels(self, index: int) -> tuple[Label, ...]:
        """The labels of sample ``index`` (decoded now, not at load time)."""
        return self._label_reader(index)

    def sample(self, index: int) -> Sample:
        """Sample ``index`` with its locations, values and labels."""
        width = len(self.sample_types)
        start = index * width
        return Sample(
            locations=tuple(self.locations[loc] for loc in self.stacks[index]),
            values=tuple(self.values[start : start + width]),
            labels=self.labels(index),
        )

    def samples(self) -> Iterator[Sample]:
        """Every sample, materialized one at a time."""
        for index in range(len(self.stacks)):
            yield self.sample(index)

    def total(self, sample_type: int) -> int:
        """The sum of one sample type's values (negative values subtract)."""
        return sum(self.column(sample_type))

    def type_names(self) -> list[str]:
        """Sample type names in file order, e.g. ["samples", "cpu"]."""
        return [vt.type for vt in self.sample_types]
