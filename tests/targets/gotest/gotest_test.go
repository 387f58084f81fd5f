// Package gotest holds tests that crash, for reading `go test -json` output.
//
// They only fail when TRIAGE_GOTEST_CRASH names them, so `go test ./...`
// over the targets stays green:
//
//	TRIAGE_GOTEST_CRASH=panic go test -json -run TestPanics ./gotest
//	TRIAGE_GOTEST_CRASH=race go test -race -json -run TestRace ./gotest
package gotest

import (
	"os"
	"sync"
	"testing"
)

type cart struct {
	mu    sync.Mutex
	items map[string]int
}

//go:noinline
func (c *cart) checkout(sku string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[sku] / len(c.items)
}

func crashing(t *testing.T, mode string) {
	t.Helper()
	if os.Getenv("TRIAGE_GOTEST_CRASH") != mode {
		t.Skip("set TRIAGE_GOTEST_CRASH=" + mode)
	}
}

func TestPanics(t *testing.T) {
	crashing(t, "panic")
	blocked := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() { <-blocked }()
	}
	var c *cart
	t.Log("checking out")
	c.checkout("sku-1")
}

var hits int

//go:noinline
func record() { hits++ }

func TestRace(t *testing.T) {
	crashing(t, "race")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); record() }()
	go func() { defer wg.Done(); record() }()
	wg.Wait()
}
