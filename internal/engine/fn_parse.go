package engine

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/valyala/fastjson"
)

// Parsers that turn a field's text into fields: parseJson, kvParse and
// json:prettyPrint. Text that does not parse leaves the event unchanged.

func init() {
	registerFunc("parseJson", &funcImpl{params: []string{"field", "prefix", "include", "exclude", "excludeEmpty", "handleNull", "removePrefixes"},
		step: compileParseJSON})
	registerFunc("kvParse", &funcImpl{params: []string{"field", "as", "excludeEmpty", "override", "separator", "separatorPadding", "onDuplicate", "prefix"},
		step: compileKVParse})
	registerFunc("json:prettyPrint", &funcImpl{params: []string{"field", "as", "step", "strict"}, step: compilePrettyPrint})
}

var jsonParsers fastjson.ParserPool

type parseJSONStep struct {
	field          string
	prefix         string
	include        []string
	exclude        []string
	excludeEmpty   bool
	handleNull     string
	removePrefixes []string
}

func compileParseJSON(c *compiler, a *args) (any, error) {
	s := &parseJSONStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	if s.prefix, err = a.str("prefix", ""); err != nil {
		return nil, err
	}
	if s.include, err = a.strList("include"); err != nil {
		return nil, err
	}
	if s.exclude, err = a.strList("exclude"); err != nil {
		return nil, err
	}
	if s.removePrefixes, err = a.strList("removePrefixes"); err != nil {
		return nil, err
	}
	if s.excludeEmpty, err = a.boolean("excludeEmpty", false); err != nil {
		return nil, err
	}
	if s.handleNull, err = a.str("handleNull", "keep"); err != nil {
		return nil, err
	}
	switch s.handleNull {
	case "keep", "discard", "empty":
	default:
		return nil, a.errorf("handleNull", "handleNull must be keep, discard or empty, not %q", s.handleNull)
	}
	return s, nil
}

func (s *parseJSONStep) apply(x *exec, ev *event.Event) bool {
	text, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	p := jsonParsers.Get()
	defer jsonParsers.Put(p)
	v, err := p.Parse(text)
	if err != nil {
		return true
	}
	name := append(x.buf[:0], s.prefix...)
	before := ev.Len()
	s.flatten(ev, v, name, len(name), 0)
	x.checkFields("parseJson", ev.Len()-before)
	return true
}

// flatten sets one field per scalar: object keys joined with ".", array
// elements as [i]. base is where the name starts after the prefix.
func (s *parseJSONStep) flatten(ev *event.Event, v *fastjson.Value, name []byte, base, depth int) {
	if depth > 100 {
		return
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(k []byte, child *fastjson.Value) {
			n := name
			if len(n) > base {
				n = append(n, '.')
			}
			s.flatten(ev, child, append(n, k...), base, depth+1)
		})
	case fastjson.TypeArray:
		arr, _ := v.Array()
		for i, child := range arr {
			n := append(name, '[')
			n = appendInt(n, i)
			s.flatten(ev, child, append(n, ']'), base, depth+1)
		}
	default:
		if len(name) == base || !s.wanted(string(name[base:])) {
			return
		}
		var val []byte
		switch v.Type() {
		case fastjson.TypeString:
			val = v.GetStringBytes()
		case fastjson.TypeNull:
			switch s.handleNull {
			case "discard":
				return
			case "keep":
				val = []byte("null")
			}
		default:
			val = v.MarshalTo(nil)
		}
		if len(val) == 0 && s.excludeEmpty {
			return
		}
		field := name
		for _, rp := range s.removePrefixes {
			if bytes.HasPrefix(field, []byte(rp)) && len(field) > len(rp) {
				field = field[len(rp):]
				break
			}
		}
		ev.SetBytes(ev.ArenaString(field), val)
	}
}

