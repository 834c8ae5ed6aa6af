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
	type item struct {
		row  *event.Event
		vals []sortVal
	}
	items := make([]item, len(rows))
	all := make([]sortVal, len(rows)*len(keys))
	for i, r := range rows {
		vals := all[i*len(keys) : (i+1)*len(keys)]
		sortValsOf(r, keys, vals)
		items[i] = item{row: r, vals: vals}
	}
	slices.SortStableFunc(items, func(a, b item) int { return compareVals(keys, a.vals, b.vals) })
	for i := range items {
		rows[i] = items[i].row
	}
}
