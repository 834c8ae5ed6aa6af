package event

import (
	"slices"
	"sort"
)

// Needs says which fields a consumer (a compiled query, a rule set, an
// enricher) reads, so decoders can skip everything else.
type Needs struct {
	All    bool     // every field (e.g. free text over fields, table(*), output of whole events)
	Raw    bool     // @rawstring is needed
	Fields []string // exact field names (flattened, e.g. "a.b", "arr[0]"); sorted, unique
	// Prefixes are flattened-name prefixes whose fields are all needed
	// (e.g. "Attacks[" for an array, "src." for an object).
	Prefixes []string
}

// Clone returns a copy of n sharing no slice with it.
func (n Needs) Clone() Needs {
	n.Fields = slices.Clone(n.Fields)
	n.Prefixes = slices.Clone(n.Prefixes)
	return n
}

// Add records one needed field name.
func (n *Needs) Add(name string) {
	switch name {
	case RawString:
		n.Raw = true
		return
	case "":
		return
	}
	i := sort.SearchStrings(n.Fields, name)
	if i < len(n.Fields) && n.Fields[i] == name {
		return
	}
	n.Fields = append(n.Fields, "")
	copy(n.Fields[i+1:], n.Fields[i:])
	n.Fields[i] = name
}

// AddPrefix records that every field starting with p is needed.
func (n *Needs) AddPrefix(p string) {
	for _, q := range n.Prefixes {
		if q == p {
			return
		}
	}
	n.Prefixes = append(n.Prefixes, p)
}

// Merge adds everything o needs.
func (n *Needs) Merge(o Needs) {
	n.All = n.All || o.All
	n.Raw = n.Raw || o.Raw
	for _, f := range o.Fields {
		n.Add(f)
	}
	for _, p := range o.Prefixes {
		n.AddPrefix(p)
	}
}

// Wants reports whether a flattened field name is needed.
func (n *Needs) Wants(name string) bool {
	if n.All {
		return true
	}
	i := sort.SearchStrings(n.Fields, name)
	if i < len(n.Fields) && n.Fields[i] == name {
		return true
	}
	for _, p := range n.Prefixes {
		if len(name) >= len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}
