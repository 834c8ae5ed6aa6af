package rules

import (
	"fmt"
	"golang.org/x/tools/txtar"
	"path"
	"slices"
	"strings"
)

// Sections and header keys of a rule test (a txtar archive).
const (
	testInputFile   = "input.ndjson"
	testWantFile    = "want"
	testLookupsDir  = "lookups/"
	testErrorPrefix = "error: "
)

// TestCase is one rule test: input events, the tunings to switch on, the
// lookup files those tunings read, and the expected alerts. The file is a
// txtar archive:
//
//	# free description
//	tunings: soc-analyst-hosts, scanner-hosts
//	lookups: ../lookups          (a directory, relative to the test file)
//	-- input.ndjson --
//	{"event_simpleName":"DnsRequest","id":"e1",...}
//	-- lookups/soc_analyst_hosts.csv --
//	ComputerName
//	SOC-WS-01
//	-- want --
//	e1 IPIntelDNSLookup
//
// Each want line is `<event id> <DetectionBranch>`, sorted; or one line
// `error: <text>` when the run must fail with a message containing text.
type TestCase struct {
	File        string            // path inside the rule's fs
	Name        string            // as shown to the user
	Description string            // the comment lines without "# "
	Tunings     []string          // tunings to switch on
	LookupsRef  string            // directory of lookup files, relative to File
	Input       []byte            // NDJSON events
	InputLine   int               // line of the first input line in File
	Lookups     map[string][]byte // inline lookup files by name
	Want        []string

	archive *txtar.Archive
}

// ParseTestCase reads a test archive. name is how the file is shown.
func ParseTestCase(file, name string, data []byte) (*TestCase, error) {
	ar := txtar.Parse(data)
	tc := &TestCase{File: file, Name: name, Lookups: map[string][]byte{}, archive: ar}
	for i, line := range strings.Split(string(ar.Comment), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
		case strings.HasPrefix(t, "#"):
			tc.Description += strings.TrimSpace(strings.TrimPrefix(t, "#")) + "\n"
		default:
			key, val, ok := strings.Cut(t, ":")
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			switch {
			case ok && key == "tunings":
				for _, n := range strings.Split(val, ",") {
					if n = strings.TrimSpace(n); n != "" {
						tc.Tunings = append(tc.Tunings, n)
					}
				}
			case ok && key == "lookups":
				tc.LookupsRef = val
			default:
				hint := "header lines are `# comment`, `tunings: a, b` or `lookups: DIR`"
				if c := closest(key, []string{"tunings", "lookups"}); c != "" && ok {
					hint = fmt.Sprintf("did you mean %q?", c)
				}
				return nil, &Error{File: name, Line: i + 1, Col: 1, Msg: fmt.Sprintf("unknown header line %q", t), Hint: hint}
			}
		}
	}
	line := strings.Count(string(ar.Comment), "\n") + 1
	haveInput, haveWant := false, false
	for _, f := range ar.Files {
		line++ // the -- name -- marker
		switch {
		case f.Name == testInputFile:
			tc.Input, tc.InputLine, haveInput = f.Data, line, true
		case f.Name == testWantFile:
			haveWant = true
			for _, w := range strings.Split(string(f.Data), "\n") {
				if w = strings.TrimSpace(w); w != "" {
					tc.Want = append(tc.Want, w)
				}
			}
		case strings.HasPrefix(f.Name, testLookupsDir) && path.Base(f.Name) != "":
			tc.Lookups[strings.TrimPrefix(f.Name, testLookupsDir)] = f.Data
		default:
			return nil, &Error{File: name, Line: line - 1, Col: 1, Msg: fmt.Sprintf("unknown section %q", f.Name),
				Hint: "sections are input.ndjson, want and lookups/FILE"}
		}
		line += strings.Count(string(f.Data), "\n")
	}
	if !haveInput {
		return nil, &Error{File: name, Line: 1, Col: 1, Msg: "no input.ndjson section", Hint: "add `-- input.ndjson --` followed by events"}
	}
	if !haveWant {
		return nil, &Error{File: name, Line: 1, Col: 1, Msg: "no want section", Hint: "add `-- want --` (run with -update to fill it)"}
	}
	return tc, nil
}

// WantError is the expected error text, when the case expects a failure.
func (tc *TestCase) WantError() (string, bool) {
	if len(tc.Want) == 1 && strings.HasPrefix(tc.Want[0], testErrorPrefix) {
		return strings.TrimPrefix(tc.Want[0], testErrorPrefix), true
	}
	return "", false
}

// Updated returns the archive with its want section replaced by got.
func (tc *TestCase) Updated(got []string) []byte {
	ar := &txtar.Archive{Comment: tc.archive.Comment}
	body := strings.Join(got, "\n")
	if body != "" {
		body += "\n"
	}
	replaced := false
	for _, f := range tc.archive.Files {
		if f.Name == testWantFile {
			f.Data = []byte(body)
			replaced = true
		}
		ar.Files = append(ar.Files, f)
	}
	if !replaced {
		ar.Files = append(ar.Files, txtar.File{Name: testWantFile, Data: []byte(body)})
	}
	return txtar.Format(ar)
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
