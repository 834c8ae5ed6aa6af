package engine

import (
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

// compareValues orders two present values by type: numbers before
// non-numbers (which compare as text).
func compareValues(a, b, typ string) int {
	switch typ {
	case "string":
		return strings.Compare(a, b)
	case "hex":
		x, xok := parseHex(a)
		y, yok := parseHex(b)
		return compareParsed(x, xok, y, yok, a, b)
	}
	x, xok := event.ParseNumber(a)
	y, yok := event.ParseNumber(b)
	return compareParsed(x, xok, y, yok, a, b)
}

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

// lessByKeys orders events by keys; missing values always sort last.
func lessByKeys(keys []sortKey) func(a, b *event.Event) bool {
	return func(a, b *event.Event) bool {
		for _, k := range keys {
			va, aok := a.Get(k.field)
			vb, bok := b.Get(k.field)
			switch {
			case !aok && !bok:
				continue
			case !aok:
				return false
			case !bok:
				return true
			}
			c := compareValues(va, vb, k.typ)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	}
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
