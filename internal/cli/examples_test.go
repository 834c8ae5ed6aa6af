package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every tiercel command line in README.md and in the --help examples runs
// as written, on emulated data in a scratch directory, with the exit code
// it promises: 3 for --fail-on-alert over data with attacks, else 0.
func TestExamplesRunAsWritten(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []example
	for _, l := range readmeCommands(string(readme)) {
		lines = append(lines, example{"README.md", l})
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, l := range strings.Split(c.Example, "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "tiercel ") {
				lines = append(lines, example{c.CommandPath() + " --help", l})
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}))
	if len(lines) < 30 {
		t.Fatalf("only %d example commands found", len(lines))
	}
	// Every command shows two or three examples.
	var count func(c *cobra.Command)
	count = func(c *cobra.Command) {
		n := 0
		for _, l := range strings.Split(c.Example, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "tiercel ") {
				n++
			}
		}
		if n < 2 || n > 3 {
			t.Errorf("%s --help has %d examples, want 2 or 3", c.CommandPath(), n)
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				count(sub)
			}
		}
	}
	count(newRoot(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}))

	query, err := os.ReadFile(filepath.Join(seedRuleDir, "query.cql"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	emulateTo(t, "--fdr", "fdr")
	writeTemp(t, dir, "events.ndjson", emulateTo(t))
	writeTemp(t, dir, "my-detection.cql", string(query))
	if err := os.Mkdir(filepath.Join(dir, "sigma"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTemp(t, dir, "sigma/proc_creation_win_whoami.yml", sigmaRule) // import sigma's examples
	if code, _, stderr := runTiercel(t, "", "lookups", "init", "lookups"); code != ExitOK {
		t.Fatalf("lookups init: %s", stderr)
	}

	seen := map[string]bool{}
	for _, ex := range lines {
		if seen[ex.line] {
			continue
		}
		seen[ex.line] = true
		t.Run(ex.line, func(t *testing.T) {
			want := ExitOK
			if strings.Contains(ex.line, "--fail-on-alert") {
				want = ExitAlert
			}
			code, out, errText := runPipeline(t, ex.line)
			if code != want {
				t.Errorf("%s: %s\nexit %d, want %d\nstdout: %.500s\nstderr: %.2000s", ex.from, ex.line, code, want, out, errText)
			}
		})
	}
}

type example struct{ from, line string }

// readmeCommands returns the tiercel command lines of README's sh blocks,
// comments stripped.
func readmeCommands(md string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(l, "```sh"):
			in = true
		case strings.HasPrefix(l, "```"):
			in = false
		case in:
			l = stripComment(l)
			if strings.HasPrefix(l, "tiercel ") {
				out = append(out, l)
			}
		}
	}
	return out
}

// stripComment drops a shell comment (a # after a space, outside quotes).
func stripComment(l string) string {
	var quote rune
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || l[i-1] == ' '):
			return strings.TrimSpace(l[:i])
		}
	}
	return strings.TrimSpace(l)
}

// runPipeline runs "tiercel ... | tiercel ... > file" through Main: words
// split as a POSIX shell does for quotes and backslashes, each stage's
// stdout the next one's stdin. The exit code is the last stage's.
func runPipeline(t *testing.T, line string) (code int, stdout, stderr string) {
	t.Helper()
	stages, redirect, err := shellSplit(line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var in io.Reader = strings.NewReader("")
	var out, errb bytes.Buffer
	for _, args := range stages {
		if len(args) == 0 || args[0] != "tiercel" {
			t.Fatalf("%s: a stage is not a tiercel command: %q", line, args)
		}
		out.Reset()
		code = Main(args[1:], in, &out, &errb)
		in = bytes.NewReader(bytes.Clone(out.Bytes()))
	}
	if redirect != "" {
		if err := os.WriteFile(redirect, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return code, out.String(), errb.String()
}

// shellSplit splits a command line into pipeline stages of words and an
// output redirection target.
func shellSplit(line string) (stages [][]string, redirect string, err error) {
	var words []string
	var cur strings.Builder
	inWord, redirectNext := false, false
	flush := func() {
		if !inWord {
			return
		}
		w := cur.String()
		cur.Reset()
		inWord = false
		if redirectNext {
			redirect, redirectNext = w, false
			return
		}
		words = append(words, w)
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated '")
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord, i = true, i+1+j
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, "", fmt.Errorf("unterminated \"")
			}
			inWord = true
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1])
			inWord, i = true, i+1
		case c == ' ' || c == '\t':
			flush()
		case c == '|':
			flush()
			stages = append(stages, words)
			words = nil
		case c == '>':
			flush()
			redirectNext = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return append(stages, words), redirect, nil
}

func TestShellSplit(t *testing.T) {
	stages, redirect, err := shellSplit(`tiercel search 'a=/x\.y/ | b' "c \"d\"" e\ f | tiercel x > out.txt`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"tiercel", "search", `a=/x\.y/ | b`, `c "d"`, "e f"}, {"tiercel", "x"}}
	if fmt.Sprint(stages) != fmt.Sprint(want) || redirect != "out.txt" {
		t.Errorf("got %q > %q", stages, redirect)
	}
}
