// Command profiled is a small service whose net/http/pprof endpoints give
// real profiles of every kind triage decodes: CPU with a deep and varied call
// tree (recursion included), allocations, mutex contention, blocking,
// goroutines, and a very wide allocation profile for the benchmarks.
//
// It listens on 127.0.0.1:0, prints "listening on http://ADDR" on stdout, and
// exits when its standard input closes, so a test that dies leaves nothing
// behind. Work is started over HTTP: GET /load?kind=KIND[&ms=N][&depth=N].
package main

import (
	"bufio"
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
	"time"
)

var (
	memRate = flag.Int("memrate", 0, "runtime.MemProfileRate (0 keeps Go's default)")
	parked  = flag.Int("parked", 40, "goroutines parked at start, for the goroutine profile")
)

func main() {
	flag.Parse()
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	parkGoroutines(*parked)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	http.HandleFunc("/load", handleLoad)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><body><h1>shop</h1><p>login required</p></body></html>\n")
	})
	go exitWhenStdinCloses()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

func exitWhenStdinCloses() {
	r := bufio.NewReader(os.Stdin)
	for {
		if _, err := r.ReadByte(); err != nil {
			os.Exit(0)
		}
	}
}

// handleLoad starts one kind of work. CPU work runs in the background for ms
// milliseconds (so a profile can be fetched meanwhile); the others finish
// before the response is written.
func handleLoad(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ms, _ := strconv.Atoi(q.Get("ms"))
	if ms <= 0 {
		ms = 300
	}
	d := time.Duration(ms) * time.Millisecond
	labels := pprof.Labels("handler", "/load", "kind", q.Get("kind"))
	switch q.Get("kind") {
	case "cpu":
		for i := 0; i < 2; i++ {
			go pprof.Do(context.Background(), labels, func(context.Context) { cpuWork(time.Now().Add(d), i) })
		}
		w.WriteHeader(http.StatusAccepted)
	case "alloc":
		pprof.Do(r.Context(), labels, func(context.Context) { allocWork(d) })
	case "mutex":
		pprof.Do(r.Context(), labels, func(context.Context) { mutexWork(d) })
	case "block":
		pprof.Do(r.Context(), labels, func(context.Context) { blockWork(d) })
	case "wide":
		depth, _ := strconv.Atoi(q.Get("depth"))
		if depth <= 0 || depth > 12 {
			depth = 8
		}
		wideWork(depth)
	default:
		http.Error(w, "kind must be cpu, alloc, mutex, block or wide", http.StatusBadRequest)
		return
	}
	io.WriteString(w, "ok\n")
}
