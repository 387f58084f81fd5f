"""Piles: many goroutines stuck in the same place, and what that usually means."""

from __future__ import annotations

from collections.abc import Iterator

from triage.goroutines.args import addresses, frame_args
from triage.goroutines.diagnose import Context, Finding, iter_groups, rule
from triage.goroutines.grouping import Group
from triage.goroutines.model import Frame
from triage.goroutines.origin import Origin

BLOCKING_STATES = (
    "chan receive",
    "chan send",
    "chan receive (nil chan)",
    "chan send (nil chan)",
    "select",
    "select (no cases)",
    "sync.WaitGroup.Wait",
    "sync.Cond.Wait",
)
LOCK_STATES = ("sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock")
LOCK_FUNCS = (
    "sync.(*Mutex).Lock",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
    "internal/sync.(*Mutex).Lock",
    "internal/sync.(*Mutex).lockSlow",
)
GC_STATES = ("GC assist marking", "GC assist wait", "wait for GC cycle")
#: one pair per open outbound HTTP connection of a net/http Transport
TRANSPORT_LOOPS = ("net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop")
OUTBOUND_CALL = "net/http.(*persistConn).roundTrip"


def _covered_elsewhere(group: Group) -> bool:
    """Piles the network and HTTP-connection rules explain better than "leak"."""
    entry = group.stack.entry
    in_loop = entry is not None and entry.func in TRANSPORT_LOOPS
    return in_loop or any(f.func == OUTBOUND_CALL for f in group.frames)


_HOLDER_CANDIDATES = 40


def _where(group: Group) -> str:
    frame = group.top_frame
    if frame is None:
        return "an unknown place"
    return frame.brief


def _minutes(group: Group) -> str:
    return f" for up to {group.wait_max} minutes" if group.wait_max else ""


def _is_system(group: Group) -> bool:
    """Runtime housekeeping goroutines (GC workers, finalizers, timers)."""
    if group.top_user_frame is not None:
        return False
    created = group.created_by
    return all(f.origin is Origin.RUNTIME for f in group.frames) or (
        created is not None and created.func.startswith(("runtime.", "os/signal."))
    )


@rule("goroutine-leak")
def leak_rule(ctx: Context) -> Iterator[Finding]:
    """Large groups blocked on channels, select, WaitGroup or Cond (or proven leaked)."""
    t = ctx.thresholds
    for group in ctx.groups:
        if (group.state not in BLOCKING_STATES and not group.leaked) or _is_system(group):
            continue
        if _covered_elsewhere(group) and not group.leaked:
            continue
        proven = group.leaked > 0
        big = group.count >= t.leak_goroutines
        old = group.count >= 10 and (group.wait_max or 0) >= t.leak_minutes
        if not (proven or big or old):
            continue
        critical = proven or group.count >= t.leak_critical_goroutines
        summary = f"{group.count} goroutines blocked on {group.state} in {_where(group)}"
        summary += _minutes(group)
        if proven:
            summary = f"runtime-proven leak: {group.leaked} of " + summary
        created = group.created_by
        step = "find who should send, receive or close here; add a ctx.Done() case or a timeout"
        if created is not None:
            step += f"; they are started by {created.brief}"
        yield Finding(
            rule="goroutine-leak",
            severity="critical" if critical else "warning",
            summary=summary,
            groups=[group.id],
            goroutines=group.count,
            next_step=step,
        )


@rule("lock-contention")
def contention_rule(ctx: Context) -> Iterator[Finding]:
    """Many goroutines waiting for one lock; name the holder where it is visible."""
    t = ctx.thresholds
    for group in ctx.groups:
        if not _waits_on_lock(group) or group.count < t.contention_goroutines:
            continue
        finding = Finding(
            rule="lock-contention",
            severity="critical" if group.count >= t.leak_critical_goroutines else "warning",
            summary=f"{group.count} goroutines waiting for a lock ({group.state}) in "
            f"{_where(group)}{_minutes(group)}",
            groups=[group.id],
            goroutines=group.count,
            next_step="find what the holder is waiting for; shorten the critical section "
            "or move slow I/O out of it",
        )
        holder = find_holder(ctx, group)
        if holder is not None:
            gid, holder_group, frame, certain = holder
            what = "holder" if certain else "likely holder (has the same owner)"
            finding.details.append(
                f"{what}: goroutine {gid} (group {holder_group.id}, {holder_group.state}) "
                f"in {frame.brief}"
            )
            finding.groups.append(holder_group.id)
        yield finding


def _waits_on_lock(group: Group) -> bool:
    if group.state in LOCK_STATES:
        return True
    return group.state == "semacquire" and any(f.func in LOCK_FUNCS for f in group.frames)


