package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/run"
)

// printRunLine is the last stderr line of search and hunt:
// "N rows from M events (X MB) in Ys".
func printRunLine(w io.Writer, rows int64, noun string, stats *run.Stats, elapsed time.Duration) {
	if stats == nil {
		return
	}
	fmt.Fprintf(w, "%s from %s (%s) in %.1fs\n", countNoun(rows, noun), countNoun(stats.Lines, "event"), humanBytes(stats.Bytes), elapsed.Seconds())
}

func countNoun(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// missingLookupWarnings says, once per run and in plain words, which
// enriched fields could not be filled because the input holds no host or
// user records at all, and how to provide them. Misses with some records
// present are normal (hosts that joined later) and stay behind --verbose.
func missingLookupWarnings(s enrich.Stats, host, user bool) []string {
	var out []string
	if host && s.HostMisses > 0 && s.LearnedHosts == 0 {
		out = append(out, fmt.Sprintf("no aidmaster host records in the input, so ComputerName and the other host fields are empty for %d events; "+
			"give FDR's aidmaster with --aidmaster PATH, or search the FDR tree root so fdrv2/aidmaster/ is read (--no-enrich silences this)", s.HostMisses))
	}
	if user && s.UserMisses > 0 && s.LearnedUsers == 0 {
		out = append(out, fmt.Sprintf("no userinfo or logon records in the input, so UserName is empty for %d events; "+
			"add FDR's userinfo (any path with a userinfo directory, e.g. fdrv2/userinfo/) to the PATHs", s.UserMisses))
	}
	return out
}
