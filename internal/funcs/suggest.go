package funcs

import "strings"

// Suggest returns the catalog name closest to name, for a "did you mean"
// hint, or "" when nothing is close enough.
func Suggest(name string) string {
	build()
	names := make([]string, len(sorted))
	for i, s := range sorted {
		names[i] = s.Name
	}
	return Closest(name, names)
}

// Closest returns the candidate nearest to word by case-insensitive
// Damerau-Levenshtein distance, or "" when none is within the threshold
// (a third of the word's length, at least 1, at most 3). Among equally
// close candidates one with the same first letter wins (typos rarely hit
// the first letter), then the earlier one.
func Closest(word string, candidates []string) string {
	w := []rune(strings.ToLower(word))
	limit := min(max(len(w)/3, 1), 3)
	best, bestDist, bestFirst := "", limit+1, false
	for _, c := range candidates {
		cr := []rune(strings.ToLower(c))
		d := editDistance(w, cr)
		first := len(w) > 0 && len(cr) > 0 && w[0] == cr[0]
		if d < bestDist || d == bestDist && first && !bestFirst {
			best, bestDist, bestFirst = c, d, first
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and adjacent transpositions each cost 1.
func editDistance(a, b []rune) int {
	// Three rolling rows: two back (for transpositions), previous, current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
