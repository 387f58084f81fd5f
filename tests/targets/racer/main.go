// Command racer has two data races; build it with -race.
//
// The race detector prints a WARNING: DATA RACE report for each and exits 66.
// With "panic" as argument it then panics, so one run holds a race report and
// a crash.
package main

import (
	"fmt"
	"os"
	"sync"
)

type counter struct{ hits int }

//go:noinline
func (c *counter) record() { c.hits++ }

//go:noinline
func (c *counter) read() int { return c.hits }

func main() {
	c := &counter{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.record() }()
	go func() { defer wg.Done(); fmt.Println(c.read()) }()
	wg.Wait()

	total := 0
	done := make(chan bool)
	go func() { total = 1; done <- true }()
	total = 2
	<-done
	fmt.Println(total)
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		var m map[string]int
		m["x"] = total
	}
}
