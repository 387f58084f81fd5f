package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// retained keeps part of what allocWork and wideWork allocate alive, so the
// heap profile's inuse sample types are not empty.
var retained [][]byte

func allocWork(d time.Duration) {
	deadline := time.Now().Add(d)
	for i := 0; time.Now().Before(deadline); i++ {
		idx := buildIndex(300 + i%50)
		s := renderPage(i)
		if i%20 == 0 {
			retained = append(retained, []byte(s))
			_ = idx
		}
	}
}

//go:noinline
func buildIndex(n int) map[string][]int {
	idx := make(map[string][]int)
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("key-%d", i%97)
		idx[k] = append(idx[k], i)
	}
	return idx
}

//go:noinline
func renderPage(i int) string {
	var b bytes.Buffer
	for j := 0; j < 200; j++ {
		b.WriteString(strings.Repeat("<li>item</li>", 1+j%5))
		fmt.Fprintf(&b, "<p>%d</p>", i*j)
	}
	return b.String()
}

// wideWork allocates at the end of every path through a 4-ary tree of calls
// depth levels deep, so the allocation profile holds 4^depth distinct stacks:
// the large profile the benchmarks decode.
func wideWork(depth int) {
	routeA(depth, 0)
}

//go:noinline
func routeA(d, path int) { branch(d, path*4) }

//go:noinline
func routeB(d, path int) { branch(d, path*4+1) }

//go:noinline
func routeC(d, path int) { branch(d, path*4+2) }

//go:noinline
func routeD(d, path int) { branch(d, path*4+3) }

//go:noinline
func branch(d, path int) {
	if d == 0 {
		leafAlloc(path)
		return
	}
	routeA(d-1, path)
	routeB(d-1, path)
	routeC(d-1, path)
	routeD(d-1, path)
}

// leafAlloc allocates from two sites, doubling the distinct stacks.
//
//go:noinline
func leafAlloc(path int) {
	small := make([]byte, 16+path%512)
	large := make([]byte, 600+path%1024)
	if path%8 == 0 {
		retained = append(retained, small, large)
	}
}
