package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/tiercel/tiercel/internal/parallel"
)

// RuleFile is the file that makes a directory a rule package.
const RuleFile = "rule.yaml"

// Load reads and validates the rule package in dir of fsys. Problems are
// returned as Errors, each naming file:line:col with a hint.
func Load(fsys fs.FS, dir string) (*Rule, error) {
	return load(fsys, dir, dir)
}

// LoadDir loads every rule package under dir: dir itself when it holds a
// rule.yaml, otherwise each of its subdirectories that does. It returns the
// rules that loaded and the problems of those that did not, so callers can
// choose to run the valid ones. origin is dir as shown in messages.
func LoadDir(fsys fs.FS, dir, origin string) ([]*Rule, error) {
	if _, err := fs.Stat(fsys, path.Join(dir, RuleFile)); err == nil {
		r, err := load(fsys, dir, origin)
		if err != nil {
			return nil, err
		}
		return []*Rule{r}, nil
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, Errors{{File: origin, Msg: "cannot read rules directory: " + unwrapPathErr(err),
			Hint: "pass a directory holding rule.yaml or rule directories"}}
	}
	type pkg struct {
		dir, origin string
		r           *Rule
		err         error
	}
	var pkgs []pkg
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, subOrigin := path.Join(dir, e.Name()), joinOrigin(origin, e.Name())
		if _, err := fs.Stat(fsys, path.Join(sub, RuleFile)); err != nil {
			continue // not a rule package (e.g. shared assets)
		}
		pkgs = append(pkgs, pkg{dir: sub, origin: subOrigin})
	}
	// loaded side by side (a thousand rules took a tenth of a second),
	// then taken in directory order
	parallel.Each(len(pkgs), 0, func(i int) {
		pkgs[i].r, pkgs[i].err = load(fsys, pkgs[i].dir, pkgs[i].origin)
	})
	var rules []*Rule
	var errs Errors
	ids := map[string]string{}
	for _, p := range pkgs {
		r, subOrigin := p.r, p.origin
		if p.err != nil {
			errs = append(errs, asErrors(p.err)...)
			continue
		}
		if prev, dup := ids[r.ID]; dup {
			errs = append(errs, &Error{File: joinOrigin(subOrigin, RuleFile), Line: 1, Col: 1,
				Msg:  fmt.Sprintf("rule id %q is also used by %s", r.ID, prev),
				Hint: "give each rule a unique id"})
			continue
		}
		ids[r.ID] = subOrigin
		rules = append(rules, r)
	}
	if len(rules) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{File: origin, Msg: "no rule packages found",
			Hint: "a rule package is a directory holding rule.yaml"})
	}
	return rules, errs.Err()
}

// LoadPath loads rule packages from a directory on disk.
func LoadPath(dir string) ([]*Rule, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, Errors{{File: dir, Msg: err.Error()}}
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		msg := "not a directory"
		if err != nil {
			msg = unwrapPathErr(err)
		}
		return nil, Errors{{File: dir, Msg: msg, Hint: "--rules takes a directory of rule packages"}}
	}
	return LoadDir(os.DirFS(abs), ".", dir)
}

