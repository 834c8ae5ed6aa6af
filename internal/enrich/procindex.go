package enrich

// The process index of a shard maps a process key to its slot. Go hashes
// and compares a struct key through generic code; a uint64 key takes the
// fast path, and the table is read on every context event. So keys are
// indexed by a 64-bit mix, the slot's own key confirms a hit, and the rare
// key whose mix collides with another's goes to a map of full keys.

func mixKey(k procKey) uint64 {
	// for one sensor a bijection of the pid: two keys collide only across
	// sensors
	return k.pid*0x9E3779B97F4A7C15 ^ uint64(k.aid)*0xC2B2AE3D27D4EB4F
}

// find returns k's slot.
func (s *procShard) find(k procKey) (int32, bool) {
	if i, ok := s.index[mixKey(k)]; ok && s.slot(i).key == k {
		return i, true
	}
	if len(s.overflow) > 0 {
		i, ok := s.overflow[k]
		return i, ok
	}
	return 0, false
}

// bind records that k lives in slot i, whose key is already k.
func (s *procShard) bind(k procKey, i int32) {
	h := mixKey(k)
	if j, ok := s.index[h]; ok && s.slot(j).key != k {
		if s.overflow == nil {
			s.overflow = map[procKey]int32{}
		}
		s.overflow[k] = i
		return
	}
	s.index[h] = i
}

// unbind forgets k, whose slot still holds it.
func (s *procShard) unbind(k procKey) {
	h := mixKey(k)
	if j, ok := s.index[h]; ok && s.slot(j).key == k {
		delete(s.index, h)
		return
	}
	delete(s.overflow, k)
}

// entries is the number of processes indexed.
func (s *procShard) entries() int { return len(s.index) + len(s.overflow) }

// each calls fn with every indexed process and its slot.
func (s *procShard) each(fn func(k procKey, i int32)) {
	for _, i := range s.index {
		fn(s.slot(i).key, i)
	}
	for k, i := range s.overflow {
		fn(k, i)
	}
}
