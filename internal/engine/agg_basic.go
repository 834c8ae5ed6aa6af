package engine

import (
	"math"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("count", &funcImpl{params: []string{"field", "distinct", "as"}, agg: compileCount})
	for _, n := range []string{"sum", "avg", "min", "max"} {
		name := n
		registerFunc(name, &funcImpl{params: []string{"field", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
			field, err := a.fieldName("field", "")
			if err != nil {
				return nil, err
			}
			if field == "" {
				return nil, a.errorf("field", "missing required parameter field")
			}
			return &numAggSpec{kind: name, field: field, as: a.asOr("_" + name)}, nil
		}})
	}
	registerFunc("collect", &funcImpl{params: []string{"fields", "limit", "multival", "separator"}, agg: compileCollect})
	registerFunc("top", &funcImpl{params: []string{"field", "limit", "as", "sum", "max", "percent", "rest", "error"}, agg: compileTop})
}

// count

type countSpec struct {
	field    string
	distinct bool
	as       string
}

func compileCount(c *compiler, a *args) (aggSpec, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	distinct, err := a.boolean("distinct", false)
	if err != nil {
		return nil, err
	}
	return &countSpec{field: field, distinct: distinct, as: a.asOr("_count")}, nil
}

func (s *countSpec) newAgg(x *exec) collector { return &countCollector{spec: s, x: x} }

type countCollector struct {
	spec   *countSpec
	x      *exec
	n      int
	values map[string]struct{}
	held   int64 // bytes charged for distinct values
}

// counts reports whether count() counts ev: all events, or those with the
// field.
func (s *countSpec) counts(ev *event.Event) bool { return s.field == "" || ev.Has(s.field) }

func (c *countCollector) add(ev *event.Event) {
	if !c.spec.distinct || c.spec.field == "" {
		if c.spec.counts(ev) {
			c.n++
		}
		return
	}
	v, ok := ev.Get(c.spec.field)
	if !ok {
		return
	}
	if c.values == nil {
		c.values = map[string]struct{}{}
	}
	if _, seen := c.values[v]; !seen {
		n := int64(2*len(v) + 64)
		c.x.charge("count", n)
		c.held += n
		c.values[strings.Clone(v)] = struct{}{}
	}
}

func (c *countCollector) finish(emit func(*event.Event)) {
	c.x.release(c.held)
	c.held = 0
	n := c.n
	if c.spec.distinct {
		n = len(c.values)
	}
	emit(event.New(event.Field{Name: c.spec.as, Value: event.FormatNumber(float64(n))}))
}

// sum, avg, min, max: non-numeric and missing values are ignored; with no
// number seen there is no row (spec §7.2).

type numAggSpec struct {
	kind  string
	field string
	as    string
}

func (s *numAggSpec) newAgg(*exec) collector { return &numAggCollector{spec: s} }

type numAggCollector struct {
	spec *numAggSpec
	n    int
	acc  float64
}

func (c *numAggCollector) add(ev *event.Event) {
	f, ok := numberField(ev, c.spec.field)
	if !ok {
		return
	}
	switch {
	case c.n == 0:
		c.acc = f
	case c.spec.kind == "min":
		c.acc = math.Min(c.acc, f)
	case c.spec.kind == "max":
		c.acc = math.Max(c.acc, f)
	default:
		c.acc += f
	}
	c.n++
}

func (c *numAggCollector) finish(emit func(*event.Event)) {
	if c.n == 0 {
		return
	}
	r := c.acc
	if c.spec.kind == "avg" {
		r /= float64(c.n)
	}
	emit(event.New(event.Field{Name: c.spec.as, Value: event.FormatNumber(r)}))
}

// collect

type collectSpec struct {
	fields    []string
	limit     int
	multival  bool
	separator string
}

func compileCollect(c *compiler, a *args) (aggSpec, error) {
	fields, err := a.readFields("fields")
	if err != nil {
		return nil, err
	}
	limit, err := a.limit("limit", 2000, 1<<31-1)
	if err != nil {
		return nil, err
	}
	multival, err := a.boolean("multival", true)
	if err != nil {
		return nil, err
	}
	sep, err := a.str("separator", "\n")
	if err != nil {
		return nil, err
	}
	return &collectSpec{fields: fields, limit: limit, multival: multival, separator: sep}, nil
}

func (s *collectSpec) newAgg(x *exec) collector {
	c := &collectCollector{spec: s, x: x, seen: make([]map[string]bool, len(s.fields)), values: make([][]string, len(s.fields))}
	for i := range c.seen {
		c.seen[i] = map[string]bool{}
	}
	return c
}

type collectCollector struct {
	spec   *collectSpec
	x      *exec
	seen   []map[string]bool
	values [][]string
	held   int64 // bytes charged for values
	cut    int   // values past the limit (repeats of them counted again)
}

