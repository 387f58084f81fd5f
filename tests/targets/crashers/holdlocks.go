package main

import (
	"time"
	_ "unsafe" // for go:linkname
)

// procPin is the runtime's sync.runtime_procPin: it disables preemption by
// raising the M's lock count (the runtime keeps this linkname open for the
// packages that pin a P this way).
//
//go:linkname procPin sync.runtime_procPin
func procPin() int

func init() {
	modes["holding-locks"] = crashHoldingLocks
}

// crashHoldingLocks parks while pinned: the scheduler, running on the system
// stack with no current goroutine, throws "schedule: holding locks".
func crashHoldingLocks() {
	procPin()
	time.Sleep(time.Millisecond)
}
