package main

import (
	"context"
	"runtime/pprof"
	"strings"
	"sync"
	"time"
)

// ledger is shared by many goroutines behind one mutex: the mutex profile.
type ledger struct {
	mu      sync.Mutex
	entries map[string]int
}

//go:noinline
func (l *ledger) record(key string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; i < 200; i++ {
		l.entries[key] += n + i
	}
}

func mutexWork(d time.Duration) {
	l := &ledger{entries: map[string]int{}}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				l.record(strings.Repeat("k", 1+g%3), i)
			}
		}()
	}
	wg.Wait()
}

// blockWork blocks on channels, select and a WaitGroup: the block profile.
func blockWork(d time.Duration) {
	deadline := time.Now().Add(d)
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			consume(jobs, results)
		}()
	}
	go func() {
		for i := 0; time.Now().Before(deadline); i++ {
			jobs <- i
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }()
	for range results {
		time.Sleep(50 * time.Microsecond)
	}
}

//go:noinline
func consume(jobs <-chan int, results chan<- int) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for j := range jobs {
		select {
		case results <- j * 2:
		case <-tick.C:
			results <- j
		}
	}
}

// parkGoroutines leaves goroutines waiting in a few distinct places, some
// with labels, so the goroutine profile has counts above one.
func parkGoroutines(n int) {
	never := make(chan struct{})
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			go waitForOrder(never)
		case 1:
			go pprof.Do(context.Background(), pprof.Labels("worker", "payments"), func(context.Context) { waitForOrder(never) })
		case 2:
			go holdLock(&mu)
		default:
			go idleSelect(never)
		}
	}
}

//go:noinline
func waitForOrder(c chan struct{}) { <-c }

//go:noinline
func holdLock(mu *sync.Mutex) { mu.Lock() }

//go:noinline
func idleSelect(c chan struct{}) {
	t := time.NewTimer(time.Hour)
	select {
	case <-c:
	case <-t.C:
	}
}
