package engine

// NameMemo remembers a value computed from an event name (the programs a
// hunt tests on it, whether it teaches enrichment). It is asked on every
// line, so a small direct-mapped table of recent names answers before the
// map, which would hash the whole name each time: a few dozen event names
// make up nearly all lines. Not safe for concurrent use.
type NameMemo[V any] struct {
	byName map[string]*memoEntry[V]
	recent [recentNames]*memoEntry[V]
}

type memoEntry[V any] struct {
	name string
	v    V
}

const (
	// recentNames: with 64, three of sparse data's most frequent names
	// shared a pair, and a sixth of its lines went to the map
	recentNames  = 256  // a power of two
	maxMemoNames = 4096 // names remembered in all; others are computed each time
)

// recentSlot picks a name's entry in recent.
func recentSlot(name []byte) int { return nameHash(name) & (recentNames - 1) }

// nameHash mixes bytes the names of Falcon events differ in; name is not
// empty.
func nameHash(name []byte) int {
	n := len(name)
	return n*31 ^ int(name[0])*7 ^ int(name[n-1])*3 ^ int(name[n/2])
}

// Get returns the value remembered for name, computing it first when
// there is none. A name is looked for in two neighbouring entries of
// recent, the last found first: two frequent names that pick the same
// entry then share the pair instead of sending each other to the map.
func (m *NameMemo[V]) Get(name []byte, compute func() V) V {
	var slot **memoEntry[V]
	if len(name) > 0 {
		i := recentSlot(name)
		slot = &m.recent[i]
		if e := *slot; e != nil && e.name == string(name) {
			return e.v
		}
		if e := m.recent[i^1]; e != nil && e.name == string(name) {
			m.recent[i^1], *slot = *slot, e
			return e.v
		}
		m.recent[i^1] = *slot // the entry found before moves aside
	}
	e, ok := m.byName[string(name)]
	if !ok {
		e = &memoEntry[V]{name: string(name), v: compute()}
		if len(m.byName) >= maxMemoNames {
			return e.v
		}
		if m.byName == nil {
			m.byName = map[string]*memoEntry[V]{}
		}
		m.byName[e.name] = e
	}
	if slot != nil {
		*slot = e
	}
	return e.v
}