// wanted applies include/exclude to a flattened name: a listed name
// matches itself and everything under it.
func (s *parseJSONStep) wanted(name string) bool {
	under := func(list []string) bool {
		for _, p := range list {
			if name == p || strings.HasPrefix(name, p+".") || strings.HasPrefix(name, p+"[") {
				return true
			}
		}
		return false
	}
	if len(s.include) > 0 && !under(s.include) {
		return false
	}
	return !under(s.exclude)
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

// kvParse finds key=value pairs: keys are runs of letters, digits and
// _ . - @ [ ]; values are quoted ("..." or '...', with backslash escapes) or
// run to the next space, comma or semicolon. Fields the event had before
// are kept unless override=true; a key repeated in the text keeps its last
// value unless onDuplicate=keepFirst (reference page functions-kvparse).
type kvParseStep struct {
	fields       []string
	prefix       string
	excludeEmpty bool
	override     bool
	keepFirst    bool
	sep          string
	padding      bool
}

func compileKVParse(c *compiler, a *args) (any, error) {
	s := &kvParseStep{}
	var err error
	if s.fields, err = a.fieldList("field"); err != nil {
		return nil, err
	}
	if len(s.fields) == 0 {
		s.fields = []string{event.RawString}
	}
	for _, f := range s.fields {
		c.read(f)
	}
	if s.prefix, err = a.str("as", ""); err != nil {
		return nil, err
	}
	if a.has("prefix") { // an alias of as (LogScale 1.173)
		if a.has("as") {
			return nil, a.errorf("prefix", "give as= or prefix=, not both")
		}
		if s.prefix, err = a.str("prefix", ""); err != nil {
			return nil, err
		}
	}
	dup, err := a.str("onDuplicate", "keepLast")
	if err != nil {
		return nil, err
	}
	switch dup {
	case "keepLast":
	case "keepFirst":
		s.keepFirst = true
	default:
		return nil, a.errorf("onDuplicate", "onDuplicate must be keepLast or keepFirst, not %q", dup)
	}
	if s.excludeEmpty, err = a.boolean("excludeEmpty", false); err != nil {
		return nil, err
	}
	if s.override, err = a.boolean("override", false); err != nil {
		return nil, err
	}
	if s.sep, err = a.str("separator", "="); err != nil {
		return nil, err
	}
	if s.sep == "" {
		return nil, a.errorf("separator", "separator must not be empty")
	}
	pad, err := a.str("separatorPadding", "unknown")
	if err != nil {
		return nil, err
	}
	s.padding = pad != "no"
	return s, nil
}

func isKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("_.-@[]", b) >= 0
}

func (s *kvParseStep) apply(x *exec, ev *event.Event) bool {
	before := ev.Len()
	defer func() { x.checkFields("kvParse", ev.Len()-before) }()
	var parsed map[string]bool // keys this call has set
	for _, f := range s.fields {
		text, ok := ev.Get(f)
		if !ok {
			continue
		}
		kvPairs(text, s.sep, s.padding, func(k, v string) {
			if v == "" && s.excludeEmpty {
				return
			}
			name := k
			if s.prefix != "" {
				x.buf = append(append(x.buf[:0], s.prefix...), k...)
				name = ev.ArenaString(x.buf)
			}
			switch {
			case parsed[name]:
				if s.keepFirst {
					return
				}
			case !s.override && ev.Has(name):
				return
			}
			if parsed == nil {
				parsed = map[string]bool{}
			}
			parsed[name] = true
			ev.Set(name, v)
		})
	}
	return true
}

// kvPairs calls fn for each key/value pair of text.
func kvPairs(text, sep string, padding bool, fn func(k, v string)) {
	i := 0
	for {
		j := strings.Index(text[i:], sep)
		if j < 0 {
			return
		}
		at := i + j
		ke := at
		if padding {
			for ke > i && text[ke-1] == ' ' {
				ke--
			}
		}
		ks := ke
		for ks > i && isKeyByte(text[ks-1]) {
			ks--
		}
		vs := at + len(sep)
		if padding {
			p := vs
			for p < len(text) && text[p] == ' ' {
				p++
			}
			// "a= b=1": after the spaces comes the next key, so a is empty
			k := p
			for k < len(text) && isKeyByte(text[k]) {
				k++
			}
			if p == vs || k == p || !strings.HasPrefix(text[k:], sep) {
				vs = p
			}
		}
		val, next := kvValue(text, vs)
		if ks < ke {
			fn(text[ks:ke], val)
		}
		if next <= at {
			next = at + len(sep)
		}
		i = next
	}
}

// kvValue reads a value at i and returns it and where scanning resumes.
func kvValue(text string, i int) (string, int) {
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		q := text[i]
		var b strings.Builder
		for j := i + 1; j < len(text); j++ {
			switch text[j] {
			case '\\':
				if j+1 < len(text) {
					j++
					b.WriteByte(text[j])
				}
			case q:
				return b.String(), j + 1
			default:
				b.WriteByte(text[j])
			}
		}
		return b.String(), len(text)
	}
	j := i
	for j < len(text) && text[j] != ' ' && text[j] != ',' && text[j] != ';' && text[j] != '\t' {
		j++
	}
	return text[i:j], j
}

// json:prettyPrint re-indents JSON text (in place unless as= is given).
type prettyPrintStep struct {
	field, as string
	indent    string
	strict    bool
}

func compilePrettyPrint(c *compiler, a *args) (any, error) {
	s := &prettyPrintStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	s.as = a.asOr(s.field)
	stepText, err := a.str("step", "2")
	if err != nil {
		return nil, err
	}
	n, ok := event.ParseNumber(stepText)
	if !ok || n < 0 || n > 16 || n != float64(int(n)) {
		return nil, a.errorf("step", "step must be an indentation width from 0 to 16, not %q", stepText)
	}
	s.indent = strings.Repeat(" ", int(n))
	if s.strict, err = a.boolean("strict", false); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *prettyPrintStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(v), "", s.indent); err != nil {
		// strict: invalid JSON gets no output; otherwise it is copied as is
		if !s.strict {
			ev.Set(s.as, v)
		}
		return true
	}
	ev.Set(s.as, out.String())
	return true
}
