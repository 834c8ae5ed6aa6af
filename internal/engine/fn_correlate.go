package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// correlate() (spec §7.11) finds constellations: one event per named node
// query, linked by `field <=> Node.field` constraints and globalConstraints,
// all within `within` of each other (and in node order with sequence=true).
// It emits one row per constellation with each event's fields prefixed by
// its node name.
//
// It runs as a stateful stage fed in input order. Only events matching a
// node are kept (a copy per matching node), and constellations are searched
// at the end over the buffered events sorted by time, so input order does
// not matter. The buffer is bounded by maxCorrelateEvents.
func init() {
	registerFunc("correlate", &funcImpl{rawArgs: true, agg: compileCorrelate})
}

var correlateParams = []string{"within", "sequence", "globalConstraints", "root", "maxPerRoot",
	"includeConstraintValues", "includeMatchesOnceOnly", "iterationLimit", "jitterTolerance", "sequenceBy"}

const (
	maxCorrelateEvents  = 1_000_000 // buffered node events per query
	maxCorrelateNodes   = 5         // CORRELATE_CONSTRAINT_LIMIT-like bound on pattern size
	maxIterationLimit   = 10
	defaultCorrelateMax = 1
)

type correlateSpec struct {
	nodes      []*corrNode
	links      []corrLink
	global     []string
	within     int64 // ms; <0: unbounded
	jitter     int64
	sequence   bool
	root       int
	maxPerRoot int
	withValues bool // includeConstraintValues
	once       bool // includeMatchesOnceOnly
}

type corrNode struct {
	name    string
	pipe    *pipeline
	include []string // nil with all
	all     bool
	linked  []string // fields this node takes part in constraints with
	keep    []string // fields buffered per event (nil with all)
}

// corrLink is `a.fa <=> b.fb` between node indexes a and b.
type corrLink struct {
	a, b   int
	fa, fb string
}

