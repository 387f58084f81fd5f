package main

import (
	"runtime"
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
	modes["creators"] = crashCreators
}

// crashHoldingLocks parks while pinned: the scheduler, running on the system
// stack with no current goroutine, throws "schedule: holding locks".
func crashHoldingLocks() {
	procPin()
	time.Sleep(time.Millisecond)
}

var hold = make(chan struct{})

//go:noinline
func parkForever() { <-hold }

// startFromA and startFromB start goroutines with one and the same stack;
// only their "created by" lines tell them apart.
//
//go:noinline
func startFromA() {
	for i := 0; i < 3; i++ {
		go parkForever()
	}
}

//go:noinline
func startFromB() { go parkForever() }

func crashCreators() {
	startFromA()
	startFromB()
	for runtime.NumGoroutine() < 5 {
		runtime.Gosched()
	}
	time.Sleep(10 * time.Millisecond) // let all four park
	panic("creators")
}
