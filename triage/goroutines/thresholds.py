"""Limits of the pile rules, in a module of their own: the config file imports
this without loading the parser."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Thresholds:
    """Tunable limits of the pile rules (config file section ``[thresholds]``)."""

    #: a group blocked on channels/select/WaitGroup this large is a suspected leak
    leak_goroutines: int = 50
    #: ... and this large is critical
    leak_critical_goroutines: int = 1000
    #: wait minutes that make a smaller blocked group suspicious
    leak_minutes: int = 10
    #: goroutines waiting on one lock before it counts as contention
    contention_goroutines: int = 10
    #: goroutines in network I/O under HTTP handlers before it counts as a pile-up
    netio_goroutines: int = 50
    #: goroutines in a syscall before it counts as stuck
    syscall_goroutines: int = 20
    #: minutes in a syscall that count as stuck for any number of goroutines
    syscall_minutes: int = 5
    #: goroutines in GC assist/wait before it counts as allocation pressure
    gc_goroutines: int = 10
    #: total goroutines worth an informational note
    many_goroutines: int = 10000
