package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
)

// DefaultProblemLimit is how many malformed lines Problems prints.
const DefaultProblemLimit = 20

// Problems records malformed input lines from any number of workers. It
// prints the first few as they come, counts all of them and names the
// first of a source (stdin's, whichever worker found it first). Given the
// inputs' order (Order), it prints the first few in input order instead,
// at Flush: workers find them in any order, and every run over the same
// files must name the same lines.
type Problems struct {
	mu    sync.Mutex
	out   io.Writer
	limit int
	count int
	first problemAt // the first malformed line
	// long counts the lines skipped for their length (also in count).
	long      int
	firstLong problemAt
	rank      map[string]int // an input's place in the order; nil: unordered
	held      []heldReport   // with rank: the limit first reports, in order
}

// problemAt is where a malformed line is: rank orders the inputs.
type problemAt struct {
	rank   int
	source string
	line   int
}

func (a problemAt) String() string { return fmt.Sprintf("%s:%d", a.source, a.line) }

func (a problemAt) compare(b problemAt) int {
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.source, b.source), cmp.Compare(a.line, b.line))
}

type heldReport struct {
	at  problemAt
	err error
}

// NewProblems prints up to limit problems to w (DefaultProblemLimit when
// limit is 0; none when w is nil or limit is negative).
func NewProblems(w io.Writer, limit int) *Problems {
	if limit == 0 {
		limit = DefaultProblemLimit
	}
	return &Problems{out: w, limit: limit}
}

// Order makes p report in the order of sources (the inputs as read; any
// other source after them): the first lines, not the first found.
func (p *Problems) Order(sources []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rank = make(map[string]int, len(sources))
	for i, s := range sources {
		if _, dup := p.rank[s]; !dup {
			p.rank[s] = i
		}
	}
}

// Add records that line lineNo of source is malformed.
func (p *Problems) Add(source string, lineNo int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := problemAt{source: source, line: lineNo}
	if p.rank != nil {
		r, ok := p.rank[source]
		if !ok {
			r = len(p.rank)
		}
		at.rank = r
	}
	p.count++
	if errors.Is(err, ErrLineTooLong) {
		p.long++
		if p.long == 1 || at.compare(p.firstLong) < 0 {
			p.firstLong = at
		}
	} else if p.count-p.long == 1 || at.compare(p.first) < 0 {
		p.first = at
	}
	if p.out == nil || p.limit < 0 {
		return
	}
	if p.rank == nil {
		if p.count <= p.limit {
			fmt.Fprintf(p.out, "%s: %v\n", at, err)
		}
		return
	}
	i, _ := slices.BinarySearchFunc(p.held, at, func(h heldReport, at problemAt) int { return h.at.compare(at) })
	if i < p.limit {
		p.held = slices.Insert(p.held, i, heldReport{at, err})
		p.held = p.held[:min(len(p.held), p.limit)]
	}
}

// Flush prints the reports an ordered p holds.
func (p *Problems) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.held {
		fmt.Fprintf(p.out, "%s: %v\n", h.at, h.err)
	}
	p.held = nil
}

// Count is the number of problems recorded.
func (p *Problems) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// Summary describes all problems in one line, or "" when there were none.
func (p *Problems) Summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	long := ""
	switch p.long {
	case 0:
	case 1:
		long = fmt.Sprintf("1 line over the length limit skipped (%s)", p.firstLong)
	default:
		long = fmt.Sprintf("%d lines over the length limit skipped (first: %s)", p.long, p.firstLong)
	}
	if p.long == p.count {
		return long
	}
	bad := ""
	if n := p.count - p.long; n == 1 {
		bad = fmt.Sprintf("1 malformed line skipped (%s)", p.first)
	} else {
		bad = fmt.Sprintf("%d malformed lines skipped (first: %s)", n, p.first)
	}
	if long != "" {
		return bad + "; " + long
	}
	return bad
}
