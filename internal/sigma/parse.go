package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse reads every YAML document of a Sigma file. A document with an
// `action: global` key (the old multi-document form) is rejected. Filter
// documents (`filter:`) come back with Rule.Filter set. Errors name
// file:line:col.
func Parse(file string, data []byte) ([]*Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Rule
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			line := 0
			if m := yamlLine.FindStringSubmatch(msg); m != nil {
				line, _ = strconv.Atoi(m[1])
				msg = msg[len(m[0]):]
			}
			return nil, &Error{File: file, Line: line, Msg: "YAML: " + msg}
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document (a trailing ---)
		}
		if root.Kind != yaml.MappingNode {
			return nil, &Error{File: file, Line: root.Line, Col: root.Column, Msg: "a Sigma document must be a mapping"}
		}
		r, err := parseDoc(file, root)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, &Error{File: file, Msg: "no Sigma rule in the file"}
	}
	return out, nil
}

var yamlLine = regexp.MustCompile(`^line (\d+): `)

func get(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func parseDoc(file string, root *yaml.Node) (*Rule, error) {
	r := &Rule{File: file, Line: root.Line}
	var err error
	str := func(key string, dst *string) {
		if err != nil {
			return
		}
		n := get(root, key)
		if n == nil {
			return
		}
		if n.Kind != yaml.ScalarNode {
			err = r.errAt(n.Line, n.Column, "%s must be a single value", key)
			return
		}
		*dst = n.Value
	}
	strs := func(key string, dst *[]string) {
		if err != nil {
			return
		}
		n := get(root, key)
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			*dst = []string{n.Value}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				if c.Kind != yaml.ScalarNode {
					err = r.errAt(c.Line, c.Column, "%s must be a list of strings", key)
					return
				}
				*dst = append(*dst, c.Value)
			}
		default:
			err = r.errAt(n.Line, n.Column, "%s must be a list of strings", key)
		}
	}
	str("title", &r.Title)
	str("id", &r.ID)
	str("name", &r.Name)
	str("status", &r.Status)
	str("description", &r.Description)
	str("author", &r.Author)
	str("license", &r.License)
	str("level", &r.Level)
	str("date", &r.Date)
	str("modified", &r.Modified)
	strs("references", &r.References)
	strs("tags", &r.Tags)
	strs("falsepositives", &r.FalsePositives)
	strs("fields", &r.Fields)
	if err != nil {
		return nil, err
	}
	if r.Title == "" {
		return nil, r.errAt(root.Line, root.Column, "missing required key title")
	}
	if a := get(root, "action"); a != nil {
		return nil, r.errAt(a.Line, a.Column, "action: %s documents (Sigma v1 collections) are not supported; split the file into rules", a.Value)
	}
	switch r.Level {
	case "", "informational", "low", "medium", "high", "critical":
	default:
		n := get(root, "level")
		return nil, r.errAt(n.Line, n.Column, "level %q is not one of informational, low, medium, high, critical", r.Level)
	}
	if f := get(root, "filter"); f != nil && get(root, "detection") == nil {
		flt, err := r.parseFilter(f)
		if err != nil {
			return nil, err
		}
		r.Filter = flt
		return r, nil
	}
	if c := get(root, "correlation"); c != nil {
		corr, err := r.parseCorrelation(c)
		if err != nil {
			return nil, err
		}
		r.Correlation = corr
		return r, nil
	}
	ls := get(root, "logsource")
	if ls == nil || ls.Kind != yaml.MappingNode {
		return nil, r.errAt(root.Line, root.Column, "missing required mapping logsource")
	}
	r.Logsource.Line = ls.Line
	for i := 0; i+1 < len(ls.Content); i += 2 {
		v := ls.Content[i+1].Value
		switch ls.Content[i].Value {
		case "category":
			r.Logsource.Category = v
		case "product":
			r.Logsource.Product = v
		case "service":
			r.Logsource.Service = v
		}
	}
	det := get(root, "detection")
	if det == nil || det.Kind != yaml.MappingNode {
		return nil, r.errAt(root.Line, root.Column, "missing required mapping detection")
	}
	d, err := r.parseDetection(det)
	if err != nil {
		return nil, err
	}
	r.Detection = d
	return r, nil
}

