package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/saved"
)

// savedFrame is a saved search being compiled inline: the values its
// ?params take from the call's arguments. Frames chain to their caller for
// cycle detection. The frame travels in Options so that sub-query
// compilers (which copy the options) see the same bindings.
type savedFrame struct {
	search *saved.Search
	call   *cql.SavedQueryStep
	args   map[string]string
	used   map[string]bool // arguments some ?param read
	seen   map[string]bool // every ?param the search asked for
	// missing is a ?param of this search that had no value: with an unused
	// argument, a misspelt argument name is the likely cause
	missing string
	parent  *savedFrame
	depth   int
}

// stack lists the searches being expanded, outermost first.
func (f *savedFrame) stack() []*saved.Search {
	var out []*saved.Search
	for ; f != nil; f = f.parent {
		out = append(out, f.search)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// eachStep calls fn for every step, replacing a saved search call by the
// steps of the saved search, so its filters, functions and aggregates land
// in the caller's pipeline exactly as if they had been written there.
func (c *compiler) eachStep(steps []cql.Step, fn func(cql.Step) error) error {
	for _, s := range steps {
		var err error
		if sq, ok := s.(*cql.SavedQueryStep); ok {
			err = c.inlineSaved(sq, fn)
		} else {
			err = fn(s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) inlineSaved(call *cql.SavedQueryStep, fn func(cql.Step) error) error {
	lib := c.opts.SavedSearches
	if lib == nil {
		err := c.errAt(call.Sp, "unsupported", "saved search $%s is not available: no saved searches were given", call.Name)
		err.(*diagError).d.Hint = "give a directory of saved searches with --saved DIR (see docs/saved-searches.md)"
		return err
	}
	s, ok := lib.Lookup(call.Name)
	if !ok {
		err := c.errAt(call.Sp, "unknown-saved-search", "unknown saved search %q", call.Name)
		if best := lib.Closest(call.Name); best != "" {
			err.(*diagError).d.Hint = fmt.Sprintf("did you mean %q?", best)
		}
		return err
	}
	outer := c.opts.saved
	if chain := saved.Cycle(outer.stack(), s); chain != "" {
		return c.errAt(call.Sp, "saved-search-cycle", "saved search %q calls itself: %s", s.Name, chain)
	}
	depth := 1
	if outer != nil {
		depth = outer.depth + 1
	}
	if depth > saved.MaxDepth {
		return c.errAt(call.Sp, "saved-search-depth", "saved searches nest more than %d deep at %q", saved.MaxDepth, s.Name)
	}
	if !c.opts.g.expanded.Spend(s) {
		return c.errAt(call.Sp, "saved-search-size", "saved searches expand to more than %d MiB of query text at %q (they call each other too many times)", saved.MaxExpansion>>20, s.Name)
	}
	args, err := c.savedArgs(call)
	if err != nil {
		return err
	}
	q, perr := s.Parse(call.Sp)
	if perr != nil {
		return &diagError{perr}
	}
	frame := &savedFrame{search: s, call: call, args: args, used: map[string]bool{}, seen: map[string]bool{},
		parent: outer, depth: depth}
	var steps []cql.Step
	if q != nil && q.Pipeline != nil {
		steps = q.Pipeline.Steps
	}
	c.opts.saved = frame
	err = c.eachStep(steps, fn)
	c.opts.saved = outer
	if err != nil {
		if frame.missing != "" {
			if uerr := c.unusedSavedArgs(frame); uerr != nil {
				return uerr
			}
		}
		return relocate(err, s, call.Sp)
	}
	return c.unusedSavedArgs(frame)
}

// relocate moves an error found inside saved search s to its call site.
func relocate(err error, s *saved.Search, at cql.Span) error {
	if de, ok := err.(*diagError); ok {
		return &diagError{s.Relocate(de.d, at)}
	}
	return &diagError{&cql.Diagnostic{Span: at, Severity: cql.SeverityError, Code: "compile",
		Message: fmt.Sprintf("in saved search %q (%s): %v", s.Name, s.File, err)}}
}

// savedArgs evaluates a call's arguments to the text its ?params take.
// A ?param in an argument is the caller's parameter, resolved here.
func (c *compiler) savedArgs(call *cql.SavedQueryStep) (map[string]string, error) {
	out := make(map[string]string, len(call.Args))
	for _, a := range call.Args {
		if a == nil || a.Value == nil {
			continue
		}
		if a.Name == "" {
			err := c.errAt(a.Span(), "invalid-argument", "arguments of $%s must be named", call.Name)
			err.(*diagError).d.Hint = "write $name(param=value); each argument sets the saved search's ?param"
			return nil, err
		}
		if _, dup := out[a.Name]; dup {
			return nil, c.errAt(a.NameSp, "duplicate-parameter", "argument %s is given twice", a.Name)
		}
		v, err := c.savedArgText(a)
		if err != nil {
			return nil, err
		}
		out[a.Name] = v
	}
	return out, nil
}

func (c *compiler) savedArgText(a *cql.Arg) (string, error) {
	e := cql.Unparen(a.Value)
	if s, ok := cql.LiteralText(e); ok {
		return s, nil
	}
	switch v := e.(type) {
	case *cql.ParamExpr:
		return c.param(v.Param)
	case *cql.UnaryExpr:
		if n, ok := v.X.(*cql.NumberLit); ok && v.Op == "-" {
			return "-" + n.Text, nil
		}
	}
	return "", c.errAt(a.Value.Span(), "invalid-argument",
		"argument %s must be a plain value (a word, string, number or ?param)", a.Name)
}

// unusedSavedArgs reports an argument that no ?param of the search reads:
// most likely a misspelt parameter name, which would otherwise silently
// leave the search on its default.
func (c *compiler) unusedSavedArgs(f *savedFrame) error {
	for _, a := range f.call.Args {
		if a == nil || a.Name == "" || f.used[a.Name] {
			continue
		}
		err := c.errAt(a.NameSp, "unknown-parameter", "saved search %q has no parameter ?%s", f.search.Name, a.Name)
		params := make([]string, 0, len(f.seen))
		for p := range f.seen {
			params = append(params, "?"+p)
		}
		sort.Strings(params)
		if f.missing != "" && len(f.args) == 1 {
			err.(*diagError).d.Hint = fmt.Sprintf("did you mean %q?", f.missing)
		} else if len(params) == 0 {
			err.(*diagError).d.Hint = "it takes no parameters"
		} else {
			err.(*diagError).d.Hint = "its parameters: " + strings.Join(params, ", ")
		}
		return err
	}
	return nil
}

// savedParam resolves ?name from the arguments of the saved search being
// compiled, if any.
func (c *compiler) savedParam(name string) (string, bool) {
	f := c.opts.saved
	if f == nil {
		return "", false
	}
	f.seen[name] = true
	v, ok := f.args[name]
	if ok {
		f.used[name] = true
	}
	return v, ok
}

// quoteSavedName writes the name as the call did, for hints.
func quoteSavedName(call *cql.SavedQueryStep) string {
	if call.Quoted {
		return fmt.Sprintf("%q", call.Name)
	}
	return call.Name
}
