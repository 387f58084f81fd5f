// Command binsample is the Go program the binary tests read: it has a chain of
// small functions the compiler inlines three deep, generic functions, closures
// and methods, and it can crash on request so the tests can compare the Go
// runtime's own traceback (which expands inlined frames) with triage's
// symbolization of the same program counters.
//
// Usage: binsample [MODE]. Without a mode it computes a receipt and exits 0.
// Modes: index (index out of range inside inlined calls), nil (nil pointer
// dereference inside an inlined generic method, reached through a closure).
// Before crashing it prints the executable's lines of /proc/self/maps as
// "map: START-END OFFSET" so tests can symbolize PIE addresses.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Item is one line of a cart.
type Item struct {
	Name  string
	Price int
}

// Cart holds items; its methods give frames with receivers.
type Cart struct {
	items []Item
}

// Add is small enough to be inlined at every call site.
func (c *Cart) Add(it Item) { c.items = append(c.items, it) }

// clamp, discount and priceOf form an inline chain: priceOf inlines discount,
// which inlines clamp, so one PC in total maps to three source frames.
func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func discount(p int) int { return clamp(p*9/10, 1, 1000) }

func priceOf(it Item) int { return discount(it.Price) + len(it.Name)%3 }

//go:noinline
func total(c *Cart) int {
	s := 0
	for _, it := range c.items {
		s += priceOf(it)
	}
	return s
}

// at and pick are inlined into Nth, so the bounds check that fails in at is
// reported by the runtime as at -> pick -> (*Cart).Nth.
func at(xs []Item, i int) Item { return xs[i] }

func pick(c *Cart, i int) Item { return at(c.items, i) }

//go:noinline
func (c *Cart) Nth(i int) Item { return pick(c, i) }

// Map and Reduce are generic; their instantiations get shape names.
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

//go:noinline
func Reduce[T any, A any](xs []T, acc A, f func(A, T) A) A {
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

// Box is a generic container; Get is inlined into its callers.
type Box[T any] struct{ v T }

func (b *Box[T]) Get() T { return b.v }

//go:noinline
func open[T any](b *Box[T], use func(T) int) int {
	get := func() T { return b.Get() }
	return use(get())
}

func printMaps() {
	exe, err := os.Executable()
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 6 && fields[5] == exe {
			fmt.Fprintf(os.Stderr, "map: %s %s\n", fields[0], fields[2])
		}
	}
}

func receipt() *Cart {
	c := &Cart{}
	for i, name := range []string{"tea", "bread", "cheese", "olives"} {
		c.Add(Item{Name: name, Price: 150 * (i + 1)})
	}
	return c
}

func main() {
	c := receipt()
	names := Map(c.items, func(it Item) string { return strings.ToUpper(it.Name) })
	sum := Reduce(c.items, 0, func(a int, it Item) int { return a + priceOf(it) })
	fmt.Println(strings.Join(names, ","), total(c), sum)
	if len(os.Args) < 2 {
		return
	}
	printMaps()
	switch os.Args[1] {
	case "index":
		fmt.Println(c.Nth(len(c.items) + len(os.Args)))
	case "nil":
		var b *Box[int]
		if len(os.Args) > 2 {
			b = &Box[int]{v: 1}
		}
		fmt.Println(open(b, func(v int) int { return v * 2 }))
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(64)
	}
}