func compileCorrelate(c *compiler, a *args) (aggSpec, error) {
	call := a.call
	s := &correlateSpec{within: -1, maxPerRoot: defaultCorrelateMax, withValues: true}
	named := *call
	named.Args = nil
	var nodeArgs []*cql.CorrelateNode
	for _, arg := range call.Args {
		if n, ok := arg.Value.(*cql.CorrelateNode); ok && arg.Name == "" {
			nodeArgs = append(nodeArgs, n)
			continue
		}
		if arg.Name == "" {
			return nil, c.errAt(arg.Span(), "invalid-argument", "correlate(): unnamed arguments must be node queries written `Name: { query }`")
		}
		named.Args = append(named.Args, arg)
	}
	na, berr := bindArgs(&named, correlateParams, "")
	if berr != nil {
		return nil, c.errAt(berr.sp, "invalid-argument", "%s", berr.msg)
	}
	na.c = c
	if len(nodeArgs) < 2 {
		return nil, c.errAt(call.Span(), "invalid-argument", "correlate() needs at least two node queries (`Name: { query }`), got %d", len(nodeArgs))
	}
	if len(nodeArgs) > maxCorrelateNodes {
		return nil, c.errAt(nodeArgs[maxCorrelateNodes].Span(), "invalid-argument", "correlate() takes at most %d node queries", maxCorrelateNodes)
	}
	index := map[string]int{}
	for i, n := range nodeArgs {
		if n.Name == "" || strings.Contains(n.Name, ".") {
			return nil, c.errAt(n.Span(), "invalid-argument", "correlate(): node name %q must be a plain name without dots", n.Name)
		}
		if _, dup := index[n.Name]; dup {
			return nil, c.errAt(n.Span(), "invalid-argument", "correlate(): node %s is defined twice", n.Name)
		}
		index[n.Name] = i
	}
	for i, n := range nodeArgs {
		node, links, err := c.compileCorrelateNode(n, i, index)
		if err != nil {
			return nil, err
		}
		s.nodes = append(s.nodes, node)
		s.links = append(s.links, links...)
	}
	for _, l := range s.links {
		s.nodes[l.a].linked = appendNew(s.nodes[l.a].linked, l.fa)
		s.nodes[l.b].linked = appendNew(s.nodes[l.b].linked, l.fb)
	}
	if err := s.options(c, na, index); err != nil {
		return nil, err
	}
	for _, n := range s.nodes {
		if !n.all {
			n.keep = appendNew(append(slices.Clone(n.include), n.linked...), event.Timestamp)
		}
	}
	c.read(event.Timestamp)
	return s, nil
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// options reads correlate()'s named parameters.
func (s *correlateSpec) options(c *compiler, a *args, index map[string]int) error {
	var err error
	if a.has("sequenceBy") {
		return a.errorf("sequenceBy", "sequenceBy is not supported; events are ordered by @timestamp")
	}
	if w, _ := a.str("within", ""); w != "" {
		if s.within, err = parseRelTime(w); err != nil {
			return a.errorf("within", "%v", err)
		}
	}
	if j, _ := a.str("jitterTolerance", ""); j != "" {
		if s.jitter, err = parseRelTime(j); err != nil {
			return a.errorf("jitterTolerance", "%v", err)
		}
	}
	if s.sequence, err = a.boolean("sequence", false); err != nil {
		return err
	}
	if s.withValues, err = a.boolean("includeConstraintValues", true); err != nil {
		return err
	}
	if s.once, err = a.boolean("includeMatchesOnceOnly", false); err != nil {
		return err
	}
	if s.global, err = a.fieldList("globalConstraints"); err != nil {
		return err
	}
	for _, f := range s.global {
		c.read(f)
		for _, n := range s.nodes {
			n.linked = appendNew(n.linked, f)
		}
	}
	if root, _ := a.str("root", ""); root != "" {
		i, ok := index[root]
		if !ok {
			return a.errorf("root", "root %q is not one of the node names", root)
		}
		s.root = i
	}
	if a.has("maxPerRoot") {
		if s.maxPerRoot, err = a.limit("maxPerRoot", 1, math.MaxInt32); err != nil {
			return err
		}
		if s.maxPerRoot == 0 {
			return a.errorf("maxPerRoot", "maxPerRoot must be at least 1")
		}
	}
	// the search below is exhaustive; iterationLimit only bounds LogScale's
	// approximate search, so it is checked and otherwise ignored
	if _, err = a.limit("iterationLimit", 5, maxIterationLimit); err != nil {
		return err
	}
	return nil
}

// compileCorrelateNode compiles one node query, lifting its `<=>` link
// constraints out of the filters.
func (c *compiler) compileCorrelateNode(n *cql.CorrelateNode, self int, index map[string]int) (*corrNode, []corrLink, error) {
	node := &corrNode{name: n.Name}
	var links []corrLink
	var steps []cql.Step
	for _, st := range n.Query.Pipeline.Steps {
		fs, ok := st.(*cql.FilterStep)
		if !ok {
			steps = append(steps, st)
			continue
		}
		rest, lfs, err := c.liftLinks(fs.Filter)
		if err != nil {
			return nil, nil, err
		}
		for _, lf := range lfs {
			other, field, found := strings.Cut(lf.Y.Name, ".")
			j, known := index[other]
			if !found || !known {
				return nil, nil, c.errAt(lf.Y.Sp, "invalid-argument", "correlate(): %s must name another node's field as Node.field", lf.Y.Name)
			}
			if j == self {
				return nil, nil, c.errAt(lf.Sp, "invalid-argument", "correlate(): a link constraint must refer to another node, not %s itself", n.Name)
			}
			c.read(lf.X.Name)
			links = append(links, corrLink{a: self, fa: lf.X.Name, b: j, fb: field})
		}
		if rest != nil {
			steps = append(steps, &cql.FilterStep{Filter: rest})
		}
	}
	pipe, err := c.compilePipeline(&cql.Pipeline{Steps: steps, Sp: n.Query.Pipeline.Sp}, "correlate() node queries")
	if err != nil {
		return nil, nil, err
	}
	node.pipe = pipe
	switch inc := cql.Unparen(n.Include).(type) {
	case nil:
		node.all = true
	case *cql.FieldName:
		if inc.Name == "*" {
			node.all = true
		} else {
			node.include = []string{inc.Name}
		}
	case *cql.ArrayExpr:
		for _, el := range inc.Elems {
			f, ok := cql.Unparen(el).(*cql.FieldName)
			if !ok {
				return nil, nil, c.errAt(el.Span(), "invalid-argument", "correlate(): include: lists field names")
			}
			node.include = append(node.include, f.Name)
		}
	default:
		return nil, nil, c.errAt(n.Include.Span(), "invalid-argument", "correlate(): include: takes a list of fields or *")
	}
	if node.all {
		c.needs.All = true
	}
	for _, f := range node.include {
		c.read(f)
	}
	return node, links, nil
}

// liftLinks splits the `<=>` constraints off a filter; they may only be
// and-ed with the rest. rest is nil when nothing else remains.
func (c *compiler) liftLinks(f cql.Filter) (rest cql.Filter, links []*cql.LinkFilter, err error) {
	switch f := f.(type) {
	case *cql.LinkFilter:
		return nil, []*cql.LinkFilter{f}, nil
	case *cql.ParenFilter:
		if !hasLink(f.X) {
			return f, nil, nil
		}
		return c.liftLinks(f.X)
	case *cql.AndFilter:
		rx, lx, err := c.liftLinks(f.X)
		if err != nil {
			return nil, nil, err
		}
		ry, ly, err := c.liftLinks(f.Y)
		if err != nil {
			return nil, nil, err
		}
		links = append(lx, ly...)
		switch {
		case rx == nil:
			return ry, links, nil
		case ry == nil:
			return rx, links, nil
		}
		if len(links) == 0 {
			return f, nil, nil
		}
		return &cql.AndFilter{X: rx, Y: ry, Implicit: f.Implicit, Sp: f.Sp}, links, nil
	}
	if hasLink(f) {
		return nil, nil, c.errAt(f.Span(), "invalid-argument", "correlate(): a link constraint (<=>) can only be and-ed with other filters, not used inside or/not")
	}
	return f, nil, nil
}

func hasLink(f cql.Filter) bool {
	switch f := f.(type) {
	case *cql.LinkFilter:
		return true
	case *cql.AndFilter:
		return hasLink(f.X) || hasLink(f.Y)
	case *cql.OrFilter:
		return hasLink(f.X) || hasLink(f.Y)
	case *cql.NotFilter:
		return hasLink(f.X)
	case *cql.ParenFilter:
		return hasLink(f.X)
	}
	return false
}

// parseRelTime reads a LogScale relative time such as 60s, 5m, 24hr, 1d,
// 500ms into milliseconds.
func parseRelTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	if i == 0 || err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a relative time such as 60s, 5m or 24h", s)
	}
	unit := strings.ToLower(strings.TrimSpace(t[i:]))
	var ms float64
	switch unit {
	case "ms", "millis", "millisecond", "milliseconds":
		ms = 1
	case "", "s", "sec", "secs", "second", "seconds":
		ms = 1000
	case "m", "min", "mins", "minute", "minutes":
		ms = 60_000
	case "h", "hr", "hrs", "hour", "hours":
		ms = 3_600_000
	case "d", "day", "days":
		ms = 86_400_000
	case "w", "week", "weeks":
		ms = 7 * 86_400_000
	default:
		return 0, fmt.Errorf("%q has an unknown time unit %q (use ms, s, m, h, d or w)", s, unit)
	}
	return int64(n * ms), nil
}

