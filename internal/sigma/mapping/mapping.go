// Package mapping holds the table that maps Sigma logsources and field names
// onto CrowdStrike Falcon telemetry: the embedded falcon.yaml, or a file
// given with --mapping. The Sigma importer reads it forwards, the exporter
// backwards.
package mapping

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed falcon.yaml
var falconYAML []byte

// DefaultName is how the embedded table is named in messages.
const DefaultName = "falcon.yaml (built in)"

// Mapping is the whole table.
type Mapping struct {
	Name       string            // file the table came from
	Platforms  map[string]string // Sigma product → event_platform value
	Common     map[string]*Field // fields every logsource knows
	Logsources []*Logsource
}

// Logsource maps one Sigma category (for some products) to Falcon events.
type Logsource struct {
	Category      string
	Products      []string
	MatchPlatform bool     // require event_platform for the rule's product
	Events        []string // #event_simpleName values; may be globs
	Derive        []string // CQL steps that compute Sigma fields before the filter
	Fields        map[string]*Field
	Line          int
}

// Field maps one Sigma field.
type Field struct {
	Sigma       string
	Field       string              // the Falcon field
	Basename    bool                // Falcon holds the file name only
	DevicePath  bool                // Falcon holds \Device\HarddiskVolumeN paths
	Contains    bool                // Falcon joins several values with ';'
	Values      map[string]string   // Sigma value (lower case) → Falcon value; nil: any
	EventTypes  map[string][]string // Sigma value (lower case) → event types picked
	IPv6Field   string              // field holding IPv6 addresses
	DWordField  string              // field holding DWORD registry data as a decimal number
	PathField   string              // with Basename: the full-path field for values naming a directory
	Hashes      map[string]string   // ALGO (upper case) → field, for Sysmon's ALGO=value strings
	Unsupported string              // why the field cannot be mapped
	Line        int
}

// Default returns the embedded Falcon table.
func Default() *Mapping {
	m, err := Parse(DefaultName, falconYAML)
	if err != nil {
		panic("embedded falcon.yaml: " + err.Error()) // pinned by a test
	}
	return m
}

// Load reads a mapping file.
func Load(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Lookup returns the logsource entry for a category and product, or nil.
// A rule that names no product means every product (Sigma spec): the
// category's entry, read without a platform condition.
func (m *Mapping) Lookup(category, product string) *Logsource {
	for _, ls := range m.Logsources {
		if ls.Category == category && (product == "" || slices.Contains(ls.Products, product)) {
			return ls
		}
	}
	return nil
}

// Categories lists "category/product" pairs the table covers, sorted.
func (m *Mapping) Categories() []string {
	var out []string
	for _, ls := range m.Logsources {
		for _, p := range ls.Products {
			out = append(out, ls.Category+"/"+p)
		}
	}
	sort.Strings(out)
	return out
}

// Field returns the mapping of a Sigma field in ls, falling back to the
// common table; nil when neither has it. Sigma field names are matched
// exactly first, then ignoring case.
func (m *Mapping) Field(ls *Logsource, name string) *Field {
	for _, tbl := range []map[string]*Field{ls.Fields, m.Common} {
		if f, ok := tbl[name]; ok {
			return f
		}
	}
	for _, tbl := range []map[string]*Field{ls.Fields, m.Common} {
		for k, f := range tbl {
			if strings.EqualFold(k, name) {
				return f
			}
		}
	}
	return nil
}

// Parse reads a mapping table; errors name name:line.
func Parse(name string, data []byte) (*Mapping, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty mapping file", name)
	}
	p := &parser{name: name}
	m := &Mapping{Name: name, Platforms: map[string]string{}, Common: map[string]*Field{}}
	root := doc.Content[0]
	p.mapping(root, func(key string, v *yaml.Node) {
		switch key {
		case "platforms":
			p.mapping(v, func(k string, pv *yaml.Node) { m.Platforms[k] = p.scalar(pv) })
		case "common":
			m.Common = p.fields(v)
		case "logsources":
			p.seq(v, func(n *yaml.Node) { m.Logsources = append(m.Logsources, p.logsource(n)) })
		default:
			p.errf(v, "unknown key %q (want platforms, common, logsources)", key)
		}
	})
	if p.err != nil {
		return nil, p.err
	}
	for _, ls := range m.Logsources {
		for _, pr := range ls.Products {
			if _, ok := m.Platforms[pr]; !ok && ls.MatchPlatform {
				return nil, fmt.Errorf("%s:%d: product %q has no entry under platforms", name, ls.Line, pr)
			}
		}
	}
	return m, nil
}

