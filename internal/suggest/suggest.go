// Package suggest finds the name a user most likely meant, for "did you
// mean" hints across the checker, the function catalog and rule packages.
package suggest

import "strings"

// Closest returns the candidate nearest to word, or "" when none is within
// a third of the word's length (at least 1, at most 3): tight enough that
// a short unknown name does not pull in an unrelated one.
func Closest(word string, candidates []string) string {
	limit := min(max(len([]rune(word))/3, 1), 3)
	return Within(word, candidates, limit)
}

// Within returns the candidate nearest to word by case-insensitive
// Damerau-Levenshtein (optimal string alignment) distance, or "" when none
// is within limit. Among equally close candidates one with the same first
// letter wins (typos rarely hit the first letter), then the earlier one.
func Within(word string, candidates []string, limit int) string {
	w := []rune(strings.ToLower(word))
	best, bestDist, bestFirst := "", limit+1, false
	for _, c := range candidates {
		cr := []rune(strings.ToLower(c))
		d := distance(w, cr)
		if d > limit {
			continue
		}
		first := len(w) > 0 && len(cr) > 0 && w[0] == cr[0]
		if d < bestDist || d == bestDist && first && !bestFirst {
			best, bestDist, bestFirst = c, d, first
		}
	}
	return best
}

// distance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and adjacent transpositions each cost 1.
func distance(a, b []rune) int {
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
