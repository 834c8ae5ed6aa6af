package run

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/engine"
)

// carrierBits gives each program its bit in the masks of programs a
// learned value may carry a literal to (engine.Dispatch.Bit): the
// programs looking for literals in fields enrichment adds or in free text
// share the 64 bits; the others, whose lines their raw text alone
// decides, get none. A line whose process holds a literal goes to every
// program of the bits of the programs looking for it, so programs go in
// groups by their rarest literal (field and text, fewest programs), and
// the groups go to the bits by how likely a process is to hold one of
// their literals (engine.LiteralLikelihood): each, likeliest first, to
// the bit where it adds the fewest programs run on a line, so rules
// whose literals most processes hold ("c " of `cmd /c`) share bits with
// each other, not with a rule for certutil.exe. Given in turn, over
// randfalcon `linked` a carried line lit 14 bits on average and went to
// 4.3 of the 1,801 SigmaHQ-repository rules; grouped, 10 bits and 3.2
// rules (grouped by their most shared literal instead, one bit and 7:
// every rule looking for a common literal in one bit).
func carrierBits(progs []*engine.Program, derived func(string) bool) []uint64 {
	return carrierBitsBy(carrierCovers(progs, derived), nil)
}

// learnedCarrierBits is carrierBits with how likely a process is to hold
// each literal measured on the processes learned (sh, from a sample of
// literalShareSample), the length's estimate weighing as one process
// more; nil when no process was learned.
func learnedCarrierBits(progs []*engine.Program, derived func(string) bool, sh literalSharer) []uint64 {
	covers := carrierCovers(progs, derived)
	index := map[carrierLit]int{}
	var texts []string
	for _, c := range covers {
		for _, l := range c {
			if _, ok := index[l.lower()]; !ok {
				index[l.lower()] = len(texts)
				texts = append(texts, l.text)
			}
		}
	}
	shares, n := sh.ProcessLiteralShares(texts, literalShareSample)
	if shares == nil {
		return nil
	}
	return carrierBitsBy(covers, func(l carrierLit) float64 {
		return (shares[index[l.lower()]]*float64(n) + engine.LiteralLikelihood(l.text)) / float64(n+1)
	})
}

// literalShareSample is how many learned processes learnedCarrierBits
// looks at.
const literalShareSample = 4096

// literalSharer is an enricher that can tell how many learned processes
// hold each of some literals (enrich.Enricher.ProcessLiteralShares).
type literalSharer interface {
	ProcessLiteralShares(lits []string, sample int) ([]float64, int)
}

// carrierBitsBy is carrierBits over covers (carrierCovers), likely
// telling how likely a process is to hold a literal (nil: by its length,
// engine.LiteralLikelihood).
func carrierBitsBy(covers [][]carrierLit, likely func(carrierLit) float64) []uint64 {
	if likely == nil {
		likely = func(l carrierLit) float64 { return engine.LiteralLikelihood(l.text) }
	}
	users := map[carrierLit]int{} // programs carrying each literal
	for _, c := range covers {
		for _, l := range c {
			users[l.lower()]++
		}
	}
	byName := func(a, b carrierLit) int { return cmp.Or(cmp.Compare(a.field, b.field), cmp.Compare(a.text, b.text)) }
	groups := map[carrierLit][]int{} // by the program's rarest literal (fewest programs)
	for i, c := range covers {
		if len(c) == 0 {
			continue
		}
		ls := make([]carrierLit, len(c))
		for j, l := range c {
			ls[j] = l.lower()
		}
		rarest := slices.MinFunc(ls, func(a, b carrierLit) int { return cmp.Or(cmp.Compare(users[a], users[b]), byName(a, b)) })
		groups[rarest] = append(groups[rarest], i)
	}
	// held: how likely a process holds a literal of some program of g
	held := func(g []int) float64 {
		none := 1.0
		seen := map[carrierLit]bool{}
		for _, i := range g {
			for _, l := range covers[i] {
				if !seen[l.lower()] {
					seen[l.lower()] = true
					none *= 1 - likely(l)
				}
			}
		}
		return 1 - none
	}
	groupLikely := make(map[carrierLit]float64, len(groups))
	for l, g := range groups {
		groupLikely[l] = held(g)
	}
	order := slices.Collect(maps.Keys(groups))
	slices.SortFunc(order, func(a, b carrierLit) int {
		return cmp.Or(cmp.Compare(groupLikely[b], groupLikely[a]), cmp.Compare(len(groups[b]), len(groups[a])), byName(a, b))
	})
	var lit [64]float64 // how likely a process lights each bit
	var programs [64]int
	bits := make([]uint64, len(covers))
	for _, l := range order {
		p, n := groupLikely[l], len(groups[l])
		// programs run on a line, on average, with the group in bit b
		added := func(b int) float64 {
			both := 1 - (1-lit[b])*(1-p)
			return both*float64(programs[b]+n) - lit[b]*float64(programs[b])
		}
		b := 0
		for j := range lit {
			if added(j) < added(b) {
				b = j
			}
		}
		lit[b] = 1 - (1-lit[b])*(1-p)
		programs[b] += n
		for _, i := range groups[l] {
			bits[i] = engine.ProgramBit(b)
		}
	}
	return bits
}

// carrierLit is a literal a program looks for in a field enrichment adds
// (or in free text, field "").
type carrierLit struct{ field, text string }

func (l carrierLit) lower() carrierLit { return carrierLit{l.field, strings.ToLower(l.text)} }

// carrierCovers gives, per program, the literals one of which a learned
// value must carry for the program to take a line its raw text rejects
// (engine.Program.CarrierLiterals), each once.
func carrierCovers(progs []*engine.Program, derived func(string) bool) [][]carrierLit {
	covers := make([][]carrierLit, len(progs))
	for i, p := range progs {
		seen := map[carrierLit]bool{}
		p.CarrierLiterals(derived, func(field, text string) {
			if l := (carrierLit{field, text}); !seen[l] {
				seen[l] = true
				covers[i] = append(covers[i], l)
			}
		})
	}
	return covers
}