// parseFilter reads a filter section: `rules` plus a detection.
func (r *Rule) parseFilter(f *yaml.Node) (*Filter, error) {
	if f.Kind != yaml.MappingNode {
		return nil, r.errAt(f.Line, f.Column, "filter must be a mapping")
	}
	flt := &Filter{Line: f.Line}
	det := &yaml.Node{Kind: yaml.MappingNode, Line: f.Line, Column: f.Column}
	for i := 0; i+1 < len(f.Content); i += 2 {
		k, v := f.Content[i], f.Content[i+1]
		if k.Value != "rules" {
			det.Content = append(det.Content, k, v)
			continue
		}
		switch v.Kind {
		case yaml.ScalarNode:
			flt.Rules = []string{v.Value}
		case yaml.SequenceNode:
			for _, x := range v.Content {
				flt.Rules = append(flt.Rules, x.Value)
			}
		default:
			return nil, r.errAt(v.Line, v.Column, "filter rules must be a list of rule ids or names")
		}
	}
	if len(flt.Rules) == 0 {
		return nil, r.errAt(f.Line, f.Column, "filter names no rules")
	}
	d, err := r.parseDetection(det)
	if err != nil {
		return nil, err
	}
	flt.Detection = d
	return flt, nil
}

func (r *Rule) parseDetection(det *yaml.Node) (*Detection, error) {
	d := &Detection{Idents: map[string]*Ident{}}
	var condNode *yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i], det.Content[i+1]
		switch k.Value {
		case "condition":
			condNode = v
			continue
		case "timeframe":
			return nil, r.errAt(k.Line, k.Column, "timeframe (Sigma v1 aggregation) is not supported; write a correlation rule")
		}
		id, err := r.parseIdent(k, v)
		if err != nil {
			return nil, err
		}
		d.Idents[k.Value] = id
		d.Order = append(d.Order, k.Value)
	}
	if condNode == nil {
		return nil, r.errAt(det.Line, det.Column, "detection has no condition")
	}
	var conds []*yaml.Node
	switch condNode.Kind {
	case yaml.ScalarNode:
		conds = []*yaml.Node{condNode}
	case yaml.SequenceNode:
		conds = condNode.Content
	default:
		return nil, r.errAt(condNode.Line, condNode.Column, "condition must be a string or a list of strings")
	}
	for _, c := range conds {
		if c.Kind != yaml.ScalarNode {
			return nil, r.errAt(c.Line, c.Column, "condition must be a string")
		}
		root, err := parseCondition(c.Value)
		if err != nil {
			var ce *condError
			if errors.As(err, &ce) {
				col := c.Column
				if col0 := condCol(c); col0 > 0 {
					col = col0 + ce.pos
				}
				return nil, r.errAt(c.Line, col, "condition: %s", ce.msg)
			}
			return nil, r.errAt(c.Line, c.Column, "condition: %v", err)
		}
		if err := d.checkIdents(r, root, c, condCol(c)); err != nil {
			return nil, err
		}
		d.Conditions = append(d.Conditions, &Condition{Text: c.Value, Line: c.Line, Col: c.Column, Root: root})
	}
	return d, nil
}

