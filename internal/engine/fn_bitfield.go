package engine

import (
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
	arr, ok := a.vals["output"].(*cql.ArrayExpr)
	if !ok || len(arr.Elems) == 0 {
		return nil, a.errorf("output", "output must be an array of [bit, name] pairs")
	}
	for _, el := range arr.Elems {
		pair, ok := unparen(el).(*cql.ArrayExpr)
		if !ok || len(pair.Elems) != 2 {
			return nil, a.errorf("output", "each output entry must be [bit, name]")
		}
		bitText, ok1 := a.text(unparen(pair.Elems[0]))
		name, ok2 := a.text(unparen(pair.Elems[1]))
		bit, err := strconv.ParseUint(bitText, 10, 8)
		if !ok1 || !ok2 || err != nil || bit > 63 || name == "" {
			return nil, a.errorf("output", "each output entry must be [bit 0-63, field name]")
		}
		s.flags = append(s.flags, bitFlag{bit: uint(bit), name: name})
	}
	return s, nil
}

func (s *extractFlagsStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	v = strings.TrimSpace(v)
	var n uint64
	var err error
	if h, isHex := strings.CutPrefix(strings.ToLower(v), "0x"); isHex {
		n, err = strconv.ParseUint(h, 16, 64)
	} else if i, ierr := strconv.ParseInt(v, 10, 64); ierr == nil {
		n = uint64(i) // negative values are two's complement bit patterns
	} else {
		n, err = strconv.ParseUint(v, 10, 64)
	}
	if err != nil {
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