type parser struct {
	name string
	err  error
}

func (p *parser) errf(n *yaml.Node, format string, a ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s:%d:%d: %s", p.name, n.Line, n.Column, fmt.Sprintf(format, a...))
	}
}

func (p *parser) mapping(n *yaml.Node, each func(key string, v *yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.errf(n, "want a mapping")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		each(n.Content[i].Value, resolve(n.Content[i+1]))
	}
}

func (p *parser) seq(n *yaml.Node, each func(*yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "want a list")
		return
	}
	for _, c := range n.Content {
		each(resolve(c))
	}
}

func (p *parser) scalar(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "want a single value")
		return ""
	}
	return n.Value
}

func (p *parser) strs(n *yaml.Node) []string {
	var out []string
	p.seq(n, func(c *yaml.Node) { out = append(out, p.scalar(c)) })
	return out
}

func (p *parser) boolean(n *yaml.Node) bool {
	switch p.scalar(n) {
	case "true":
		return true
	case "false":
		return false
	}
	p.errf(n, "want true or false")
	return false
}

func (p *parser) logsource(n *yaml.Node) *Logsource {
	ls := &Logsource{Line: n.Line, Fields: map[string]*Field{}}
	p.mapping(n, func(key string, v *yaml.Node) {
		switch key {
		case "category":
			ls.Category = p.scalar(v)
		case "products":
			ls.Products = p.strs(v)
		case "match_platform":
			ls.MatchPlatform = p.boolean(v)
		case "events":
			ls.Events = p.strs(v)
		case "derive":
			ls.Derive = p.strs(v)
		case "fields":
			ls.Fields = p.fields(v)
		default:
			p.errf(v, "unknown logsource key %q (want category, products, match_platform, events, derive, fields)", key)
		}
	})
	if p.err == nil && (ls.Category == "" || len(ls.Products) == 0 || len(ls.Events) == 0) {
		p.errf(n, "a logsource needs category, products and events")
	}
	return ls
}

func (p *parser) fields(n *yaml.Node) map[string]*Field {
	out := map[string]*Field{}
	p.mapping(n, func(name string, v *yaml.Node) {
		f := &Field{Sigma: name, Line: v.Line}
		out[name] = f
		if v.Kind == yaml.ScalarNode {
			f.Field = v.Value
			return
		}
		p.mapping(v, func(key string, fv *yaml.Node) {
			switch key {
			case "field":
				f.Field = p.scalar(fv)
			case "basename":
				f.Basename = p.boolean(fv)
			case "device_path":
				f.DevicePath = p.boolean(fv)
			case "contains":
				f.Contains = p.boolean(fv)
			case "path_field":
				f.PathField = p.scalar(fv)
			case "dword_field":
				f.DWordField = p.scalar(fv)
			case "ipv6_field":
				f.IPv6Field = p.scalar(fv)
			case "unsupported":
				f.Unsupported = p.scalar(fv)
			case "values":
				f.Values = map[string]string{}
				p.mapping(fv, func(k string, vv *yaml.Node) { f.Values[strings.ToLower(k)] = p.scalar(vv) })
			case "hashes":
				f.Hashes = map[string]string{}
				p.mapping(fv, func(k string, vv *yaml.Node) { f.Hashes[strings.ToUpper(k)] = p.scalar(vv) })
			case "event_types":
				f.EventTypes = map[string][]string{}
				p.mapping(fv, func(k string, vv *yaml.Node) { f.EventTypes[strings.ToLower(k)] = p.strs(vv) })
			default:
				p.errf(fv, "unknown field key %q (want field, basename, device_path, contains, values, event_types, ipv6_field, dword_field, path_field, hashes, unsupported)", key)
			}
		})
		if f.Field == "" && f.Unsupported == "" && f.Hashes == nil {
			p.errf(v, "field %s needs `field`, `hashes` or `unsupported`", name)
		}
	})
	return out
}

// resolve follows YAML aliases (*anchor).
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