// checkIdents reports identifiers and patterns that name nothing.
func (d *Detection) checkIdents(r *Rule, c cond, n *yaml.Node, col0 int) error {
	switch c := c.(type) {
	case *condIdent:
		if d.Idents[c.name] == nil {
			col := n.Column
			if col0 > 0 {
				col = col0 + c.pos
			}
			return r.errAt(n.Line, col, "condition names %q, which the detection does not define", c.name)
		}
	case *condOf:
		if len(d.match(c.pattern)) == 0 {
			return r.errAt(n.Line, n.Column, "condition: %q matches no search identifier", c.pattern)
		}
	case *condNot:
		return d.checkIdents(r, c.x, n, col0)
	case *condBin:
		for _, x := range c.xs {
			if err := d.checkIdents(r, x, n, col0); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *Rule) parseIdent(k, v *yaml.Node) (*Ident, error) {
	id := &Ident{Name: k.Value, Line: k.Line, Col: k.Column}
	switch v.Kind {
	case yaml.MappingNode:
		g, err := r.parseMap(v)
		if err != nil {
			return nil, err
		}
		id.Groups = [][]*Item{g}
	case yaml.SequenceNode:
		var kw *Item
		for _, c := range v.Content {
			switch c.Kind {
			case yaml.MappingNode:
				g, err := r.parseMap(c)
				if err != nil {
					return nil, err
				}
				id.Groups = append(id.Groups, g)
			case yaml.ScalarNode:
				if kw == nil {
					kw = &Item{Keywords: true, Line: c.Line, Col: c.Column}
					id.Groups = append(id.Groups, []*Item{kw})
				}
				kw.Values = append(kw.Values, scalarValue(c))
			default:
				return nil, r.errAt(c.Line, c.Column, "search identifier %s: a list element must be a mapping or a keyword", k.Value)
			}
		}
	case yaml.ScalarNode:
		it := &Item{Keywords: true, Line: v.Line, Col: v.Column, Values: []Value{scalarValue(v)}}
		id.Groups = [][]*Item{{it}}
	default:
		return nil, r.errAt(v.Line, v.Column, "search identifier %s must be a mapping, a list or a keyword", k.Value)
	}
	if len(id.Groups) == 0 {
		return nil, r.errAt(k.Line, k.Column, "search identifier %s is empty", k.Value)
	}
	return id, nil
}

func (r *Rule) parseMap(m *yaml.Node) ([]*Item, error) {
	var items []*Item
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		parts := strings.Split(k.Value, "|")
		it := &Item{Field: parts[0], Mods: parts[1:], Line: k.Line, Col: k.Column}
		if it.Field == "" {
			it.Keywords = true
		}
		switch v.Kind {
		case yaml.ScalarNode:
			it.Values = []Value{scalarValue(v)}
		case yaml.SequenceNode:
			for _, c := range v.Content {
				if c.Kind != yaml.ScalarNode {
					return nil, r.errAt(c.Line, c.Column, "%s: values must be scalars", k.Value)
				}
				it.Values = append(it.Values, scalarValue(c))
			}
			if len(it.Values) == 0 {
				return nil, r.errAt(v.Line, v.Column, "%s: empty value list", k.Value)
			}
		default:
			return nil, r.errAt(v.Line, v.Column, "%s: a value must be a scalar or a list of scalars", k.Value)
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return nil, r.errAt(m.Line, m.Column, "empty selection")
	}
	return items, nil
}

func scalarValue(n *yaml.Node) Value {
	v := Value{Text: n.Value, Line: n.Line, Col: n.Column}
	switch n.Tag {
	case "!!null":
		v.Kind = ValueNull
	case "!!bool":
		v.Kind = ValueBool
		v.Text = strings.ToLower(n.Value)
	case "!!int", "!!float":
		v.Kind = ValueNumber
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			v.Text = strconv.FormatInt(i, 10)
		}
	}
	return v
}

func (r *Rule) parseCorrelation(c *yaml.Node) (*Correlation, error) {
	if c.Kind != yaml.MappingNode {
		return nil, r.errAt(c.Line, c.Column, "correlation must be a mapping")
	}
	corr := &Correlation{Line: c.Line, Condition: map[string]float64{}, Aliases: map[string]map[string]string{}}
	list := func(n *yaml.Node) ([]string, error) {
		if n.Kind == yaml.ScalarNode {
			return []string{n.Value}, nil
		}
		if n.Kind != yaml.SequenceNode {
			return nil, r.errAt(n.Line, n.Column, "want a list")
		}
		var out []string
		for _, x := range n.Content {
			out = append(out, x.Value)
		}
		return out, nil
	}
	for i := 0; i+1 < len(c.Content); i += 2 {
		k, v := c.Content[i], c.Content[i+1]
		var err error
		switch k.Value {
		case "type":
			corr.Type = v.Value
		case "rules":
			corr.Rules, err = list(v)
		case "group-by":
			corr.GroupBy, err = list(v)
		case "timespan":
			corr.Timespan = v.Value
		case "generate":
			corr.Generate = v.Value == "true"
		case "condition":
			if v.Kind != yaml.MappingNode {
				return nil, r.errAt(v.Line, v.Column, "correlation condition must be a mapping such as {gte: 10}")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				ck, cv := v.Content[j], v.Content[j+1]
				if ck.Value == "field" {
					corr.Field = cv.Value
					continue
				}
				switch ck.Value {
				case "gt", "gte", "lt", "lte", "eq", "neq":
				default:
					return nil, r.errAt(ck.Line, ck.Column, "unknown correlation condition %q (want gt, gte, lt, lte, eq, neq, field)", ck.Value)
				}
				f, perr := strconv.ParseFloat(cv.Value, 64)
				if perr != nil {
					return nil, r.errAt(cv.Line, cv.Column, "correlation condition %s needs a number", ck.Value)
				}
				corr.Condition[ck.Value] = f
			}
		case "aliases":
			if v.Kind != yaml.MappingNode {
				return nil, r.errAt(v.Line, v.Column, "aliases must be a mapping")
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				alias, m := v.Content[j].Value, v.Content[j+1]
				corr.Aliases[alias] = map[string]string{}
				for x := 0; x+1 < len(m.Content); x += 2 {
					corr.Aliases[alias][m.Content[x].Value] = m.Content[x+1].Value
				}
			}
		default:
			return nil, r.errAt(k.Line, k.Column, "unknown correlation key %q", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	switch corr.Type {
	case "event_count", "value_count", "temporal", "temporal_ordered":
	case "":
		return nil, r.errAt(c.Line, c.Column, "correlation has no type")
	default:
		return nil, r.errAt(c.Line, c.Column, "correlation type %q is not supported (event_count, value_count, temporal, temporal_ordered)", corr.Type)
	}
	if len(corr.Rules) == 0 {
		return nil, r.errAt(c.Line, c.Column, "correlation names no rules")
	}
	if corr.Timespan == "" {
		return nil, r.errAt(c.Line, c.Column, "correlation has no timespan")
	}
	if _, err := timespanMillis(corr.Timespan); err != nil {
		return nil, r.errAt(c.Line, c.Column, "%v", err)
	}
	if (corr.Type == "event_count" || corr.Type == "value_count") && len(corr.Condition) == 0 {
		return nil, r.errAt(c.Line, c.Column, "%s correlation needs a condition such as {gte: 10}", corr.Type)
	}
	if corr.Type == "value_count" && corr.Field == "" {
		return nil, r.errAt(c.Line, c.Column, "value_count correlation needs condition.field")
	}
	return corr, nil
}

// timespanMillis reads a Sigma timespan: a number and one of s, m, h, d.
func timespanMillis(s string) (int64, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("timespan %q: want a number and s, m, h or d", s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q: want a positive number and s, m, h or d", s)
	}
	unit := map[byte]int64{'s': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("timespan %q: unit must be s, m, h or d", s)
	}
	return n * unit, nil
}

// condCol is the column of a condition string's first character, when the
// YAML scalar is on one line (plain or quoted); 0 otherwise.
func condCol(n *yaml.Node) int {
	switch n.Style {
	case 0:
		return n.Column
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		if !strings.ContainsAny(n.Value, "\n'\"") {
			return n.Column + 1
		}
	}
	return 0
}
