package enrich

import "strings"

// MayAddText reports whether a value Apply may add from what was learned
// (aidmaster columns, process details, user names, well-known accounts)
// contains one of lits, ignoring case. A runner that filtered lines by
// free-text literals before learning finished uses it to tell whether
// enrichment could have made a rejected line match. Values derived from the
// event itself (FileName, FilePath, the ContextBaseFileName fallback) are
// substrings of its raw line and are not considered.
func (e *Enricher) MayAddText(lits []string) bool {
	if len(lits) == 0 {
		return false
	}
	lower := make([]string, len(lits))
	for i, l := range lits {
		lower[i] = foldText(l)
	}
	seen := map[string]bool{}
	hit := func(v string) bool {
		if v == "" || seen[v] {
			return false
		}
		seen[v] = true
		lv := foldText(v)
		for _, l := range lower {
			if strings.Contains(lv, l) {
				return true
			}
		}
		return false
	}
	for _, v := range wellKnownSids {
		if hit(v) {
			return true
		}
	}
	e.hosts.mu.RLock()
	for _, rec := range e.hosts.m {
		for _, v := range rec.vals {
			if hit(v) {
				e.hosts.mu.RUnlock()
				return true
			}
		}
	}
	e.hosts.mu.RUnlock()
	if e.users.anyName(hit) {
		return true
	}
	for i := range e.procs.shards {
		s := &e.procs.shards[i]
		s.mu.RLock()
		for _, j := range s.index {
			p := &s.slots[j].info
			if hit(p.name) || hit(p.cmdline) || hit(p.parentName) || hit(p.userName) {
				s.mu.RUnlock()
				return true
			}
		}
		s.mu.RUnlock()
	}
	return false
}

// foldText lower-cases s, LONG S included (KELVIN SIGN lowers to k).
func foldText(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "\u017f", "s")
}

// anyName reports whether fn holds for a user name known.
func (d *userDir) anyName(fn func(string) bool) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, s := range d.bySid {
		if fn(s.name) {
			return true
		}
	}
	for _, m := range []map[hostKey]stamped{d.byHSid, d.byAuth, d.byUID} {
		for _, s := range m {
			if fn(s.name) {
				return true
			}
		}
	}
	return false
}