func (c *collectCollector) add(ev *event.Event) {
	for i, f := range c.spec.fields {
		v, ok := ev.Get(f)
		if !ok || c.seen[i][v] {
			continue
		}
		if len(c.values[i]) >= c.spec.limit {
			c.cut++
			continue
		}
		n := int64(3*len(v) + 96)
		c.x.charge("collect", n)
		c.held += n
		v = strings.Clone(v)
		c.seen[i][v] = true
		c.values[i] = append(c.values[i], v)
	}
}

func (c *collectCollector) finish(emit func(*event.Event)) {
	c.x.release(c.held)
	c.held = 0
	if c.cut > 0 {
		c.x.warn.addf("collect(): more than %d distinct values of a field; %d value(s) past the limit were not collected (limit=%d)", c.spec.limit, c.cut, c.spec.limit)
	}
	if !c.spec.multival && len(c.spec.fields) == 1 {
		for _, v := range c.values[0] {
			emit(event.New(event.Field{Name: c.spec.fields[0], Value: v}))
		}
		return
	}
	out := &event.Event{}
	for i, f := range c.spec.fields {
		if len(c.values[i]) > 0 {
			out.Set(f, strings.Join(c.values[i], c.spec.separator))
		}
	}
	emit(out)
}

// top

type topSpec struct {
	fields  []string
	limit   int
	as      string
	sumOf   string
	maxOf   string
	percent bool
	rest    string
}

func compileTop(c *compiler, a *args) (aggSpec, error) {
	fields, err := a.readFields("field")
	if err != nil {
		return nil, err
	}
	s := &topSpec{fields: fields}
	if s.limit, err = a.limit("limit", 10, 1<<31-1); err != nil {
		return nil, err
	}
	if s.sumOf, err = a.fieldName("sum", ""); err != nil {
		return nil, err
	}
	if s.maxOf, err = a.fieldName("max", ""); err != nil {
		return nil, err
	}
	def := "_count"
	switch {
	case s.sumOf != "":
		def = "_sum"
	case s.maxOf != "":
		def = "_max"
	}
	s.as = a.asOr(def)
	if s.percent, err = a.boolean("percent", false); err != nil {
		return nil, err
	}
	if s.rest, err = a.str("rest", ""); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *topSpec) newAgg(x *exec) collector {
	return &topCollector{spec: s, x: x, index: map[string]int{}}
}

type topItem struct {
	keys []string
	val  float64
}

type topCollector struct {
	spec  *topSpec
	x     *exec
	held  int64 // bytes charged for items
	index map[string]int
	items []*topItem
	total float64
	buf   []byte
}

func (t *topCollector) add(ev *event.Event) {
	key, w, ok := topKey(t.spec, ev, t.buf[:0])
	t.buf = key
	if !ok {
		return
	}
	t.accumulate(key, func() []string { return cloneFields(ev, t.spec.fields) }, w)
	t.total += w
}

// accumulate adds weight w to key's item, made with keys() when new.
func (t *topCollector) accumulate(key []byte, keys func() []string, w float64) {
	i, ok := t.index[string(key)]
	if !ok {
		n := int64(3*len(key) + 200) // map entry, key copies, item
		t.x.charge("top", n)
		t.held += n
		i = len(t.items)
		t.index[string(key)] = i
		item := &topItem{keys: keys()}
		if t.spec.maxOf != "" {
			item.val = w
		}
		t.items = append(t.items, item)
	}
	it := t.items[i]
	if t.spec.maxOf != "" {
		it.val = math.Max(it.val, w)
	} else {
		it.val += w
	}
}

// cloneFields copies the values of fields in ev (empty when absent).
func cloneFields(ev *event.Event, fields []string) []string {
	out := make([]string, len(fields))
	for j, f := range fields {
		v, _ := ev.Get(f)
		out[j] = strings.Clone(v)
	}
	return out
}

func (t *topCollector) finish(emit func(*event.Event)) {
	t.x.release(t.held)
	t.held = 0
	if cut := len(t.items) - t.spec.limit; cut > 0 {
		t.x.warn.addf("top(): %d distinct values, the %d first shown, %d cut by limit=%d", len(t.items), t.spec.limit, cut, t.spec.limit)
	}
	sort.SliceStable(t.items, func(i, j int) bool { return t.items[i].val > t.items[j].val })
	shown := 0.0
	for i, it := range t.items {
		if i >= t.spec.limit {
			break
		}
		shown += it.val
		out := &event.Event{}
		for j, f := range t.spec.fields {
			out.Set(f, it.keys[j])
		}
		out.Set(t.spec.as, event.FormatNumber(it.val))
		if t.spec.percent && t.total != 0 {
			out.Set("percent", event.FormatNumber(it.val/t.total*100))
		}
		emit(out)
	}
	if t.spec.rest != "" && len(t.items) > t.spec.limit && t.spec.maxOf == "" {
		out := &event.Event{}
		out.Set(t.spec.fields[0], t.spec.rest)
		out.Set(t.spec.as, event.FormatNumber(t.total-shown))
		emit(out)
	}
}
