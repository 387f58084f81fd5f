// Command cgosample is binsample's cgo twin: built with CGO_ENABLED=1 the
// external linker puts C start-up code before the Go text and links C
// functions the pclntab knows nothing about (DWARF and .symtab name them).
// Usage: cgosample [index]; "index" panics inside inlined Go calls.
package main

/*
#include <stdint.h>

static int64_t scale(int64_t x) { return x * 3 + 1; }

__attribute__((noinline)) int64_t c_sum(int64_t n) {
	int64_t s = 0;
	for (int64_t i = 0; i < n; i++) {
		s += scale(i);
	}
	return s;
}
*/
import "C"

import (
	"fmt"
	"os"
)

func at(xs []int64, i int) int64 { return xs[i] }

func pick(xs []int64, i int) int64 { return at(xs, i) }

//go:noinline
func nth(xs []int64, i int) int64 { return pick(xs, i) }

func main() {
	xs := []int64{int64(C.c_sum(10)), 2, 3}
	fmt.Println(xs[0])
	if len(os.Args) > 1 && os.Args[1] == "index" {
		fmt.Println(nth(xs, len(xs)+len(os.Args)))
	}
}
