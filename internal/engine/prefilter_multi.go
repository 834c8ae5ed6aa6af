package engine

import "bytes"

// minMultiLits is the smallest OR of literals matched by multiLit: below it
// one IndexByte-driven scan per literal is as fast.
const minMultiLits = 3

// multiLit matches "the text contains one of these literals" in a single
// pass: each byte indexes a table of the literals that can start with it
// (both cases for folded ones), so a byte that starts none costs one load.
type multiLit struct {
	start  [256]uint16 // 1 + index in lists; 0: no literal starts with this byte
	lists  [][]multiEntry
	minLen int
	ks     []multiEntry // folded literals with k or s (KELVIN SIGN, LONG S)
}

type multiEntry struct {
	text []byte // lower-cased when fold
	fold bool
}

// newMultiLit builds the matcher for the litText children of an OR, or
// returns nil when the OR has other kinds of children or too few literals.
func newMultiLit(kids []*litExpr) *multiLit {
	if len(kids) < minMultiLits {
		return nil
	}
	m := &multiLit{minLen: -1}
	for _, k := range kids {
		if k.op != litText || k.text == "" {
			return nil
		}
		e := multiEntry{text: []byte(k.text), fold: k.fold}
		if m.minLen < 0 || len(e.text) < m.minLen {
			m.minLen = len(e.text)
		}
		m.add(e.text[0], e)
		if e.fold {
			if up := upperByte(e.text[0]); up != e.text[0] {
				m.add(up, e)
			}
			if bytes.ContainsAny(e.text, "ks") {
				m.ks = append(m.ks, e)
			}
		}
	}
	return m
}

func (m *multiLit) add(first byte, e multiEntry) {
	if m.start[first] == 0 {
		m.lists = append(m.lists, nil)
		m.start[first] = uint16(len(m.lists))
	}
	i := m.start[first] - 1
	m.lists[i] = append(m.lists[i], e)
}

// match reports whether h contains one of the literals.
func (m *multiLit) match(h []byte) bool {
	for i := 0; i+m.minLen <= len(h); i++ {
		s := m.start[h[i]]
		if s == 0 {
			continue
		}
		for _, e := range m.lists[s-1] {
			n := len(e.text)
			if len(h)-i < n {
				continue
			}
			if e.fold && equalFoldBytes(h[i+1:i+n], e.text[1:]) || !e.fold && bytes.Equal(h[i:i+n], e.text) {
				return true
			}
		}
	}
	if len(m.ks) == 0 || !bytes.Contains(h, kelvin) && !bytes.Contains(h, longS) {
		return false
	}
	for _, e := range m.ks {
		if containsFoldUnicode(h, e.text) {
			return true
		}
	}
	return false
}
