package engine

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/saved"
)

// Limits bound what one query may cost, so that hostile input or a hostile
// query ends with a clear error instead of exhausting the machine. The zero
// value means the defaults; docs/limits.md lists them all.
type Limits struct {
	// Memory bounds the bytes (estimated) that stateful functions hold at
	// once: groupBy groups, top items, sort/table/head/tail rows, collect
	// values, join and defineTable sub-query rows, copies made by
	// regex(repeat=true). Over it, the query stops naming the function.
	Memory int64
	// RegexTime bounds the total time the query's backtracking regexes
	// (lookaround, back-references) may spend on matches that time out.
	// Past it, such matches are not tried: their events are undecided.
	RegexTime time.Duration
	// MaxFields bounds the fields one function may give one event
	// (splitString, parseJson, kvParse, array functions...).
	MaxFields int
	// MaxValue bounds the bytes of one value a function builds (concat,
	// format, replace, concatArray...).
	MaxValue int
}

// Defaults for Limits.
const (
	DefaultMemory    = 512 << 20 // estimated bytes; with the CLI's GC limit the process stays under 1 GB
	DefaultRegexTime = 2 * time.Second
	DefaultMaxFields = 1_000_000
	DefaultMaxValue  = 32 << 20
	// MaxRegexGroups bounds the named groups of one regex: each becomes a
	// field on every match.
	MaxRegexGroups = 1000
)

func (l Limits) withDefaults() Limits {
	if l.Memory == 0 {
		l.Memory = DefaultMemory
	}
	if l.RegexTime == 0 {
		l.RegexTime = DefaultRegexTime
	}
	if l.MaxFields == 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxValue == 0 {
		l.MaxValue = DefaultMaxValue
	}
	return l
}

// LimitError stops a query that went over one of its Limits.
type LimitError struct {
	Func  string // the function that went over, without ()
	What  string // what was counted: "memory", "fields", "value size"
	Limit string // the limit, readable
	Flag  string // the flag that raises it
}

func (e *LimitError) Error() string {
	msg := fmt.Sprintf("%s(): %s over the limit of %s; the query was stopped", e.Func, e.What, e.Limit)
	if e.Flag != "" {
		msg += " (raise it with " + e.Flag + ")"
	}
	return msg
}

// ErrLimit matches every *LimitError with errors.Is.
var ErrLimit = errors.New("query limit reached")

func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// guard is the state every goroutine running one program shares: memory
// held, regex time spent, the first limit hit, undecided regex matches.
type guard struct {
	lim        Limits
	used       atomic.Int64
	failed     atomic.Pointer[LimitError]
	regexSpent atomic.Int64 // nanoseconds spent on matches that timed out
	// tables is what join/defineTable sub-query rows hold: charged until
	// the program's passes are made again (their tables are then refilled).
	tables atomic.Int64
	rows   *RowBudget // what table() and sort() rows hold, maybe with other programs'

	mu      sync.Mutex
	regexes []*lsRegex // backtracking regexes, in compile order

	expanded saved.Expansion // saved-search text inlined (compile time only)
}

func newGuard(l Limits, rows *RowBudget) *guard {
	if rows == nil {
		rows = &RowBudget{}
	}
	return &guard{lim: l.withDefaults(), rows: rows}
}

// defaultGuard serves execs made without a program (tests of single steps).
var defaultGuard = newGuard(Limits{}, nil)

func (x *exec) guard() *guard {
	if x.g == nil {
		return defaultGuard
	}
	return x.g
}

// stop records the first limit hit and unwinds to the event loop
// (Worker.Process, Tail, Pass), which ends the query.
func (g *guard) stop(e *LimitError) {
	g.failed.CompareAndSwap(nil, e)
	panic(e)
}

// charge adds n estimated bytes held by fn; over the budget it stops the
// query. Collectors release what they charged when they finish.
func (x *exec) charge(fn string, n int64) {
	g := x.guard()
	if g.used.Add(n) > g.lim.Memory {
		g.stop(&LimitError{Func: fn, What: "memory held", Limit: ingest.ByteSize(int(g.lim.Memory)), Flag: "--max-memory"})
	}
}

func (x *exec) release(n int64) { x.guard().used.Add(-n) }

// checkFields stops the query when fn would give one event more than the
// field limit.
func (x *exec) checkFields(fn string, n int) {
	if g := x.guard(); n > g.lim.MaxFields {
		g.stop(&LimitError{Func: fn, What: fmt.Sprintf("%d fields for one event,", n), Limit: fmt.Sprint(g.lim.MaxFields), Flag: "--max-fields"})
	}
}

// checkValue stops the query when fn built a value over the size limit.
func (x *exec) checkValue(fn string, n int) {
	if g := x.guard(); n > g.lim.MaxValue {
		g.stop(&LimitError{Func: fn, What: "a value of " + ingest.ByteSize(n), Limit: ingest.ByteSize(g.lim.MaxValue), Flag: "--max-value"})
	}
}

// eventSize estimates the bytes a copy of ev holds (Clone): the event, its
// field array and one allocation per name and value, measured against the
// heap of real runs rather than counted exactly.
func eventSize(ev *event.Event) int64 {
	n := int64(128)
	for _, f := range ev.Fields() {
		n += int64(48 + len(f.Name) + len(f.Value))
	}
	return n
}

// undecided unwinds an event whose regex match timed out: it is neither a
// match nor a non-match, so it is dropped from the results and counted.
type undecided struct{ re *lsRegex }

// recoverEvent ends the processing of one event after a panic from the
// guard: an undecided regex drops the event; a limit stops the query (the
// guard has recorded it). Anything else is a bug and panics on.
func recoverEvent(r any) {
	switch r.(type) {
	case nil, undecided, *LimitError:
		return
	}
	panic(r)
}

// Err returns the limit that stopped the program, or nil.
func (p *Program) Err() error {
	if e := p.g.failed.Load(); e != nil {
		return e
	}
	return nil
}

// Undecided is a regex whose matches timed out on some events: those events
// were neither kept nor excluded by it.
type Undecided struct {
	Pattern string // as written, /.../flags
	Events  int64
}

// Backtracks reports whether the program has a backtracking regex
// (lookaround, back-references): their matches may time out, and what
// timed out is counted against the program (Undecided, Limits.RegexTime).
func (p *Program) Backtracks() bool {
	p.g.mu.Lock()
	defer p.g.mu.Unlock()
	return len(p.g.regexes) > 0
}

// Undecided lists the regexes that left events undecided, in query order.
func (p *Program) Undecided() []Undecided {
	p.g.mu.Lock()
	defer p.g.mu.Unlock()
	var out []Undecided
	for _, r := range p.g.regexes {
		if n := r.undecided.Load(); n > 0 {
			out = append(out, Undecided{Pattern: "/" + r.src + "/" + r.flags, Events: n})
		}
	}
	return out
}

// UndecidedWarnings renders Undecided as warning lines.
func (p *Program) UndecidedWarnings() []string {
	var out []string
	for _, u := range p.Undecided() {
		out = append(out, fmt.Sprintf("regex %s timed out on %d event(s) (over %v a match, or the query's %v budget spent): they were dropped as undecided, neither matched nor excluded",
			u.Pattern, u.Events, regexTimeout, p.g.lim.RegexTime))
	}
	return out
}
