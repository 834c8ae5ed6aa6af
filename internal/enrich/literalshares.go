package enrich

import "math/bits"

// ProcessLiteralShares estimates, for each literal, the share of the
// learned processes one of whose details (name, image path, command line,
// parent name, user name: those TextCarriers looks in) holds it, ignoring
// case, from up to sample processes in memory taken evenly across the
// table's shards; and how many it looked at (nil, 0: none in memory). A
// hunt's second read groups its rules into carrier bits by these
// (run.learnedCarrierBits): by the length of their literals alone, a
// rule for certutil.exe shared a bit with rules for "\windows\system32\"
// and "svchost.exe", which nearly every process of some data holds.
func (e *Enricher) ProcessLiteralShares(lits []string, sample int) ([]float64, int) {
	t := e.procs
	if t == nil || len(lits) == 0 || sample <= 0 {
		return nil, 0
	}
	per := max(1, sample/len(t.shards))
	var details [][5]string
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		n := 0
		for _, ent := range s.index.ents {
			if n == per {
				break
			}
			if ent.slot != 0 {
				p := s.cols.info(ent.slot-1, &s.strs)
				details = append(details, [5]string{p.name, p.image, p.cmdline, p.parentName, p.userName})
				n++
			}
		}
		s.mu.RUnlock()
	}
	if len(details) == 0 {
		return nil, 0
	}
	shares := make([]float64, len(lits))
	groups := make([]uint64, 64)
	for j := range groups {
		groups[j] = 1 << j
	}
	var buf []byte
	// 64 literals at a time, each its own group: one scan of a value tells
	// which of them it holds
	for from := 0; from < len(lits); from += 64 {
		batch := lits[from:min(from+64, len(lits))]
		folded := foldLiteralGroups(batch, groups[:len(batch)])
		var counts [64]int
		for _, d := range details {
			var held uint64
			for _, v := range d {
				if v != "" {
					var g uint64
					g, buf = folded.held(v, buf)
					held |= g
				}
			}
			for ; held != 0; held &= held - 1 {
				counts[bits.TrailingZeros64(held)]++
			}
		}
		for j := range batch {
			shares[from+j] = float64(counts[j]) / float64(len(details))
		}
	}
	return shares, len(details)
}
