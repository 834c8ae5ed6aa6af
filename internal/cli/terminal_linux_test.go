package cli

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// screenLines is what a pty received, as lines without colour codes.
func screenLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimRight(ansi.ReplaceAllString(s, ""), "\n"), "\n")
}

// A bare `tiercel hunt` or `search QUERY` on a terminal is refused with a
// hint instead of waiting for Ctrl-D.
func TestTerminalStdinRefused(t *testing.T) {
	tty, _ := openPTY(t, 80)
	for _, args := range [][]string{{"hunt"}, {"search", "count()"}, {"search", "count()", "-"}, {"hunt", "-"}} {
		var out, errb bytes.Buffer
		code := Main(args, tty, &out, &errb)
		if code != ExitUsage || !strings.Contains(errb.String(), "standard input is a terminal") || !strings.Contains(errb.String(), "tiercel emulate |") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// On an 80-column terminal the hunt table fits, severities are coloured
// (not with NO_COLOR), the progress bar runs on stderr; --wide prints
// everything whole.
func TestHuntTableOnATerminal(t *testing.T) {
	fdr := t.TempDir() + "/fdr"
	emulateTo(t, "--fdr", fdr)
	run := func(t *testing.T, args ...string) (stdout, stderr string) {
		t.Helper()
		out, outText := openPTY(t, 80)
		errTTY, errText := openPTY(t, 80)
		if code := Main(append([]string{"hunt"}, append(args, fdr)...), strings.NewReader(""), out, errTTY); code != ExitOK {
			t.Fatalf("exit %d\n%s", code, errText())
		}
		return outText(), errText()
	}
	t.Run("fits and colours", func(t *testing.T) {
		t.Setenv("NO_COLOR", "")
		t.Setenv("COLUMNS", "")
		stdout, stderr := run(t)
		if !strings.Contains(stdout, "\x1b[33mmedium\x1b[0m") {
			t.Errorf("medium severity not coloured yellow:\n%q", stdout[:min(len(stdout), 400)])
		}
		lines := screenLines(stdout)
		if len(lines) < 3 {
			t.Fatalf("no table:\n%s", stdout)
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > 80 {
				t.Errorf("line of %d columns on an 80-column terminal: %q", n, l)
			}
		}
		if !strings.Contains(stdout, "…") {
			t.Error("no value was elided to fit 80 columns")
		}
		if !strings.Contains(stderr, "\r\x1b[K") {
			t.Errorf("no progress line was drawn and cleared on the terminal's stderr:\n%q", stderr)
		}
	})
	t.Run("NO_COLOR", func(t *testing.T) {
		t.Setenv("NO_COLOR", "1")
		stdout, stderr := run(t)
		if strings.Contains(stdout, "\x1b[3") || strings.Contains(stderr, "\x1b[3") {
			t.Errorf("colour despite NO_COLOR:\n%q", stdout[:min(len(stdout), 400)])
		}
	})
	t.Run("wide", func(t *testing.T) {
		stdout, _ := run(t, "--wide")
		widest := 0
		for _, l := range screenLines(stdout) {
			widest = max(widest, utf8.RuneCountInString(l))
		}
		if widest <= 80 || strings.Contains(stdout, "…") {
			t.Errorf("--wide: widest line %d columns, elided=%v", widest, strings.Contains(stdout, "…"))
		}
	})
}

// Not a terminal: no progress drawing, no colour, the 40-column cell cap.
func TestNoTerminalNoProgress(t *testing.T) {
	fdr := t.TempDir() + "/fdr"
	emulateTo(t, "--fdr", fdr)
	code, stdout, stderr := runTiercel(t, "", "hunt", fdr)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, "\x1b[") || strings.Contains(stderr, "\r") {
		t.Errorf("terminal escapes into a pipe:\n%q", stderr)
	}
}

// The seed query's eleven columns on an 80-column terminal: cards, every
// line within the width, no column squeezed to nothing.
func TestSearchTableOnATerminal(t *testing.T) {
	fdr := t.TempDir() + "/fdr"
	emulateTo(t, "--fdr", fdr)
	out, outText := openPTY(t, 80)
	var errb bytes.Buffer
	if code := Main([]string{"search", "--file", seedRuleDir + "/query.cql", fdr}, strings.NewReader(""), out, &errb); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	stdout := outText()
	lines := screenLines(stdout)
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "#event_simpleName  ComputerName") || !strings.Contains(stdout, "    DetectionBranch: ") {
		t.Fatalf("not cards:\n%s", stdout)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}