// Merge returns base with every rule of over added, replacing base rules of
// the same id, sorted by id.
func Merge(base, over []*Rule) []*Rule {
	byID := map[string]*Rule{}
	for _, r := range base {
		byID[r.ID] = r
	}
	for _, r := range over {
		byID[r.ID] = r
	}
	out := make([]*Rule, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func load(fsys fs.FS, dir, origin string) (*Rule, error) {
	yamlName := joinOrigin(origin, RuleFile)
	data, err := fs.ReadFile(fsys, path.Join(dir, RuleFile))
	if err != nil {
		return nil, Errors{{File: yamlName, Msg: "cannot read: " + unwrapPathErr(err),
			Hint: "a rule package is a directory holding rule.yaml"}}
	}
	d := &yamlDecoder{file: yamlName}
	root := d.parse(data)
	if root == nil {
		return nil, d.errs.Err()
	}
	dr := d.decodeRule(root)
	r := dr.rule
	r.FS, r.Dir, r.Origin = fsys, dir, origin
	if r.Sigma != nil && r.Attack.Technique.ID == "" && r.Attack.Tactic.ID == "" {
		r.Attack = AttackFromTags(r.Sigma.Tags)
	}
	v := &validator{fsys: fsys, d: d, dr: dr}
	v.queryFile()
	v.tunings()
	v.crossRefs()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// validator checks what a rule.yaml refers to: files, query, tunings.
type validator struct {
	fsys fs.FS
	d    *yamlDecoder
	dr   *decodedRule
}

func (v *validator) origin(rel string) string { return joinOrigin(v.dr.rule.Origin, rel) }

// read returns a referenced file's text, or reports it missing at ref.
func (v *validator) read(ref fileRef, what string) (string, bool) {
	data, err := fs.ReadFile(v.fsys, path.Join(v.dr.rule.Dir, ref.path))
	if err != nil {
		node := ref.node
		if node == nil {
			node = &yaml.Node{Line: 1, Column: 1}
		}
		v.d.errorAt(node, fmt.Sprintf("create %s or fix the path (relative to the rule directory)", v.origin(ref.path)),
			"%s %q: %s", what, ref.path, unwrapPathErr(err))
		return "", false
	}
	return string(data), true
}

func (v *validator) queryFile() {
	r := v.dr.rule
	src, ok := v.read(v.dr.queryRef, "query file")
	if !ok {
		return
	}
	r.Query = src
	q, errs, warns := checkQuery(v.origin(v.dr.queryRef.path), src)
	v.d.errs = append(v.d.errs, errs...)
	r.Warnings = append(r.Warnings, warns...)
	if q == nil {
		return
	}
	if tableStep(q) == nil && len(r.Tunings) > 0 {
		v.d.errs = append(v.d.errs, &Error{File: v.origin(v.dr.queryRef.path), Line: 1, Col: 1,
			Msg:  "the query has no top-level table() step to splice tunings before",
			Hint: "end the query with table([...]) or remove the tunings"})
	}
	assigned := assignedBranches(q)
	for _, b := range r.Branches {
		if !slices.Contains(assigned, b.Name) {
			v.d.errorAt(v.dr.queryRef.node, "declare only the DetectionBranch values the query assigns",
				"branch %q is declared in rule.yaml but the query never assigns DetectionBranch := %q", b.Name, b.Name)
		}
	}
	if len(r.Branches) > 0 {
		for _, a := range assigned {
			if !slices.ContainsFunc(r.Branches, func(b Branch) bool { return b.Name == a }) {
				v.d.errorAt(v.dr.queryRef.node, fmt.Sprintf("add a `branches:` entry named %q", a),
					"the query assigns DetectionBranch := %q, which rule.yaml does not declare", a)
			}
		}
	}
}

func (v *validator) tunings() {
	r := v.dr.rule
	seen := map[string]bool{}
	for _, t := range r.Tunings {
		node := v.dr.tuningRef[t]
		if seen[t.Name] {
			v.d.errorAt(node, "give each tuning a unique name", "duplicate tuning %q", t.Name)
		}
		seen[t.Name] = true
		for _, b := range t.Branches {
			if !v.hasBranch(b) {
				v.d.errorAt(node, v.branchHint(b), "tuning %q names unknown branch %q", t.Name, b)
			}
		}
		for _, l := range t.Lookups {
			if _, err := fs.Stat(v.fsys, path.Join(r.Dir, "lookups", l)); err != nil {
				v.d.errorAt(v.dr.lookupRef[l], "ship an example under the rule's lookups/ directory",
					"lookup %q has no example file lookups/%s", l, l)
			}
		}
		switch {
		case t.Status == TuningReady && t.File == "":
			v.d.errorAt(node, "add `file: tunings/"+t.Name+".cql`", "tuning %q is ready but has no file", t.Name)
		case t.File != "":
			v.tuningFile(t, node)
		}
	}
}

func (v *validator) tuningFile(t *Tuning, node *yaml.Node) {
	src, ok := v.read(fileRef{path: t.File, node: node}, "tuning file")
	if !ok {
		return
	}
	t.CQL = src
	file := v.origin(t.File)
	q, errs, warns := checkQuery(file, src)
	v.d.errs = append(v.d.errs, errs...)
	v.dr.rule.Warnings = append(v.dr.rule.Warnings, warns...)
	if q == nil {
		return
	}
	used := lookupFiles(q)
	for _, u := range used {
		if !slices.Contains(t.Lookups, u) {
			v.d.errorAt(node, fmt.Sprintf("add %q to the tuning's lookups", u),
				"tuning %q reads lookup %q that it does not declare", t.Name, u)
		}
	}
	for _, l := range t.Lookups {
		if !slices.Contains(used, l) {
			v.d.errorAt(v.dr.lookupRef[l], "remove it, or use it in a match() call",
				"tuning %q declares lookup %q but its query never reads it", t.Name, l)
		}
	}
}

func (v *validator) crossRefs() {
	r := v.dr.rule
	i := 0
	for _, fp := range r.FalsePos {
		for _, name := range fp.Tunings {
			if r.Tuning(name) == nil {
				hint := fmt.Sprintf("known tunings: %v", r.TuningNames())
				if c := closest(name, r.TuningNames()); c != "" {
					hint = fmt.Sprintf("did you mean %q?", c)
				}
				v.d.errorAt(v.dr.fpRef[i], hint, "false positive refers to unknown tuning %q", name)
			}
			i++
		}
	}
	i = 0
	for _, a := range r.Testing.Attacks {
		for _, s := range a.Signals {
			if !v.hasBranch(s.Branch) {
				v.d.errorAt(v.dr.signalRef[i], v.branchHint(s.Branch), "signal names unknown branch %q", s.Branch)
			}
			i++
		}
	}
	for _, ref := range v.dr.testRefs {
		v.read(ref, "attack test file")
	}
	for _, ref := range v.dr.linkRefs {
		v.read(ref, "link file")
	}
}

func (v *validator) hasBranch(name string) bool {
	return slices.ContainsFunc(v.dr.rule.Branches, func(b Branch) bool { return b.Name == name })
}

func (v *validator) branchHint(name string) string {
	names := make([]string, len(v.dr.rule.Branches))
	for i, b := range v.dr.rule.Branches {
		names[i] = b.Name
	}
	if c := closest(name, names); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return fmt.Sprintf("declared branches: %v", names)
}

func joinOrigin(origin, rel string) string {
	if origin == "" || origin == "." {
		return rel
	}
	return filepath.ToSlash(filepath.Join(origin, rel))
}

func unwrapPathErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func asErrors(err error) Errors {
	var es Errors
	if errors.As(err, &es) {
		return es
	}
	return Errors{{Msg: err.Error()}}
}
