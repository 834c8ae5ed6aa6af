package sigma

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/parallel"
)

// Source is one Sigma file read from disk.
type Source struct {
	Path  string
	Data  []byte
	Rules []*Rule
}

// ReadPath reads a Sigma file, or every .yml/.yaml file under a directory
// (sorted by path). Files that do not parse are returned as errors; the
// others are kept.
func ReadPath(p string) ([]*Source, []error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, []error{err}
	}
	var files []string
	if !st.IsDir() {
		files = []string{p}
	} else {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, []error{err}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, []error{errors.New(p + ": no .yml or .yaml Sigma files")}
		}
	}
	// read and parsed side by side (the SigmaHQ repository's 2,000 files
	// took a fifth of a hunt's start), kept in path order
	read := make([]*Source, len(files))
	fail := make([]error, len(files))
	parallel.Each(len(files), 0, func(i int) {
		data, err := os.ReadFile(files[i])
		if err != nil {
			fail[i] = err
			return
		}
		rs, err := Parse(files[i], data)
		if err != nil {
			fail[i] = err
			return
		}
		read[i] = &Source{Path: files[i], Data: data, Rules: rs}
	})
	var out []*Source
	var errs []error
	for i := range files {
		if fail[i] != nil {
			errs = append(errs, fail[i])
		} else {
			out = append(out, read[i])
		}
	}
	return out, errs
}

// Converted is one query a Sigma set yields: a detection rule's, or a
// correlation's over the detection rules it names.
type Converted struct {
	ID         string // rule package id
	Rule       *Rule
	Source     *Source
	Query      *Query // nil for a correlation
	CQL        string // what runs: the filter plus table() or the aggregation
	EventTypes []string
	Warnings   []*Error // optional filters dropped from this rule (or a correlation's base rules)
}

// ConvertSet converts every rule of the sources. Rules a correlation names
// are not emitted on their own unless the correlation says generate: true.
// It returns what converted and one error per rule that did not.
func (c *Converter) ConvertSet(srcs []*Source) ([]*Converted, []error) {
	var out []*Converted
	var errs []error
	queries := map[*Rule]*Query{}
	qerrs := map[*Rule]error{}
	byRef := map[string]*Rule{}
	var order []*Rule
	src := map[*Rule]*Source{}
	doc := map[*Rule]int{}
	for _, s := range srcs {
		for i, r := range s.Rules {
			order = append(order, r)
			src[r], doc[r] = s, i
			if r.ID != "" {
				byRef[r.ID] = r
			}
			if r.Name != "" {
				byRef[r.Name] = r
			}
		}
	}
	filters := map[*Rule][]*Rule{}
	for _, r := range order {
		if r.Filter == nil {
			continue
		}
		for _, ref := range r.Filter.Rules {
			if b := byRef[ref]; b != nil && b.Detection != nil {
				filters[b] = append(filters[b], r)
			} else {
				errs = append(errs, r.errAt(r.Filter.Line, 1, "filter names rule %q, which is not a detection rule in the set", ref))
			}
		}
	}
	// converted side by side (a conversion reads the rule, its filters
	// and the mapping only), gathered in order
	converted := make([]*Query, len(order))
	failed := make([]error, len(order))
	parallel.Each(len(order), 0, func(i int) {
		if r := order[i]; r.Detection != nil {
			converted[i], failed[i] = c.ConvertFiltered(r, filters[r])
		}
	})
	for i, r := range order {
		switch {
		case r.Detection == nil:
		case failed[i] != nil:
			qerrs[r] = failed[i]
		default:
			queries[r] = converted[i]
		}
	}
	hidden := map[*Rule]bool{}
	for _, r := range order {
		if r.Correlation == nil {
			continue
		}
		for _, ref := range r.Correlation.Rules {
			if b := byRef[ref]; b != nil && !r.Correlation.Generate {
				hidden[b] = true
			}
		}
	}
	used := map[string]int{}
	for _, r := range order {
		id := RuleID(r, doc[r])
		// Two files of one name in different directories: number the later.
		if used[id]++; used[id] > 1 {
			id = fmt.Sprintf("%s~%d", id, used[id])
		}
		switch {
		case r.Filter != nil:
			continue
		case r.Correlation != nil:
			text, types, err := c.correlate(r, byRef, queries, qerrs)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			var warns []*Error
			authors := []string{}
			if r.Author != "" {
				authors = append(authors, r.Author)
			}
			for _, ref := range r.Correlation.Rules {
				if b := byRef[ref]; b != nil && queries[b] != nil {
					warns = append(warns, queries[b].Warnings...)
					if b.Author != "" && !slices.Contains(authors, b.Author) {
						authors = append(authors, b.Author)
					}
				}
			}
			// The alerts of a correlation come from its base rules too: name
			// every author (DRL 1.1).
			rc := *r
			rc.Author = strings.Join(authors, "; ")
			out = append(out, &Converted{ID: id, Rule: &rc, Source: src[r], CQL: text, EventTypes: types, Warnings: warns})
		case qerrs[r] != nil:
			if !hidden[r] {
				errs = append(errs, qerrs[r])
			}
		case !hidden[r]:
			q := queries[r]
			out = append(out, &Converted{ID: id, Rule: r, Source: src[r], Query: q, CQL: q.CQL(), EventTypes: q.EventTypes, Warnings: q.Warnings})
		}
	}
	return out, errs
}
