// Command crashers reproduces every Go crash variant triage must read.
//
// Usage: crashers MODE. Each mode crashes the way its name says; the
// tests run it and read what the Go runtime printed on stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// Server is a stand-in for a service's main type, so frames carry receivers.
type Server struct {
	name  string
	conns map[string]int
	mu    sync.Mutex
}

//go:noinline
func (s *Server) Name() string { return s.name }

//go:noinline
func (s *Server) handle(ids []int, i int) int { return ids[i] }

// Code is a typed integer panic value.
type Code int

// Pt is a struct panic value.
type Pt struct{ X, Y int }

// Temp is a Stringer panic value.
type Temp float64

func (t Temp) String() string { return fmt.Sprintf("%.1f°C", float64(t)) }

var modes = map[string]func(){
	"nil":               crashNil,
	"index":             crashIndex,
	"slice":             crashSlice,
	"error":             func() { panic(errors.New("db: connection refused")) },
	"wrapped-error":     func() { panic(fmt.Errorf("load config: %w", os.ErrNotExist)) },
	"stringer":          func() { panic(Temp(451)) },
	"typed-int":         func() { panic(Code(7)) },
	"typed-struct":      func() { panic(Pt{1, 2}) },
	"multiline":         func() { panic("invariant broken:\n  want 3 replicas\n  got 0") },
	"repanic":           crashRepanic,
	"recovered-new":     crashRecoveredNew,
	"defer-panic":       crashDeferPanic,
	"nested":            crashNested,
	"concurrent-map":    crashConcurrentMap,
	"map-read-write":    crashMapReadWrite,
	"deadlock":          crashDeadlock,
	"goexit":            crashGoexit,
	"stack-overflow":    crashStackOverflow,
	"close-closed":      func() { c := make(chan int); close(c); close(c) },
	"send-closed":       func() { c := make(chan int, 1); close(c); c <- 1 },
	"conversion":        crashConversion,
	"nil-map":           func() { var m map[string]int; m["k"] = 1 },
	"divide":            crashDivide,
	"unlock":            func() { var mu sync.Mutex; mu.Unlock() },
	"makeslice":         crashMakeslice,
	"oom":               crashOOM,
	"fault":             crashFault,
	"piles":             crashPiles,
	"sigquit":           waitForQuit,
	"labels":            crashLabels,
	"goexit-others":     crashGoexit,
	"runtime-throw":     crashRuntimeThrow,
	"negative-wg":       func() { var wg sync.WaitGroup; wg.Add(-1) },
	"nil-func":          func() { var f func(); f() },
	"ancestors":         crashAncestors,
	"generic":           func() { Map([]int{1}, func(int) int { panic("in generic") }) },
	"closure":           crashClosure,
}

func main() {
	if len(os.Args) < 2 {
		names := make([]string, 0, len(modes))
		for n := range modes {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(os.Stderr, "usage: crashers MODE\nmodes:", strings.Join(names, " "))
		os.Exit(64)
	}
	f, ok := modes[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(64)
	}
	f()
	fmt.Fprintln(os.Stderr, "mode", os.Args[1], "did not crash")
	os.Exit(65)
}

func crashNil() {
	var s *Server
	fmt.Println(s.Name())
}

func crashIndex() {
	s := &Server{name: "api"}
	fmt.Println(s.handle([]int{1, 2, 3}, len(os.Args)+3))
}

func crashSlice() {
	b := []byte("abc")
	n := len(os.Args) + 5
	fmt.Println(string(b[1:n]))
}

func crashRepanic() {
	defer func() {
		r := recover()
		panic(r)
	}()
	panic(errors.New("payment gateway timeout"))
}

func crashRecoveredNew() {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("while handling %v: cleanup failed", r))
		}
	}()
	panic("first failure")
}

func crashDeferPanic() {
	defer func() { panic("panic in defer") }()
	panic("original panic")
}

func crashNested() {
	defer func() { panic("third") }()
	defer func() { panic("second") }()
	panic("first")
}

//go:noinline
func write(m map[int]int, i int) { m[i] = i }

func crashConcurrentMap() {
	m := map[int]int{}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				write(m, i%1024)
			}
		}()
	}
	wg.Wait()
}

//go:noinline
func read(m map[int]int, i int) int { return m[i] }

