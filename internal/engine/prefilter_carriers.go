package engine

// CarrierLiterals calls fn with literals of fields derived reports (or of
// free text, field "") such that a line the program accepts, though its
// raw prefilter (PrefilterRaw) rejects it, gets one of them from a value
// enrichment learned elsewhere: a process, host or user record. The
// runner lets a line through for the program when its process or host
// carries one (enrich.TextCarriers), so fewer literals let fewer lines
// through.
//
// Literals returns them all. Here an AND whose literals all read one
// derived field gives only those of its part a value is least likely to
// hold (LiteralLikelihood, as the dispatch picks its triggers): the
// field has one value, so when the raw text cannot vouch for the AND the
// value came from elsewhere, and holds every part. `ContextProcessName=
// /^python/i ContextProcessName=/\.exe/i` needs its process to carry
// "python"; with ".exe" too, the process of every Windows event carried
// it. Parts on different fields (or free text, which searches them all)
// may each come from the raw text or from elsewhere: all are given.
func (p *Program) CarrierLiterals(derived func(string) bool, fn func(field, text string)) {
	c := carrierCover(p.lits, derived)
	if c.whole {
		p.Literals(func(field, text string) {
			if field == "" || derived(field) {
				fn(field, text)
			}
		})
		return
	}
	for _, l := range c.lits {
		fn(l.field, l.plain)
	}
}

// cover is what carrierCover found of a literal tree: lits, one of which
// a value from elsewhere holds whenever the tree holds and its raw test
// does not; field, when every one reads that single derived field; whole
// when the tree holds a part it cannot reason about (all of its literals
// are then given).
type cover struct {
	lits  []*litExpr
	field string
	one   bool // all of lits read field
	whole bool
}

// carrierCover is not required (what every line a tree accepts holds):
// a part the raw text decides counts for nothing here, even under an OR,
// and an AND over several fields needs every part's literals.
func carrierCover(l *litExpr, derived func(string) bool) cover {
	switch l.op {
	case litTrue, litFalse:
		return cover{}
	case litText:
		if l.field != "" && !derived(l.field) {
			return cover{} // the raw text decides it
		}
		return cover{lits: []*litExpr{l}, field: l.field, one: l.field != ""}
	case litValue:
		if l.field != "" && !derived(l.field) {
			return cover{}
		}
		return cover{whole: true} // a number from elsewhere: not a literal
	case litAnd, litOr:
		var parts []cover
		for _, k := range l.kids {
			c := carrierCover(k, derived)
			if c.whole {
				return c
			}
			if len(c.lits) > 0 {
				parts = append(parts, c)
			}
		}
		if l.op == litAnd && len(parts) > 0 && sameField(parts) {
			best := parts[0]
			for _, c := range parts[1:] {
				if litsCost(c.lits) < litsCost(best.lits) {
					best = c
				}
			}
			return best
		}
		var out cover
		for i, c := range parts {
			out.lits = append(out.lits, c.lits...)
			if i == 0 {
				out.field, out.one = c.field, c.one
			} else if !c.one || c.field != out.field {
				out.one = false
			}
		}
		return out
	}
	return cover{whole: true} // litField: not in a program's tree
}

// sameField reports whether every part's literals read one field.
func sameField(parts []cover) bool {
	for _, c := range parts {
		if !c.one || c.field != parts[0].field {
			return false
		}
	}
	return true
}
