package rules

import (
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// yamlDecoder walks a yaml.Node tree by hand so that every problem carries
// file:line:col, and unknown keys are errors instead of being ignored.
type yamlDecoder struct {
	file string
	errs Errors
}

// field describes one key of a mapping.
type field struct {
	key      string
	required bool
	decode   func(*yaml.Node)
}

func (d *yamlDecoder) errorAt(n *yaml.Node, hint, format string, args ...any) {
	e := &Error{File: d.file, Msg: fmt.Sprintf(format, args...), Hint: hint}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse reads a YAML document into its root node.
func (d *yamlDecoder) parse(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		e := &Error{File: d.file, Line: 1, Col: 1, Msg: "invalid YAML: " + err.Error(),
			Hint: "check indentation and quoting around this line"}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = "invalid YAML: " + m[2]
		}
		d.errs = append(d.errs, e)
		return nil
	}
	if len(doc.Content) == 0 {
		d.errs = append(d.errs, &Error{File: d.file, Line: 1, Col: 1, Msg: "empty file",
			Hint: "a rule.yaml starts with `id:` and `title:`"})
		return nil
	}
	return doc.Content[0]
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping decodes a mapping node: each known key goes to its decoder,
// unknown and duplicate keys are errors, missing required keys are errors
// at the mapping's own position.
func (d *yamlDecoder) mapping(n *yaml.Node, what string, fields []field) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		d.errorAt(n, "write it as `key: value` lines", "%s must be a mapping, not %s", what, kindName(n))
		return
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			d.errorAt(k, "remove one of them", "duplicate key %q in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		var f *field
		for j := range fields {
			if fields[j].key == k.Value {
				f = &fields[j]
			}
		}
		if f == nil {
			hint := ""
			if c := closest(k.Value, keys); c != "" {
				hint = fmt.Sprintf("did you mean %q?", c)
			} else {
				hint = fmt.Sprintf("known keys: %v", keys)
			}
			d.errorAt(k, hint, "unknown key %q in %s", k.Value, what)
			continue
		}
		f.decode(v)
	}
	for _, f := range fields {
		if f.required && !seen[f.key] {
			d.errorAt(n, fmt.Sprintf("add `%s:` to %s", f.key, what), "missing required key %q in %s", f.key, what)
		}
	}
}

// str decodes a non-empty scalar.
func (d *yamlDecoder) str(dst *string, what string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		if n == nil || n.Kind != yaml.ScalarNode {
			d.errorAt(n, "write a single value", "%s must be a string, not %s", what, kindName(n))
			return
		}
		if n.Tag == "!!null" || n.Value == "" {
			d.errorAt(n, "give it a value or remove the key", "%s is empty", what)
			return
		}
		*dst = n.Value
	}
}

// oneOf decodes a scalar restricted to a set of values.
func (d *yamlDecoder) oneOf(dst *string, what string, allowed ...string) func(*yaml.Node) {
	return func(n *yaml.Node) {
		var s string
		d.str(&s, what)(n)
		if s == "" {
			return
		}
		for _, a := range allowed {
			if s == a {
				*dst = s
				return
			}
		}
		hint := fmt.Sprintf("one of %v", allowed)
		if c := closest(s, allowed); c != "" {
			hint = fmt.Sprintf("did you mean %q? (one of %v)", c, allowed)
		}
		d.errorAt(n, hint, "%s %q is not allowed", what, s)
	}
}

// seq decodes a non-empty sequence, calling each for every element.
func (d *yamlDecoder) seq(what string, each func(*yaml.Node)) func(*yaml.Node) {
	return func(n *yaml.Node) {
		n = resolve(n)
		if n == nil || n.Kind != yaml.SequenceNode {
			d.errorAt(n, "write a list with `- item` lines", "%s must be a list, not %s", what, kindName(n))
			return
		}
		if len(n.Content) == 0 {
			d.errorAt(n, "add items or remove the key", "%s is an empty list", what)
			return
		}
		for _, c := range n.Content {
			each(c)
		}
	}
}

// strs decodes a non-empty list of strings.
func (d *yamlDecoder) strs(dst *[]string, what string) func(*yaml.Node) {
	return d.seq(what, func(n *yaml.Node) {
		var s string
		d.str(&s, what+" item")(n)
		if s != "" {
			*dst = append(*dst, s)
		}
	})
}

func kindName(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return "a value"
	}
	return "a document"
}