// corrEvent is a buffered event that matched a node.
type corrEvent struct {
	ev   *event.Event
	ts   int64
	seq  int // input order, to break time ties and tell events apart
	used bool
}

type correlateRun struct {
	s      *correlateSpec
	x      *exec
	saved  []event.Field
	byNode [][]*corrEvent
	index  []map[string]map[string][]*corrEvent // node → constraint field → value → events, by time
	seq    int
	kept   int
	held   int64 // bytes charged for kept events
}

func (s *correlateSpec) newAgg(x *exec) collector {
	return &correlateRun{s: s, x: x, byNode: make([][]*corrEvent, len(s.nodes))}
}

// add runs ev through every node query, keeping a copy per match. ev is
// restored before returning.
func (r *correlateRun) add(ev *event.Event) {
	r.seq++
	r.saved = ev.AppendFields(r.saved[:0])
	for i, n := range r.s.nodes {
		ev.RestoreFields(r.saved)
		n.pipe.run(r.x, ev, 0, func(out *event.Event) {
			if r.kept == maxCorrelateEvents {
				r.x.warn.addf("correlate(): more than %d events match the node queries; later ones are ignored", maxCorrelateEvents)
				return
			}
			r.kept++
			ts, _ := out.Get(event.Timestamp)
			f, _ := event.ParseNumber(ts)
			cp := n.copyOf(out)
			size := eventSize(cp) + 32
			r.x.charge("correlate", size)
			r.held += size
			r.byNode[i] = append(r.byNode[i], &corrEvent{ev: cp, ts: int64(f), seq: r.seq})
		})
	}
	ev.RestoreFields(r.saved)
}

