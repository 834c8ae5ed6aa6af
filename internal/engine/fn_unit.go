package engine

import (
	"math"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// unit:convert(field, from, to, binary, keepUnit, unit, as=field) converts
// "514 ms" to 0.514 (to=s) or 4 (from=Ki, to=B... ) by unit prefixes: a
// unit is an optional prefix (k M G T P E Z Y, m u n p f a z y, or binary
// Ki Mi Gi ...) followed by a base unit (s, B, ...). With binary=true the
// decimal prefixes k..Y count in powers of 1024. A value without a unit is
// in from=. A unit made of a prefix letter alone is the prefix.

var unitPrefixPower = map[string]int{
	"k": 1, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6, "Z": 7, "Y": 8,
	"m": -1, "u": -2, "µ": -2, "n": -3, "p": -4, "f": -5, "a": -6, "z": -7, "y": -8,
}

type unitSpec struct {
	factor float64
	base   string
}

// parseUnit splits a unit into its prefix factor and base unit.
func parseUnit(u string, binary bool) unitSpec {
	u = strings.TrimSpace(u)
	if len(u) >= 2 && u[1] == 'i' {
		if p, ok := unitPrefixPower[strings.ToUpper(u[:1])]; ok && p > 0 {
			return unitSpec{factor: math.Pow(1024, float64(p)), base: u[2:]}
		}
	}
	for pfx, p := range unitPrefixPower {
		if !strings.HasPrefix(u, pfx) {
			continue
		}
		base := u[len(pfx):]
		if p > 0 && binary {
			return unitSpec{factor: math.Pow(1024, float64(p)), base: base}
		}
		return unitSpec{factor: math.Pow(1000, float64(p)), base: base}
	}
	return unitSpec{factor: 1, base: u}
}

func init() {
	registerFunc("unit:convert", &funcImpl{params: []string{"field", "as", "from", "to", "binary", "keepUnit", "unit"},
		step: compileUnitConvert})
}

type unitConvertExpr struct {
	field    string
	from     string
	to       string
	unit     string
	binary   bool
	keepUnit bool
}

func compileUnitConvert(c *compiler, a *args) (any, error) {
	e := &unitConvertExpr{}
	var err error
	if e.field, err = a.fieldName("field", ""); err != nil {
		return nil, err
	}
	if e.field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"from", &e.from}, {"to", &e.to}, {"unit", &e.unit}} {
		if *p.dst, err = a.str(p.name, ""); err != nil {
			return nil, err
		}
	}
	if e.binary, err = a.boolean("binary", false); err != nil {
		return nil, err
	}
	if e.keepUnit, err = a.boolean("keepUnit", false); err != nil {
		return nil, err
	}
	return &assignStep{field: a.asOr(e.field), e: e}, nil
}

// splitNumberUnit reads "4.5 KiB" as 4.5 and "KiB".
func splitNumberUnit(s string) (float64, string, bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+' ||
		(s[i] == 'e' || s[i] == 'E') && i > 0 && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-' || s[i+1] == '+')) {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, "", false
	}
	return n, strings.TrimSpace(s[i:]), true
}

func (e *unitConvertExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	n, unit, ok := splitNumberUnit(v)
	if !ok {
		return "", false
	}
	var from unitSpec
	switch {
	case unit == "" && e.from == "":
		from = unitSpec{factor: 1}
	case unit == "":
		from = parseUnit(e.from, e.binary)
	case e.unit != "":
		prefix, found := strings.CutSuffix(unit, e.unit)
		if !found {
			return "", false
		}
		from = parseUnit(prefix, e.binary)
		from.base = e.unit
	default:
		from = parseUnit(unit, e.binary)
	}
	to := unitSpec{factor: 1, base: from.base}
	if e.to != "" {
		to = parseUnit(e.to, e.binary)
		if to.base == "" {
			to.base = from.base
		}
		if from.base != "" && to.base != from.base {
			return "", false // different quantities
		}
	}
	r := n * from.factor / to.factor
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "", false
	}
	out := event.FormatNumber(r)
	if e.keepUnit {
		u := e.to
		if u == "" || parseUnit(u, e.binary).base == "" {
			u += to.base
		}
		out += u
	}
	return out, true
}
