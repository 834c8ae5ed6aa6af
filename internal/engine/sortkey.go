package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// sortKey is one key of sort()/table(): field, direction and comparison type.
type sortKey struct {
	field string
	desc  bool
	typ   string // number, string or hex
}

// compareParsed orders two present values: numbers before non-numbers
// (which compare as text).
func compareParsed(x float64, xok bool, y float64, yok bool, a, b string) int {
	switch {
	case xok && yok:
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case xok:
		return -1
	case yok:
		return 1
	}
	return strings.Compare(a, b)
}

func parseHex(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	n, err := strconv.ParseUint(s, 16, 64)
	return float64(n), err == nil
}

// parseSortKeys reads field/order/type arguments (each one value or an
// array; a single order or type applies to every field).
func parseSortKeys(a *args, fieldParam string, defField, defOrder string) ([]sortKey, error) {
	fields, err := a.fieldList(fieldParam)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		fields = []string{defField}
	}
	orders, err := a.strList("order")
	if err != nil {
		return nil, err
	}
	types, err := a.strList("type")
	if err != nil {
		return nil, err
	}
	reverse, err := a.boolean("reverse", false)
	if err != nil {
		return nil, err
	}
	pick := func(list []string, i int, def string) string {
		switch {
		case len(list) == 0:
			return def
		case len(list) == 1:
			return list[0]
		case i < len(list):
			return list[i]
		}
		return def
	}
	keys := make([]sortKey, len(fields))
	for i, f := range fields {
		a.c.read(f)
		o := strings.ToLower(pick(orders, i, defOrder))
		switch o {
		case "asc", "ascending":
			o = "asc"
		case "desc", "descending":
			o = "desc"
		default:
			return nil, a.errorf("order", "order must be asc or desc, not %q", o)
		}
		t := strings.ToLower(pick(types, i, "number"))
		switch t {
		case "number", "string", "hex":
		case "any":
			t = "number"
		default:
			return nil, a.errorf("type", "type must be number, string or hex, not %q", t)
		}
		keys[i] = sortKey{field: f, desc: (o == "desc") != reverse, typ: t}
	}
	return keys, nil
}

// sortVal is one key of one row, parsed once before sorting.
type sortVal struct {
	s       string
	n       float64
	num     bool
	present bool
}

// sortValsOf parses r's keys into vals (len(keys) long).
func sortValsOf(r *event.Event, keys []sortKey, vals []sortVal) {
	for j, k := range keys {
		v, ok := r.Get(k.field)
		sv := sortVal{s: v, present: ok}
		switch k.typ {
		case "hex":
			sv.n, sv.num = parseHex(v)
		case "number":
			sv.n, sv.num = event.ParseNumber(v)
		}
		vals[j] = sv
	}
}

// lessVals reports whether a row with keys x sorts before one with y
// (absent values last, whatever the order).
func lessVals(keys []sortKey, x, y []sortVal) bool { return compareVals(keys, x, y) < 0 }

// compareVals orders rows with keys x and y: negative when x sorts first,
// positive when y does, 0 when they tie.
func compareVals(keys []sortKey, x, y []sortVal) int {
	for j, k := range keys {
		a, b := x[j], y[j]
		switch {
		case !a.present && !b.present:
			continue
		case !a.present:
			return 1
		case !b.present:
			return -1
		}
		c := 0
		if k.typ == "string" {
			c = strings.Compare(a.s, b.s)
		} else {
			c = compareParsed(a.n, a.num, b.n, b.num, a.s, b.s)
		}
		if c == 0 {
			continue
		}
		if k.desc {
			return -c
		}
		return c
	}
	return 0
}

// sortRows sorts rows stably by keys, parsing every key value once.
func sortRows(rows []*event.Event, keys []sortKey) {
	var s rowSorter
	s.sort(rows, keys)
}

// rowSorter sorts rows stably by keys, keeping the keys it parsed: the
// rows it left in order at the front (a collector's kept rows) are not
// parsed or sorted again, only merged with the rest.
type rowSorter struct {
	n     int       // rows at the front in order
	vals  []sortVal // their keys, len(keys) each
	items []sortItem
	rows  []*event.Event // merge scratch
	merge []sortVal      // merge scratch
}

type sortItem struct {
	row  *event.Event
	vals []sortVal
	seq  int // order of arrival
}

// sort orders rows, whose first s.n are those it left in order, stably:
// of two rows that tie the earlier comes first.
func (s *rowSorter) sort(rows []*event.Event, keys []sortKey) {
	k, sorted := len(keys), s.n
	fresh := rows[sorted:]
	all := make([]sortVal, len(fresh)*k)
	s.items = s.items[:0]
	for i, r := range fresh {
		vals := all[i*k : (i+1)*k]
		sortValsOf(r, keys, vals)
		s.items = append(s.items, sortItem{row: r, vals: vals})
	}
	sortItems(s.items, keys)
	s.rows, s.merge = s.rows[:0], s.merge[:0]
	old, i := s.vals[:sorted*k], 0
	for _, it := range s.items {
		for i < sorted && compareVals(keys, old[i*k:(i+1)*k], it.vals) <= 0 {
			s.rows, s.merge = append(s.rows, rows[i]), append(s.merge, old[i*k:(i+1)*k]...)
			i++
		}
		s.rows, s.merge = append(s.rows, it.row), append(s.merge, it.vals...)
	}
	for ; i < sorted; i++ {
		s.rows, s.merge = append(s.rows, rows[i]), append(s.merge, old[i*k:(i+1)*k]...)
	}
	copy(rows, s.rows)
	clear(s.rows)
	s.vals, s.merge = s.merge, s.vals
	s.n = len(rows)
}

// keep forgets the rows past the first n, of k keys each.
func (s *rowSorter) keep(n, k int) {
	clear(s.vals[n*k:])
	s.vals, s.n = s.vals[:n*k], n
}

// sortItems sorts items stably: ties by the order they came in, which
// makes the order total, so pattern-defeating quicksort may order them
// (in about one pass where they came in order, or in reverse order; the
// stable merge sort it replaces reordered blocks either way).
func sortItems(items []sortItem, keys []sortKey) {
	for i := range items {
		items[i].seq = i
	}
	slices.SortFunc(items, func(a, b sortItem) int {
		if c := compareVals(keys, a.vals, b.vals); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
}