// copyOf keeps the fields the node's output and constraints read.
func (n *corrNode) copyOf(ev *event.Event) *event.Event {
	if n.all {
		return ev.Clone()
	}
	out := &event.Event{}
	for _, f := range n.keep {
		if v, ok := ev.Get(f); ok {
			out.Set(f, v)
		}
	}
	out.Detach()
	return out
}

// finish searches constellations root event by root event, oldest first.
func (r *correlateRun) finish(emit func(*event.Event)) {
	r.x.release(r.held)
	r.held = 0
	s := r.s
	for _, evs := range r.byNode {
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].ts < evs[j].ts })
	}
	r.index = make([]map[string]map[string][]*corrEvent, len(s.nodes))
	for i, n := range s.nodes {
		r.index[i] = map[string]map[string][]*corrEvent{}
		for _, f := range n.linked {
			byValue := map[string][]*corrEvent{}
			for _, e := range r.byNode[i] {
				if v, ok := e.ev.Get(f); ok {
					byValue[v] = append(byValue[v], e)
				}
			}
			r.index[i][f] = byValue
		}
	}
	order := []int{s.root}
	for i := range s.nodes {
		if i != s.root {
			order = append(order, i)
		}
	}
	pick := make([]*corrEvent, len(s.nodes))
	for _, root := range r.byNode[s.root] {
		if s.once && root.used {
			continue
		}
		pick[s.root] = root
		found := 0
		r.search(order, 1, pick, root.ts, root.ts, &found, emit)
		pick[s.root] = nil
	}
}

// search assigns order[k:] given pick[order[:k]], whose times span lo..hi.
// It stops once found reaches maxPerRoot.
func (r *correlateRun) search(order []int, k int, pick []*corrEvent, lo, hi int64, found *int, emit func(*event.Event)) {
	s := r.s
	if k == len(order) {
		emit(r.row(pick))
		*found++
		if s.once {
			for _, p := range pick {
				p.used = true
			}
		}
		return
	}
	node := order[k]
	evs := r.candidates(node, pick)
	start := 0
	if s.within >= 0 {
		start = sort.Search(len(evs), func(i int) bool { return evs[i].ts >= hi-s.within })
	}
	for i := start; i < len(evs) && *found < s.maxPerRoot; i++ {
		cand := evs[i]
		if s.within >= 0 && cand.ts > lo+s.within {
			break
		}
		if (s.once && cand.used) || !r.fits(node, cand, pick) {
			continue
		}
		pick[node] = cand
		r.search(order, k+1, pick, min(lo, cand.ts), max(hi, cand.ts), found, emit)
		pick[node] = nil
		if s.once && pick[order[0]].used {
			return
		}
	}
}

