package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/saved"
)

func init() { register(newCheckCmd) }

func newCheckCmd(env *Env) *cobra.Command {
	var (
		asJSON  bool
		strict  bool
		file    string
		lookups string
		params  []string
		sv      savedFlag
	)
	cmd := &cobra.Command{
		Use:   "check [--json] [--strict] [--saved DIR] [--file F | QUERY | -]",
		Short: "Parse and check a query without running it",
		Long: "Parses a CQL query and checks it against the LogScale function catalog:\n" +
			"unknown functions and parameters, wrong argument types, aggregates where\n" +
			"they are not allowed, and functions the tiercel engine does not run yet.\n" +
			"With --saved DIR, $name() calls must name a saved search in DIR, and the\n" +
			"content of each one called is checked too. A query without errors is then\n" +
			"compiled as search and hunt compile it (regexes, globs, time formats,\n" +
			"arguments), so check-clean means runnable; lookup files are read and their\n" +
			"columns checked when --lookups DIR is given.\n" +
			"The query comes from --file, the argument, or standard input (\"-\").\n" +
			"Exit 0 when there is no error, 1 when there is, 2 on usage errors.",
		Example: checkExamples,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, src, err := readQueryArg(env.Stdin, file, args)
			if err != nil {
				return err
			}
			lib, err := sv.load()
			if err != nil {
				return err
			}
			values, err := parseParams(params)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			ds := checkAll(src, strict, lookups, values, lib)
			if asJSON {
				if err := writeCheckJSON(env.Stdout, src, ds); err != nil {
					return withCode(ExitError, err)
				}
			} else {
				writeCheckText(env.Stdout, env.Stderr, name, src, ds)
			}
			if ds.HasErrors() {
				return withCode(ExitError, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON on stdout")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat tiercel dialect extensions as errors")
	cmd.Flags().StringVar(&file, "file", "", "read the query from `F`")
	cmd.Flags().StringVar(&lookups, "lookups", "", "read match()/readFile() lookup files from `DIR` and check their columns")
	cmd.Flags().StringArrayVar(&params, "param", nil, "value of a query parameter ?NAME, as NAME=VALUE (repeatable)")
	sv.register(cmd.Flags())
	return cmd
}

// checkQuery parses and checks src; under strict, dialect warnings become
// errors. With saved searches (nil: not known), $name() calls are checked
// against them. Diagnostics come back in source order.
func checkQuery(src string, strict bool, lib *saved.Library) cql.Diagnostics {
	q, ds := cql.Parse(src)
	if strict {
		ds = cql.Strict(ds)
	}
	all := append(cql.Diagnostics{}, ds...)
	all = append(all, check.Check(q, check.Options{SavedSearches: lib})...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Span.Start < all[j].Span.Start })
	return all
}

// checkAll is everything `tiercel check` reports: the checker's findings,
// then, when they hold no error, what compiling as search would refuses.
func checkAll(src string, strict bool, lookups string, params map[string]string, lib *saved.Library) cql.Diagnostics {
	ds := checkQuery(src, strict, lib)
	if !ds.HasErrors() {
		ds = append(ds, compileCheck(src, lookups, params, lib)...)
	}
	return ds
}

// compileCheck compiles src through the engine, as search does, and
// returns what the engine rejects that the checker let through: invalid
// regexes and globs, time formats, lookup files and columns (with
// lookups), argument values. The engine stops at its first error, so the
// top-level step holding it is set aside and the rest compiled again, to
// report each failing step with its span. A ?param without a value is
// compiled with a placeholder; a $saved() call without --saved is not an
// error for check (design §3) and ends compilation silently.
func compileCheck(src, lookups string, params map[string]string, lib *saved.Library) cql.Diagnostics {
	q, ds := cql.Parse(src)
	if ds.HasErrors() || q == nil || q.Pipeline == nil {
		return nil
	}
	params = maps.Clone(params)
	if params == nil {
		params = map[string]string{}
	}
	pipe := *q.Pipeline
	var out cql.Diagnostics
	for range maxRecompiles {
		if len(pipe.Steps) == 0 {
			break
		}
		_, cds := engine.Compile(&cql.Query{Pipeline: &pipe}, engine.Options{LookupDir: lookups, NoLookupFiles: lookups == "", Params: params, SavedSearches: lib})
		if len(cds) == 0 {
			break
		}
		d := cds[0]
		if name, ok := missingParam(d); ok && params[name] == "" {
			// "0" reads as a number, a string, a glob and a regex.
			params[name] = "0"
			continue
		}
		if lib == nil && d.Code == "unsupported" && strings.HasPrefix(d.Message, "saved search $") {
			break
		}
		// Outside data (GeoIP, IOC, DNS) is given to search and hunt, not
		// to check: a function waiting for it is set aside, not an error.
		if d.Code != engine.CodeMissingData {
			out = append(out, d)
		}
		i := stepAt(pipe.Steps, d.Span)
		if i < 0 {
			break
		}
		pipe.Steps = slices.Delete(slices.Clone(pipe.Steps), i, i+1)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Span.Start < out[j].Span.Start })
	return out
}

// stepAt is the index of the step whose span holds sp, or -1.
func stepAt(steps []cql.Step, sp cql.Span) int {
	if sp.End <= sp.Start && sp.Start == 0 {
		return -1
	}
	for i, s := range steps {
		if ss := s.Span(); sp.Start >= ss.Start && sp.Start < max(ss.End, ss.Start+1) {
			return i
		}
	}
	return -1
}

// maxRecompiles bounds the compilations of one check (placeholders for
// ?params and steps set aside after an error).
const maxRecompiles = 64

// missingParam names the parameter of a missing-parameter diagnostic.
func missingParam(d *cql.Diagnostic) (string, bool) {
	if d.Code != "missing-parameter" {
		return "", false
	}
	rest, ok := strings.CutPrefix(d.Message, "query parameter ?")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, " has no value")
	return name, true
}

func writeCheckText(stdout, stderr io.Writer, name, src string, ds cql.Diagnostics) {
	errs, warns := 0, 0
	for _, d := range ds {
		fmt.Fprint(stderr, d.Render(name, src))
		if d.Severity == cql.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	if errs == 0 && warns == 0 {
		fmt.Fprintln(stdout, "ok")
		return
	}
	fmt.Fprintf(stdout, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// checkJSON is the --json document (design §3).
type checkJSON struct {
	OK          bool             `json:"ok"`
	Diagnostics []checkJSONEntry `json:"diagnostics"`
}

type checkJSONEntry struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	EndLine  int    `json:"endLine"`
	EndCol   int    `json:"endCol"`
	Hint     string `json:"hint,omitempty"`
}

func writeCheckJSON(w io.Writer, src string, ds cql.Diagnostics) error {
	out := checkJSON{OK: !ds.HasErrors(), Diagnostics: make([]checkJSONEntry, 0, len(ds))}
	for _, d := range ds {
		line, col := cql.LineCol(src, d.Span.Start)
		endLine, endCol := cql.LineCol(src, max(d.Span.End, d.Span.Start))
		out.Diagnostics = append(out.Diagnostics, checkJSONEntry{
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message,
			Line: line, Col: col, EndLine: endLine, EndCol: endCol, Hint: d.Hint,
		})
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}
