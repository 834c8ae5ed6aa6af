package enrich

import "strings"

// interner deduplicates strings kept in the tables (aids, image names, SIDs,
// repeated command lines) and copies them out of event arenas. It is bounded:
// when full it starts over, which only costs some duplication, never
// correctness. Not safe for concurrent use; callers hold their table's lock.
type interner struct {
	m     map[string]string
	limit int
}

const internLimit = 1 << 12 // per table shard: bounds the interner at a few MB

// fit lets the interner of a table holding entries entries grow to twice
// that: the strings they hold are live anyway, and an interner starting
// over every 4,096 strings re-copied a user directory's aids, SIDs and
// names again and again (246 k SIDs on 300 hosts: a fifth of learning).
func (in *interner) fit(entries int) {
	in.limit = max(internLimit, 2*entries)
}

func (in *interner) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m[s]; ok {
		return v
	}
	if in.m == nil || len(in.m) >= in.limitOrDefault() {
		in.m = make(map[string]string, 256)
	}
	v := strings.Clone(s)
	in.m[v] = v
	return v
}

func (in *interner) limitOrDefault() int {
	if in.limit > 0 {
		return in.limit
	}
	return internLimit
}
