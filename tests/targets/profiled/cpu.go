package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"example.com/shop/profiled/internal/pricing"
)

// Catalog is the shop's in-memory product list; its methods give the CPU
// profile receivers, closures, recursion and calls deep into the standard
// library.
type Catalog struct {
	products []Product
	rules    []*regexp.Regexp
}

// Product is one catalogue entry.
type Product struct {
	SKU   string   `json:"sku"`
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags"`
}

func newCatalog(n int) *Catalog {
	c := &Catalog{}
	for i := 0; i < n; i++ {
		c.products = append(c.products, Product{
			SKU:   fmt.Sprintf("SKU-%06d", i*7919%1000003),
			Name:  fmt.Sprintf("product %d of the %s range", i, []string{"red", "blue", "green"}[i%3]),
			Price: float64(i%997) + 0.99,
			Tags:  []string{"tag" + fmt.Sprint(i%13), "tag" + fmt.Sprint(i%17)},
		})
	}
	for _, p := range []string{`^SKU-0+[1-9]`, `(red|blue) range$`, `product \d{3} `} {
		c.rules = append(c.rules, regexp.MustCompile(p))
	}
	return c
}

func cpuWork(deadline time.Time, worker int) {
	c := newCatalog(1500 + worker)
	for i := 0; time.Now().Before(deadline); i++ {
		sink += c.handleRequest(i)
	}
}

var sink int

//go:noinline
func (c *Catalog) handleRequest(i int) int {
	switch i % 6 {
	case 0:
		return c.search("range")
	case 1:
		return pricing.Quote(27)
	case 2:
		return c.checksum(i)
	case 3:
		return c.renderInvoice(i)
	case 4:
		return c.compressLog(i)
	default:
		t, sum := buildTree(12), 0
		for k := 0; k < 40; k++ {
			sum += walk(t, k)
		}
		return sum
	}
}

//go:noinline
func (c *Catalog) search(term string) int {
	var hits []Product
	for _, p := range c.products {
		if strings.Contains(p.Name, term) && c.matches(p) {
			hits = append(hits, p)
		}
	}
	sort.Slice(hits, func(a, b int) bool { return hits[a].SKU < hits[b].SKU })
	return len(hits)
}

//go:noinline
func (c *Catalog) matches(p Product) bool {
	for _, r := range c.rules {
		if r.MatchString(p.SKU) || r.MatchString(p.Name) {
			return true
		}
	}
	return false
}

//go:noinline
func (c *Catalog) checksum(i int) int {
	h := sha256.New()
	for _, p := range c.products[:200+i%100] {
		h.Write([]byte(p.SKU))
		h.Write([]byte(p.Name))
	}
	return len(hex.EncodeToString(h.Sum(nil)))
}

//go:noinline
func (c *Catalog) renderInvoice(i int) int {
	lines := c.products[i%500 : i%500+300]
	b, _ := json.Marshal(lines)
	var back []Product
	_ = json.Unmarshal(b, &back)
	return len(back)
}

//go:noinline
func (c *Catalog) compressLog(i int) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, p := range c.products[:400] {
		fmt.Fprintf(zw, "%d %s %s %.2f\n", i, p.SKU, p.Name, p.Price)
	}
	zw.Close()
	return buf.Len()
}

type node struct {
	left, right *node
	val         int
}

//go:noinline
func buildTree(depth int) *node {
	if depth == 0 {
		return &node{val: 1}
	}
	return &node{left: buildTree(depth - 1), right: buildTree(depth - 1), val: depth}
}

// walk and walkOdd are mutually recursive.
//
//go:noinline
func walk(n *node, acc int) int {
	if n == nil {
		return acc
	}
	return walkOdd(n.right, walk(n.left, acc+n.val))
}

//go:noinline
func walkOdd(n *node, acc int) int {
	if n == nil {
		return acc
	}
	return walk(n.left, walkOdd(n.right, acc^n.val))
}