// candidates narrows node's events by the first constraint tying it to a
// picked event: only events with the required value can fit.
func (r *correlateRun) candidates(node int, pick []*corrEvent) []*corrEvent {
	s := r.s
	for _, l := range s.links {
		f, other, otherField := "", -1, ""
		switch {
		case l.a == node && pick[l.b] != nil:
			f, other, otherField = l.fa, l.b, l.fb
		case l.b == node && pick[l.a] != nil:
			f, other, otherField = l.fb, l.a, l.fa
		default:
			continue
		}
		v, ok := pick[other].ev.Get(otherField)
		if !ok {
			return nil
		}
		return r.index[node][f][v]
	}
	if len(s.global) > 0 {
		v, ok := pick[s.root].ev.Get(s.global[0])
		if !ok {
			return nil
		}
		return r.index[node][s.global[0]][v]
	}
	return r.byNode[node]
}

// fits checks cand for node against the events already picked: distinct
// events, link and global constraints, and node order with sequence=true.
func (r *correlateRun) fits(node int, cand *corrEvent, pick []*corrEvent) bool {
	s := r.s
	for j, p := range pick {
		if p == nil {
			continue
		}
		if p.seq == cand.seq {
			return false
		}
		if s.sequence {
			if j < node && p.ts > cand.ts+s.jitter {
				return false
			}
			if j > node && cand.ts > p.ts+s.jitter {
				return false
			}
		}
		for _, f := range s.global {
			if !sameValue(cand.ev, f, p.ev, f) {
				return false
			}
		}
	}
	for _, l := range s.links {
		switch {
		case l.a == node && pick[l.b] != nil:
			if !sameValue(cand.ev, l.fa, pick[l.b].ev, l.fb) {
				return false
			}
		case l.b == node && pick[l.a] != nil:
			if !sameValue(cand.ev, l.fb, pick[l.a].ev, l.fa) {
				return false
			}
		}
	}
	return true
}

// sameValue: both events have the fields and the values are equal.
func sameValue(x *event.Event, fx string, y *event.Event, fy string) bool {
	vx, ok := x.Get(fx)
	if !ok {
		return false
	}
	vy, ok := y.Get(fy)
	return ok && vx == vy
}

// row builds a constellation's output: per node, in the order written, the
// included fields (all without include:), the constraint fields with
// includeConstraintValues, and the event's @timestamp, each prefixed by
// the node name; @timestamp is the constellation's earliest event's.
func (r *correlateRun) row(pick []*corrEvent) *event.Event {
	out := &event.Event{}
	earliest := pick[0].ts
	for i, n := range r.s.nodes {
		p := pick[i]
		earliest = min(earliest, p.ts)
		prefix := n.name + "."
		if n.all {
			for _, f := range p.ev.Fields() {
				out.Set(prefix+f.Name, f.Value)
			}
		}
		for _, f := range n.include {
			if v, ok := p.ev.Get(f); ok {
				out.Set(prefix+f, v)
			}
		}
		if r.s.withValues {
			for _, f := range n.linked {
				if v, ok := p.ev.Get(f); ok {
					out.Set(prefix+f, v)
				}
			}
		}
		if v, ok := p.ev.Get(event.Timestamp); ok {
			out.Set(prefix+event.Timestamp, v)
		}
	}
	out.Set(event.Timestamp, strconv.FormatInt(earliest, 10))
	return out
}
