package ingest

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultProblemLimit is how many malformed lines Problems prints.
const DefaultProblemLimit = 20

// Problems records malformed input lines from any number of workers. It
// prints the first few as they come and counts all of them.
type Problems struct {
	mu    sync.Mutex
	out   io.Writer
	limit int
	count int
	first string // file:line of the first malformed line
	// long counts the lines skipped for their length (also in count).
	long      int
	firstLong string
}

// NewProblems prints up to limit problems to w (DefaultProblemLimit when
// limit is 0; none when w is nil or limit is negative).
func NewProblems(w io.Writer, limit int) *Problems {
	if limit == 0 {
		limit = DefaultProblemLimit
	}
	return &Problems{out: w, limit: limit}
}

// Add records that line lineNo of source is malformed.
func (p *Problems) Add(source string, lineNo int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count++
	if errors.Is(err, ErrLineTooLong) {
		p.long++
		if p.long == 1 {
			p.firstLong = fmt.Sprintf("%s:%d", source, lineNo)
		}
	} else if p.count-p.long == 1 {
		p.first = fmt.Sprintf("%s:%d", source, lineNo)
	}
	if p.out != nil && p.count <= p.limit {
		fmt.Fprintf(p.out, "%s:%d: %v\n", source, lineNo, err)
	}
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
