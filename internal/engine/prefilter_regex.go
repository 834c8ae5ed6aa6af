package engine

import (
	"regexp/syntax"
	"strings"
)

// maxExactSet bounds the set of strings tracked for a regex node before the
// analysis falls back to required literals.
const maxExactSet = 64

// maxClassChars bounds the characters of a class multiplied out into
// exact strings: a digit ([0-9]) is one of ten.
const maxClassChars = 10

// regexLits returns a condition every line holding a match of r must meet:
// literals each match contains, found by walking the regex syntax tree.
// Backtracking-only patterns (lookaround) yield true.
func regexLits(r *lsRegex, field string) *litExpr {
	if r.tree == nil {
		return litAlways
	}
	info := analyze(r.tree)
	return retag(info.cond(field), field)
}

// retag attributes every literal of l to field, dropping those too short
// to look for there (the analysis keeps all: it does not know where).
func retag(l *litExpr, field string) *litExpr {
	switch l.op {
	case litText:
		if len(l.text) < minLiteralIn(field) {
			return litAlways
		}
		cp := *l
		cp.field = field
		return &cp
	case litAnd, litOr:
		kids := make([]*litExpr, len(l.kids))
		for i, k := range l.kids {
			kids[i] = retag(k, field)
		}
		if l.op == litAnd {
			return litAnd2(kids...)
		}
		return litOr2(kids...)
	}
	return l
}

// reInfo describes what a regex node can match: either exactly one of a
// small set of strings, or something satisfying req.
type reInfo struct {
	exact []string // valid when known
	known bool
	fold  bool
	req   *litExpr
	field string
}

func unknownInfo() reInfo { return reInfo{req: litAlways} }

func exactInfo(fold bool, s ...string) reInfo { return reInfo{exact: s, known: true, fold: fold} }

// cond turns the info into a line condition.
func (in reInfo) cond(field string) *litExpr {
	if !in.known {
		if in.req == nil {
			return litAlways
		}
		return in.req
	}
	kids := make([]*litExpr, 0, len(in.exact))
	for _, s := range in.exact {
		kids = append(kids, litOfMin(s, field, in.fold, 1)) // retag drops the short
	}
	return litOr2(kids...)
}

func analyze(re *syntax.Regexp) reInfo {
	switch re.Op {
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		s := string(re.Rune)
		if fold {
			s = strings.ToLower(s)
		}
		return exactInfo(fold, s)
	case syntax.OpCharClass:
		var chars []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for c := re.Rune[i]; c <= re.Rune[i+1]; c++ {
				chars = append(chars, string(c))
				if len(chars) > maxClassChars {
					return unknownInfo()
				}
			}
		}
		if len(chars) == 0 {
			return unknownInfo()
		}
		return exactInfo(false, chars...)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactInfo(false, "")
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpConcat:
		return analyzeConcat(re.Sub)
	case syntax.OpAlternate:
		infos := make([]reInfo, len(re.Sub))
		allKnown, total, fold := true, 0, false
		for i, s := range re.Sub {
			infos[i] = analyze(s)
			allKnown = allKnown && infos[i].known
			total += len(infos[i].exact)
			fold = fold || infos[i].fold
		}
		if allKnown && total <= maxExactSet {
			var set []string
			for _, in := range infos {
				for _, s := range in.exact {
					if fold {
						s = strings.ToLower(s)
					}
					set = append(set, s)
				}
			}
			return exactInfo(fold, set...)
		}
		kids := make([]*litExpr, len(infos))
		for i, in := range infos {
			kids[i] = in.cond("")
		}
		return reInfo{req: litOr2(kids...)}
	case syntax.OpQuest:
		in := analyze(re.Sub[0])
		if in.known && len(in.exact) < maxExactSet {
			return exactInfo(in.fold, append(in.exact, "")...)
		}
		return unknownInfo()
	case syntax.OpPlus:
		return reInfo{req: analyze(re.Sub[0]).cond("")}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reInfo{req: analyze(re.Sub[0]).cond("")}
		}
		return unknownInfo()
	}
	return unknownInfo()
}

// analyzeConcat multiplies out exact sets while they stay small and ANDs
// the requirements of the parts it cannot multiply.
func analyzeConcat(subs []*syntax.Regexp) reInfo {
	cur := exactInfo(false, "")
	var reqs []*litExpr
	for _, s := range subs {
		in := analyze(s)
		if !in.known {
			reqs = append(reqs, cur.cond(""), in.cond(""))
			cur = exactInfo(false, "")
			continue
		}
		if len(cur.exact)*len(in.exact) > maxExactSet {
			reqs = append(reqs, cur.cond(""))
			cur = in
			continue
		}
		fold := cur.fold || in.fold
		next := concatEach(cur.exact, in.exact)
		if fold {
			for i, s := range next {
				next[i] = strings.ToLower(s)
			}
		}
		cur = exactInfo(fold, next...)
	}
	if len(reqs) == 0 {
		return cur
	}
	reqs = append(reqs, cur.cond(""))
	return reInfo{req: litAnd2(reqs...)}
}
