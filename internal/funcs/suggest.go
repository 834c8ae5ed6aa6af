package funcs

import "github.com/tiercel/tiercel/internal/suggest"

// Suggest returns the catalog name closest to name, for a "did you mean"
// hint, or "" when nothing is close enough.
func Suggest(name string) string {
	build()
	names := make([]string, len(sorted))
	for i, s := range sorted {
		names[i] = s.Name
	}
	return suggest.Closest(name, names)
}
