package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// bitfield:extractFlags(field, output=[[bit, name], ...], onlyTrue=false)
// sets name=true/false for each listed bit (0 = least significant) of an
// integer written in decimal or 0x-hex.

func init() {
	registerFunc("bitfield:extractFlags", &funcImpl{params: []string{"", "field", "onlyTrue", "output"}, step: compileExtractFlags})
}

type bitFlag struct {
	bit  uint
	name string
}

type extractFlagsStep struct {
	field    string
	onlyTrue bool
	flags    []bitFlag
}

func compileExtractFlags(c *compiler, a *args) (any, error) {
	s := &extractFlagsStep{}
	var err error
	if s.field, err = a.fieldName("field", ""); err != nil {
		return nil, err
	}
	if s.field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	if s.onlyTrue, err = a.boolean("onlyTrue", false); err != nil {
		return nil, err
	}
	if s.flags, err = bitPairs(a, "output"); err != nil {
		return nil, err
	}
	return s, nil
}

// bitPairs reads [[bit, name], ...]; bits are 0-63, bits and names unique.
func bitPairs(a *args, param string) ([]bitFlag, error) {
	arr, ok := a.vals[param].(*cql.ArrayExpr)
	if !ok || len(arr.Elems) == 0 {
		return nil, a.errorf(param, "%s must be an array of [bit, name] pairs", param)
	}
	var out []bitFlag
	seenBit, seenName := map[uint64]bool{}, map[string]bool{}
	for _, el := range arr.Elems {
		pair, ok := cql.Unparen(el).(*cql.ArrayExpr)
		if !ok || len(pair.Elems) != 2 {
			return nil, a.errorf(param, "each %s entry must be [bit, name]", param)
		}
		bitText, ok1 := a.text(cql.Unparen(pair.Elems[0]))
		name, ok2 := a.text(cql.Unparen(pair.Elems[1]))
		bit, err := strconv.ParseUint(bitText, 10, 8)
		if !ok1 || !ok2 || err != nil || bit > 63 || name == "" {
			return nil, a.errorf(param, "each %s entry must be [bit 0-63, name]", param)
		}
		if seenBit[bit] || seenName[name] {
			return nil, a.errorf(param, "%s: bit %d or name %q given twice", param, bit, name)
		}
		seenBit[bit], seenName[name] = true, true
		out = append(out, bitFlag{bit: uint(bit), name: name})
	}
	return out, nil
}

// bitValue reads an integer written in decimal or 0x-hex; negative values
// are two's complement bit patterns, larger ones keep their lowest 64 bits.
func bitValue(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	var n uint64
	var err error
	if h, isHex := strings.CutPrefix(strings.ToLower(v), "0x"); isHex {
		n, err = strconv.ParseUint(h, 16, 64)
	} else if i, ierr := strconv.ParseInt(v, 10, 64); ierr == nil {
		n = uint64(i)
	} else {
		n, err = strconv.ParseUint(v, 10, 64)
	}
	return n, err == nil
}

func (s *extractFlagsStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	n, ok := bitValue(v)
	if !ok {
		return true
	}
	for _, f := range s.flags {
		set := n>>f.bit&1 == 1
		if set || !s.onlyTrue {
			ev.Set(f.name, boolString(set))
		}
	}
	return true
}

// bitfield:extractFlagsAsArray(field, flagNames, asArray=_flags[]) and
// bitfield:extractFlagsAsString(field, flagNames, as=_flags, separator=" ")
// list the names of the set bits, lowest bit first (reference pages
// functions-bitfield-extractflagsasarray, -asstring). A missing field
// changes nothing; no set bit gives an empty array or an empty string.
func init() {
	registerFunc("bitfield:extractFlagsAsArray", &funcImpl{params: []string{"", "field", "asArray", "flagNames"}, step: func(c *compiler, a *args) (any, error) {
		return compileFlagNames(c, a, true)
	}})
	registerFunc("bitfield:extractFlagsAsString", &funcImpl{params: []string{"", "field", "as", "flagNames", "separator"}, step: func(c *compiler, a *args) (any, error) {
		return compileFlagNames(c, a, false)
	}})
}

type flagNamesStep struct {
	field, out, sep string
	array           bool
	flags           []bitFlag
}

func compileFlagNames(c *compiler, a *args, array bool) (any, error) {
	s := &flagNamesStep{array: array}
	var err error
	if s.field, err = a.fieldName("field", ""); err != nil {
		return nil, err
	}
	if s.field == "" {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter field", a.call.Name)
	}
	if s.flags, err = bitPairs(a, "flagNames"); err != nil {
		return nil, err
	}
	sort.Slice(s.flags, func(i, j int) bool { return s.flags[i].bit < s.flags[j].bit })
	if array {
		s.out, err = asArrayArg(a, "_flags")
	} else {
		s.out = a.asOr("_flags")
		s.sep, err = a.str("separator", " ")
	}
	return s, err
}

func (s *flagNamesStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	n, ok := bitValue(v)
	if !ok {
		return true
	}
	var names []string
	for _, f := range s.flags {
		if n>>f.bit&1 == 1 {
			names = append(names, f.name)
		}
	}
	if s.array {
		setArray(ev, s.out, names)
	} else {
		ev.Set(s.out, strings.Join(names, s.sep))
	}
	return true
}