def find_holder(ctx: Context, waiting: Group) -> tuple[int, Group, Frame, bool] | None:
    """A goroutine outside the pile whose arguments hold the lock or its owner.

    Compares exact argument values with those of goroutines in small groups
    that are not waiting on a lock: the mutex address (certain), or the
    receiver of the frame that called Lock (likely). Goroutines parked on a
    sync primitive themselves are skipped: a struct and its first field (often
    the mutex) share an address, which made them look like holders. Returns (goroutine id,
    its group, the frame holding the value, certain).
    """
    if ctx.dump.format == "debug1" or not waiting.sample_ids:
        return None
    mutexes: set[str] = set()
    owners: set[str] = set()
    for frame, args in frame_args(ctx.dump, waiting.sample_ids[0]):
        values = addresses(args)[:1]
        if frame.func in LOCK_FUNCS:
            mutexes.update(values)
        elif frame.origin in (Origin.OWN, Origin.DEPENDENCY):
            owners.update(values)
            break
    if not (mutexes or owners):
        return None
    budget = _HOLDER_CANDIDATES
    fallback: tuple[int, Group, Frame, bool] | None = None
    for group in sorted(ctx.groups, key=lambda g: g.count):
        if group is waiting or _waits_on_lock(group) or _is_system(group):
            continue
        for gid in group.sample_ids[:3]:
            budget -= 1
            if budget < 0:
                return fallback
            for frame, args in frame_args(ctx.dump, gid):
                found = set(addresses(args))
                parked = group.state in _SYNC_WAITS
                if mutexes & found and not parked:
                    return gid, group, frame, True
                if (mutexes | owners) & found and fallback is None and not parked:
                    fallback = (gid, group, frame, False)
    return fallback


_SYNC_WAITS = ("sync.Cond.Wait", "sync.WaitGroup.Wait", "semacquire", *LOCK_STATES)


@rule("network-io")
def network_rule(ctx: Context) -> Iterator[Finding]:
    """Goroutines waiting on the network inside request handlers or outbound calls."""
    t = ctx.thresholds
    for group in ctx.groups:
        funcs = {f.func for f in group.frames}
        inbound = group.state == "IO wait" and "net/http.serverHandler.ServeHTTP" in funcs
        outbound = "net/http.(*persistConn).roundTrip" in funcs
        driver = group.state == "IO wait" and group.top_user_frame is not None
        if not (inbound or outbound or driver) or group.count < t.netio_goroutines:
            continue
        if outbound:
            what = "waiting on responses to outbound HTTP calls"
            step = "check the downstream service and set client timeouts (http.Client.Timeout)"
        elif inbound:
            what = "in network I/O inside HTTP handlers"
            step = "check slow clients or downstreams; set server read/write timeouts"
        else:
            what = "in network I/O"
            step = "check the remote end (database, cache, API) and the connection pool limits"
        yield Finding(
            rule="network-io",
            severity="warning",
            summary=f"{group.count} goroutines {what} at {_where(group)}{_minutes(group)}",
            groups=[group.id],
            goroutines=group.count,
            next_step=step,
        )


@rule("http-connections")
def http_connections_rule(ctx: Context) -> Iterator[Finding]:
    """Many open outbound HTTP connections: each keeps a readLoop and a writeLoop goroutine."""
    per_loop: dict[str, int] = {}
    groups: list[int] = []
    for group in ctx.groups:
        entry = group.stack.entry
        if entry is not None and entry.func in TRANSPORT_LOOPS:
            per_loop[entry.func] = per_loop.get(entry.func, 0) + group.count
            groups.append(group.id)
    connections = max(per_loop.values(), default=0)
    if connections < ctx.thresholds.leak_goroutines:
        return
    yield Finding(
        rule="http-connections",
        severity="warning",
        summary=f"{connections} open outbound HTTP connections (net/http.Transport readLoop "
        "and writeLoop goroutines)",
        groups=groups,
        goroutines=sum(per_loop.values()),
        next_step="close every response body, reuse one http.Client, and set "
        "Transport.MaxConnsPerHost / IdleConnTimeout",
    )


@rule("stuck-syscall")
def syscall_rule(ctx: Context) -> Iterator[Finding]:
    """Goroutines in system calls for long, or many of them."""
    t = ctx.thresholds
    for group in iter_groups(ctx, ("syscall",)):
        if group.count < t.syscall_goroutines and (group.wait_max or 0) < t.syscall_minutes:
            continue
        yield Finding(
            rule="stuck-syscall",
            severity="warning",
            summary=f"{group.count} goroutines in a system call at {_where(group)}"
            + _minutes(group),
            groups=[group.id],
            goroutines=group.count,
            next_step="check disk and NFS latency, cgo calls and DNS; each holds an OS thread",
        )


@rule("gc-pressure")
def gc_rule(ctx: Context) -> Iterator[Finding]:
    """Goroutines paying for garbage collection instead of doing work."""
    groups = list(iter_groups(ctx, GC_STATES))
    total = sum(g.count for g in groups)
    if total < ctx.thresholds.gc_goroutines:
        return
    yield Finding(
        rule="gc-pressure",
        severity="warning",
        summary=f"{total} goroutines in GC assist or waiting for GC: allocation outpaces the GC",
        groups=[g.id for g in groups],
        goroutines=total,
        next_step="fetch the allocs profile (triage flame URL/debug/pprof/allocs) and cut "
        "the top allocation sites; check GOGC/GOMEMLIMIT",
    )


@rule("many-goroutines")
def many_rule(ctx: Context) -> Iterator[Finding]:
    """A note when the process has an unusual number of goroutines."""
    total = ctx.dump.goroutine_count
    if total < ctx.thresholds.many_goroutines:
        return
    yield Finding(
        rule="many-goroutines",
        severity="info",
        summary=f"{total:,} goroutines in {len(ctx.groups):,} group"
        + ("s" if len(ctx.groups) != 1 else ""),
        goroutines=total,
        next_step="compare with a dump taken a few minutes later: growing groups are leaks",
    )