func crashMapReadWrite() {
	m := map[int]int{1: 1}
	go func() {
		for i := 0; ; i++ {
			write(m, i%64)
		}
	}()
	for i := 0; ; i++ {
		_ = read(m, i%64)
	}
}

func crashDeadlock() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan string)
	mu.Lock()
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock() // never released
		}()
	}
	go func() { ch <- "result" + <-ch }()
	time.Sleep(50 * time.Millisecond)
	wg.Wait()
}

func crashGoexit() {
	go func() { select {} }()
	runtime.Goexit()
}

// middleware wraps next; misconfigured, it wraps itself.
type middleware struct{ next http.Handler }

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Trace", r.URL.Path)
	m.next.ServeHTTP(w, r)
}

func authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
	})
}

func crashStackOverflow() {
	debug.SetMaxStack(32 << 20)
	mw := &middleware{}
	mw.next = authorize(mw)
	req := httptest.NewRequest("GET", "/api/v1/orders", nil)
	mw.ServeHTTP(httptest.NewRecorder(), req)
}

func crashConversion() {
	var v any = "42"
	n := v.(int)
	fmt.Println(n)
}

func crashDivide() {
	a, b := 10, len(os.Args)-2
	fmt.Println(a / b)
}

func crashMakeslice() {
	n := -len(os.Args)
	fmt.Println(len(make([]byte, n)))
}

func crashOOM() {
	// Cap the address space so the allocation fails inside the runtime.
	lim := syscall.Rlimit{Cur: 1 << 30, Max: 1 << 30}
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		fmt.Fprintln(os.Stderr, "setrlimit:", err)
		os.Exit(65)
	}
	var keep [][]byte
	for i := 0; i < 64; i++ {
		keep = append(keep, make([]byte, 256<<20))
	}
	fmt.Println(len(keep))
}

func crashFault() {
	p := unsafe.Pointer(uintptr(0xdeadbeef))
	fmt.Println(*(*int)(p))
}

func crashRuntimeThrow() {
	var mu sync.RWMutex
	mu.RUnlock()
}

//go:noinline
func Map[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

func crashClosure() {
	func() {
		func() {
			var p *Pt
			fmt.Println(p.X)
		}()
	}()
}

func crashAncestors() {
	// Run with GODEBUG=tracebackancestors=5 to see [originating from goroutine N].
	done := make(chan struct{})
	go func() {
		go func() {
			var m map[string]int
			m["x"]++
			close(done)
		}()
		<-done
	}()
	<-done
}

// startPiles leaves goroutines blocked in the ways a real service piles up:
// labelled handlers on a channel, a mutex pile with its holder asleep, a
// WaitGroup pile, a thread-locked goroutine and an RWMutex pile.
func startPiles() {
	ch := make(chan int)
	for i := 0; i < 5; i++ {
		labels := pprof.Labels("handler", "/api/v1/orders", "request_id", fmt.Sprintf("req-%d", i))
		go pprof.Do(context.Background(), labels, func(ctx context.Context) { <-ch })
	}
	odd := pprof.Labels("route", "/odd path {x}", "user", `o"brien`)
	go pprof.Do(context.Background(), odd, func(ctx context.Context) { <-ch })

	s := &Server{name: "db", conns: map[string]int{}}
	s.mu.Lock()
	go holdLock(s)
	for i := 0; i < 4; i++ {
		go s.waitLock()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	for i := 0; i < 3; i++ {
		go func() { wg.Wait() }()
	}
	go func() {
		runtime.LockOSThread()
		select {}
	}()
	var rw sync.RWMutex
	rw.Lock()
	for i := 0; i < 2; i++ {
		go func() { rw.RLock() }()
	}
	time.Sleep(100 * time.Millisecond)
}

//go:noinline
func holdLock(s *Server) { time.Sleep(time.Hour); s.mu.Unlock() }

//go:noinline
func (s *Server) waitLock() {
	s.mu.Lock()
	s.conns["x"]++
	s.mu.Unlock()
}

func crashPiles() {
	startPiles()
	panic("piles are in place")
}

func crashLabels() {
	done := make(chan struct{})
	labels := pprof.Labels("handler", "/api/v1/pay", "request_id", "abc-123")
	pprof.Do(context.Background(), labels, func(ctx context.Context) {
		go func() {
			var m map[string]int
			m["x"] = 1
			close(done)
		}()
		<-done
	})
}

func waitForQuit() {
	startPiles()
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	fmt.Println("ready")
	<-c
}
