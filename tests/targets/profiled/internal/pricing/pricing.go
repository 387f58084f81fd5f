// Package pricing is part of the shop's own module but not package main, so
// profiles show own code under an import path (example.com/shop/...).
package pricing

// Quote recurses (fib) through an inlinable helper, so the profile has deep
// self-recursion and Locations with more than one Line.
//
//go:noinline
func Quote(n int) int { return fib(n) }

func fib(n int) int {
	if n < 2 {
		return weight(n)
	}
	return fib(n-1) + fib(n-2)
}

func weight(n int) int { return n*3 + 1 }
