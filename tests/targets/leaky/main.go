// Command leaky is a small HTTP service that leaks goroutines on purpose.
//
// It listens on 127.0.0.1 (port from -addr, default :0), prints
// "listening on http://ADDR" on stdout, and serves net/http/pprof plus:
//
//	/leak?n=N        start N goroutines blocked forever on a channel (labelled)
//	/downstream      block in a downstream call (mode=read: socket read, mode=http)
//	/syscall?n=N     park N goroutines in blocking read(2) calls
//	/spawn?n=N       start N goroutines spread over realistic stack shapes
//	/healthz, /readyz, /livez, /metrics
//	/quit            exit(0)
//
// With -spawn N it starts N goroutines before listening, so a benchmark can
// fetch a 100,000-goroutine debug=2 dump straight away.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Store holds the state a leaky service blocks on.
type Store struct {
	mu      sync.Mutex
	rw      sync.RWMutex
	wg      sync.WaitGroup
	never   chan struct{}
	pending chan int
	cond    *sync.Cond
	conns   []net.Conn
}

var (
	store    = newStore()
	spawned  atomic.Int64
	requests atomic.Int64
)

func newStore() *Store {
	s := &Store{never: make(chan struct{}), pending: make(chan int)}
	s.cond = sync.NewCond(&sync.Mutex{})
	s.mu.Lock()    // held forever by "the holder"
	s.rw.Lock()    // readers pile up
	s.wg.Add(1)    // waiters pile up
	return s
}

//go:noinline
func (s *Store) fetchOrder(ctx context.Context, id int) int {
	select {
	case v := <-s.pending:
		return v
	case <-ctx.Done():
		return -1
	}
}

//go:noinline
func (s *Store) saveOrder(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
}

//go:noinline
func (s *Store) readCache(id int) {
	s.rw.RLock()
	defer s.rw.RUnlock()
}

//go:noinline
func (s *Store) awaitBatch() { s.wg.Wait() }

//go:noinline
func (s *Store) waitSignal() {
	s.cond.L.Lock()
	s.cond.Wait()
	s.cond.L.Unlock()
}

//go:noinline
func handleOrder(ctx context.Context, id int) {
	labels := pprof.Labels("handler", "/api/v1/orders", "order", strconv.Itoa(id))
	pprof.Do(ctx, labels, func(ctx context.Context) {
		store.fetchOrder(ctx, id)
	})
}

//go:noinline
func worker(id int, jobs <-chan int) {
	for range jobs {
	}
}

//go:noinline
func sleeper() { time.Sleep(24 * time.Hour) }

//go:noinline
func readConn(c net.Conn) {
	buf := make([]byte, 1)
	_, _ = io.ReadFull(c, buf)
}

// spawn starts n goroutines in a fixed mix of shapes.
func spawn(n int) {
	for i := 0; i < n; i++ {
		spawned.Add(1)
		switch i % 10 {
		case 0, 1, 2, 3:
			go handleOrder(context.Background(), i)
		case 4:
			go store.saveOrder(i)
		case 5:
			go store.readCache(i)
		case 6:
			go store.awaitBatch()
		case 7:
			go worker(i, store.pending)
		case 8:
			go sleeper()
		case 9:
			if i%1000 == 9 { // a few goroutines in IO wait on real sockets
				c, err := net.Dial("tcp", blackhole.Addr().String())
				if err == nil {
					go readConn(c)
					continue
				}
			}
			go store.waitSignal()
		}
	}
}

func leak(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	if n <= 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		spawned.Add(1)
		// Nothing else references ch, so the runtime's leak detector
		// (/debug/pprof/goroutineleak) can prove these goroutines leaked.
		ch := make(chan struct{})
		go func(i int) {
			labels := pprof.Labels("handler", "/leak", "request_id", fmt.Sprintf("req-%d", i))
			pprof.Do(context.Background(), labels, func(context.Context) { <-ch })
		}(i)
	}
	fmt.Fprintf(w, "leaked %d goroutines\n", n)
}

// blackhole accepts connections and never answers: a stuck downstream.
var blackhole = func() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			store.conns = append(store.conns, c)
		}
	}()
	return ln
}()

//go:noinline
func queryInventory(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 1)
	_, err = c.Read(buf)
	return err
}

//go:noinline
func callPricing(addr string) error {
	resp, err := http.Get("http://" + addr + "/price")
	if err == nil {
		resp.Body.Close()
	}
	return err
}

// downstream blocks the handler on a downstream that never answers:
// mode=read waits in a socket read, mode=http in an outbound HTTP call.
func downstream(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("mode") == "http" {
		callPricing(blackhole.Addr().String())
	} else {
		queryInventory(blackhole.Addr().String())
	}
	io.WriteString(w, "done\n")
}

// stuckSyscalls parks n goroutines in blocking read(2) calls on a pipe.
func stuckSyscalls(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	for i := 0; i < n; i++ {
		go blockingRead(fds[0])
	}
	fmt.Fprintf(w, "%d goroutines in read(2)\n", n)
}

//go:noinline
func blockingRead(fd int) {
	buf := make([]byte, 1)
	syscall.Read(fd, buf)
}

func metrics(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines that currently exist.\n")
	fmt.Fprintf(w, "# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_inuse_bytes Heap bytes in use.\n")
	fmt.Fprintf(w, "# TYPE go_memstats_heap_inuse_bytes gauge\ngo_memstats_heap_inuse_bytes %d\n", ms.HeapInuse)
	fmt.Fprintf(w, "# HELP go_gc_duration_seconds GC pause.\n# TYPE go_gc_duration_seconds summary\n")
	fmt.Fprintf(w, "go_gc_duration_seconds{quantile=\"0.5\"} %g\n", float64(ms.PauseNs[(ms.NumGC+255)%256])/1e9)
	fmt.Fprintf(w, "go_gc_duration_seconds_sum %g\ngo_gc_duration_seconds_count %d\n", float64(ms.PauseTotalNs)/1e9, ms.NumGC)
	fmt.Fprintf(w, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n")
	fmt.Fprintf(w, "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n", ms.Sys)
	fmt.Fprintf(w, "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n")
	fmt.Fprintf(w, "http_requests_total{code=\"200\"} %d\n", requests.Load())
	// As the Prometheus process collector writes it: Unix seconds, shortest exact float.
	fmt.Fprintf(w, "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n")
	fmt.Fprintf(w, "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %s\n",
		strconv.FormatFloat(float64(started.UnixNano())/1e9, 'g', -1, 64))
}

// started is when this process began, for process_start_time_seconds.
var started = time.Now()

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	n := flag.Int("spawn", 0, "goroutines to start before listening")
	flag.Parse()
	spawn(*n)
	http.HandleFunc("/leak", leak)
	http.HandleFunc("/spawn", func(w http.ResponseWriter, r *http.Request) {
		k, _ := strconv.Atoi(r.URL.Query().Get("n"))
		spawn(k)
		fmt.Fprintf(w, "spawned %d goroutines\n", k)
	})
	ok := func(w http.ResponseWriter, r *http.Request) { requests.Add(1); io.WriteString(w, "ok\n") }
	http.HandleFunc("/healthz", ok)
	http.HandleFunc("/livez", ok)
	http.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if os.Getenv("LEAKY_NOT_READY") != "" {
			http.Error(w, "not ready: warming cache", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	})
	http.HandleFunc("/metrics", metrics)
	http.HandleFunc("/downstream", downstream)
	http.HandleFunc("/syscall", stuckSyscalls)
	http.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "bye\n")
		go func() { time.Sleep(10 * time.Millisecond); os.Exit(0) }()
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
