package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// writeJson(field=@rawstring, as=_json) writes fields as one JSON object
// (reference page functions-writejson). Each field argument is a prefix:
// "a.b" takes a.b.c, a.bc, a.b[0] ...; a * in it is a glob (a.b[*]). Dotted
// names nest as objects and [n] as arrays, so a.b.e[0]=6 gives
// {"a":{"b":{"e":[6]}}}. Values that are JSON numbers, true, false or null
// are written as such, others as strings.

func init() {
	registerFunc("writeJson", &funcImpl{params: []string{"field", "as"}, defaultAs: "_json", value: compileWriteJSON})
}

type writeJSONExpr struct {
	prefixes []string
	globs    []*glob
}

func compileWriteJSON(c *compiler, a *args) (expr, error) {
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		fields = []string{event.RawString}
	}
	e := &writeJSONExpr{}
	for _, f := range fields {
		if strings.Contains(f, "*") {
			e.globs = append(e.globs, newGlob(f+"*", true, false)) // still a prefix
			c.needs.All = true
			continue
		}
		e.prefixes = append(e.prefixes, f)
		if f == event.RawString {
			c.needs.Raw = true
		} else {
			c.needs.AddPrefix(f)
		}
	}
	return e, nil
}

func (e *writeJSONExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	root := &jsonNode{}
	for _, f := range ev.Fields() {
		if !e.selects(f.Name) {
			continue
		}
		root.insert(splitPath(f.Name), f.Value)
	}
	var b strings.Builder
	root.write(&b)
	return b.String(), true
}

func (e *writeJSONExpr) selects(name string) bool {
	for _, p := range e.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, g := range e.globs {
		if g.match(name) {
			return true
		}
	}
	return false
}

// pathPart is one step of a flattened field name: an object key or an
// array index.
type pathPart struct {
	key   string
	index int // -1 for a key
}

func splitPath(name string) []pathPart {
	var out []pathPart
	for _, seg := range strings.Split(name, ".") {
		for {
			i := strings.IndexByte(seg, '[')
			j := strings.IndexByte(seg, ']')
			if i < 0 || j < i {
				break
			}
			if i > 0 {
				out = append(out, pathPart{key: seg[:i], index: -1})
			}
			n, err := strconv.Atoi(seg[i+1 : j])
			if err != nil {
				out = append(out, pathPart{key: seg[i : j+1], index: -1})
			} else {
				out = append(out, pathPart{index: n})
			}
			seg = seg[j+1:]
		}
		if seg != "" {
			out = append(out, pathPart{key: seg, index: -1})
		}
	}
	return out
}

// jsonNode is an object (keys), an array (elems) or a leaf value.
type jsonNode struct {
	keys    map[string]*jsonNode
	order   []string
	elems   map[int]*jsonNode
	leaf    string
	hasLeaf bool
}

func (n *jsonNode) insert(path []pathPart, v string) {
	if len(path) == 0 {
		n.leaf, n.hasLeaf = v, true
		return
	}
	p := path[0]
	if p.index >= 0 {
		if n.elems == nil {
			n.elems = map[int]*jsonNode{}
		}
		c := n.elems[p.index]
		if c == nil {
			c = &jsonNode{}
			n.elems[p.index] = c
		}
		c.insert(path[1:], v)
		return
	}
	if n.keys == nil {
		n.keys = map[string]*jsonNode{}
	}
	c := n.keys[p.key]
	if c == nil {
		c = &jsonNode{}
		n.keys[p.key] = c
		n.order = append(n.order, p.key)
	}
	c.insert(path[1:], v)
}

func (n *jsonNode) write(b *strings.Builder) {
	switch {
	case n.keys != nil:
		b.WriteByte('{')
		for i, k := range n.order {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			n.keys[k].write(b)
		}
		b.WriteByte('}')
	case n.elems != nil:
		idx := make([]int, 0, len(n.elems))
		for i := range n.elems {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		b.WriteByte('[')
		for i, k := range idx {
			if i > 0 {
				b.WriteByte(',')
			}
			n.elems[k].write(b)
		}
		b.WriteByte(']')
	case n.hasLeaf:
		writeJSONScalar(b, n.leaf)
	default:
		b.WriteString("null")
	}
}

func writeJSONScalar(b *strings.Builder, v string) {
	switch v {
	case "true", "false", "null":
		b.WriteString(v)
		return
	}
	if isJSONNumber(v) {
		b.WriteString(v)
		return
	}
	b.WriteString(strconv.Quote(v))
}

// isJSONNumber reports whether v is written as a number in JSON.
func isJSONNumber(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i >= len(v) {
		return false
	}
	if v[i] == '0' {
		i++
	} else if v[i] >= '1' && v[i] <= '9' {
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		start := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		start := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(v)
}
