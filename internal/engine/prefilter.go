package engine

import (
	"bytes"
)

// Prefilter decides from the raw input line, before any decoding, whether a
// line can possibly pass a query. It never rejects a line that would pass.
// Match allocates nothing.
type Prefilter struct {
	root *litExpr
	node pfNode
}

// pfNode is the compiled matcher tree.
type pfNode struct {
	op   litOp
	lit  []byte // lower-cased when fold
	fold bool
	alt  [2]byte // first byte in both cases, for fold scanning
	kids []pfNode
}

// Prefilter returns the program's line prefilter. derived reports fields that
// enrichment may fill (absent from raw lines); literals about them are not
// used. A nil derived means every field may be enriched, so only free-text,
// @rawstring and #event_simpleName literals are used. Returns nil when the
// query allows no filtering.
func (p *Program) Prefilter(derived func(field string) bool) *Prefilter {
	if derived == nil {
		derived = func(f string) bool { return f != "#event_simpleName" && f != "event_simpleName" }
	}
	return newPrefilter(p.lits.withoutFields(derived))
}

// AnyPrefilter accepts a line when any of fs does (hunt: many rules in one
// pass). A nil element accepts everything.
func AnyPrefilter(fs []*Prefilter) *Prefilter {
	kids := make([]*litExpr, 0, len(fs))
	for _, f := range fs {
		if f == nil {
			return nil
		}
		kids = append(kids, f.root)
	}
	return newPrefilter(litOr2(kids...))
}

func newPrefilter(l *litExpr) *Prefilter {
	if l.op == litTrue {
		return nil
	}
	return &Prefilter{root: l, node: compilePF(l)}
}

func compilePF(l *litExpr) pfNode {
	n := pfNode{op: l.op, fold: l.fold}
	if l.op == litText {
		n.lit = []byte(l.text)
		if l.fold {
			c := n.lit[0]
			n.alt = [2]byte{c, upperByte(c)}
		}
	}
	for _, k := range l.kids {
		n.kids = append(n.kids, compilePF(k))
	}
	return n
}

// String shows the condition, for tests and --explain style output.
func (f *Prefilter) String() string {
	if f == nil {
		return "true"
	}
	return f.root.String()
}

// Match reports whether line may pass the query. A nil Prefilter accepts all.
func (f *Prefilter) Match(line []byte) bool {
	if f == nil {
		return true
	}
	return f.node.match(line)
}

func (n *pfNode) match(line []byte) bool {
	switch n.op {
	case litTrue:
		return true
	case litFalse:
		return false
	case litText:
		if n.fold {
			return containsFold(line, n.lit, n.alt)
		}
		return bytes.Contains(line, n.lit)
	case litAnd:
		for i := range n.kids {
			if !n.kids[i].match(line) {
				return false
			}
		}
		return true
	}
	for i := range n.kids {
		if n.kids[i].match(line) {
			return true
		}
	}
	return false
}

// containsFold reports whether line contains lit (lower case) ignoring ASCII
// case. It walks the occurrences of the first byte in either case, keeping
// the next position of each so no byte is scanned twice.
func containsFold(line, lit []byte, first [2]byte) bool {
	n := len(lit)
	if n == 0 {
		return true
	}
	if len(line) < n {
		return false
	}
	limit := len(line) - n + 1
	lo, up := first[0], first[1]
	nextLo := indexFrom(line[:limit], 0, lo)
	nextUp := -1
	if lo != up {
		nextUp = indexFrom(line[:limit], 0, up)
	}
	for {
		i := nextLo
		if i < 0 || (nextUp >= 0 && nextUp < i) {
			i = nextUp
		}
		if i < 0 {
			return false
		}
		if equalFoldBytes(line[i+1:i+n], lit[1:]) {
			return true
		}
		if i == nextLo {
			nextLo = indexFrom(line[:limit], i+1, lo)
		} else {
			nextUp = indexFrom(line[:limit], i+1, up)
		}
	}
}

func indexFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	i := bytes.IndexByte(b[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

func equalFoldBytes(s, lower []byte) bool {
	for i, c := range s {
		if lowerByte(c) != lower[i] {
			return false
		}
	}
	return true
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}
