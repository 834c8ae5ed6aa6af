package cli

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/rules"
)

// tuningLookupHint explains, for a rule that failed to compile with
// tunings on, which lookup files those tunings read, their columns (from
// the package's example files) and how to get the examples. "" when the
// tunings read no lookup files.
func tuningLookupHint(r *rules.Rule, tunings []string) string {
	var parts []string
	for _, t := range r.Tunings {
		if !slices.Contains(tunings, t.Name) {
			continue
		}
		for _, file := range t.Lookups {
			cols := "see the rule's lookups/"
			if data, err := fs.ReadFile(r.FS, path.Join(r.Dir, "lookups", file)); err == nil {
				header, _, _ := strings.Cut(string(data), "\n")
				cols = "columns " + strings.TrimSpace(header)
			}
			parts = append(parts, fmt.Sprintf("tuning %s reads %s (%s)", t.Name, file, cols))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + " from --lookups DIR; `tiercel lookups init DIR` writes the package's example files to edit"
}
