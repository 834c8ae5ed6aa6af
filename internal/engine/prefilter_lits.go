package engine

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// litExpr is a condition on the raw input line, derived from the query: a
// tree of AND/OR over "the line contains this literal". It is conservative:
// it may accept a line that fails the query, never reject one that passes.
type litExpr struct {
	op    litOp
	text  string // litText: as written in raw JSON (rawLiteral), lower-cased when fold
	plain string // litText: text decoded, as a decoded value holds it
	fold  bool
	field string // the field the literal was read from ("" for free text)
	kids  []*litExpr
	// derived: the literal's field may be added by enrichment (litText), or,
	// on a litField, a line without the key passes (enrichment may add the
	// field; it never changes one the line has).
	derived bool
	num     float64 // litValue: the number the field's value must equal
}

type litOp int

const (
	litTrue litOp = iota
	litFalse
	litAnd
	litOr
	litText
	litField // kids[0] holds within the JSON value of key text
	litValue // the field's value equals num numerically (text: as written)
)

// minLiteral is the shortest literal worth scanning for; shorter ones are
// treated as always present.
const minLiteral = 3

var (
	litAlways = &litExpr{op: litTrue}
	litNever  = &litExpr{op: litFalse}
)

// litOf is one literal from field; it degrades to true when it is too short
// or could be written differently in JSON (escapes), so it might not appear
// as itself in the raw line.
func litOf(text, field string, fold bool) *litExpr {
	return litOfMin(text, field, fold, minLiteral)
}

// minLiteralIn is the shortest literal worth looking for in field: a
// field's value is located first, so two bytes still decide it; free text
// and @rawstring look through the whole line.
func minLiteralIn(field string) int {
	if field == "" || field == event.RawString {
		return minLiteral
	}
	return 2
}

// litOfMin is litOf keeping literals of min bytes or more.
func litOfMin(text, field string, fold bool, min int) *litExpr {
	if !jsonCanonical(text) {
		// Its longest run with one way of being written is still
		// required: `\Fonts\x/y` needs `\\Fonts\\x` in the raw line.
		run := longestCanonical(text, false, fold)
		if len(run) < minLiteral {
			// Past ASCII, a run of runes a raw line holds as their UTF-8
			// bytes: an emoji has no other spelling but a \u escape,
			// which lets a line through (hidden, matchValue).
			if u := longestCanonical(text, true, fold); len(u) > len(run) {
				run = u
			}
		}
		text = run
	}
	if fold {
		text = strings.ToLower(text)
	}
	raw := rawLiteral(text)
	if len(raw) < min {
		return litAlways
	}
	l := &litExpr{op: litText, text: raw, plain: text, fold: fold, field: field}
	if raw != text && (field == "" || field == event.RawString) {
		// @rawstring is the line itself: there a quote or backslash stands
		// as it is (`"0` in `{"0":...}`), not as a value writes it
		if len(text) < min {
			return litAlways
		}
		return litOr2(l, &litExpr{op: litText, text: text, plain: text, fold: fold, field: field})
	}
	return l
}

// longestCanonical returns the longest substring of s that jsonCanonical
// accepts, with runes past ASCII in it too when nonASCII and rawRune
// accepts them.
func longestCanonical(s string, nonASCII, fold bool) string {
	best, start := "", 0
	for i := 0; i <= len(s); {
		size, ok := 1, false
		switch {
		case i == len(s):
		case s[i] < utf8.RuneSelf:
			ok = jsonCanonical(s[i : i+1])
		case nonASCII:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			ok = rawRune(r, fold)
		}
		if !ok {
			if i-start > len(best) {
				best = s[start:i]
			}
			start = i + size
		}
		i += size
	}
	return best
}

// rawRune reports whether a rune past ASCII is found in raw JSON as its
// UTF-8 bytes whenever a value holds it, but for \u escapes: a valid one
// (U+FFFD is also what the decoder makes of bytes that are not UTF-8), and
// ignoring case one without other cases (an emoji, not an é), as raw
// lines are matched ignoring ASCII case only.
func rawRune(r rune, fold bool) bool {
	return r != utf8.RuneError && (!fold || unicode.SimpleFold(r) == r)
}

// jsonCanonical reports whether every byte of s has one usual way of
// being written inside a JSON string: printable ASCII as itself, a
// backslash as \\, a quote as \", a newline, tab, carriage return,
// backspace or form feed as \n, \t, \r, \b or \f. Other spellings (a \u
// escape, an escape JSON does not define kept as written, a raw control
// character) let the value through (HasUnicodeEscape, mayHideEscaped). A
// slash may be written \/, other control characters only as \u
// sequences, and some encoders escape <, >, & and ' as \u sequences of
// their own accord: those cut the literal.
func jsonCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && shortEscape[c] == 0 || c >= 0x7f || c == '/' || c == '<' || c == '>' || c == '&' || c == '\'' {
			return false
		}
	}
	return true
}

// shortEscape is the letter JSON escapes a control character with, if any.
var shortEscape = [0x20]byte{'\n': 'n', '\t': 't', '\r': 'r', '\b': 'b', '\f': 'f'}

// rawLiteral writes s, which jsonCanonical accepts, as a JSON string's
// raw contents.
func rawLiteral(s string) string {
	if !hasEscapedByte(s) {
		return s
	}
	return string(appendRaw(nil, []byte(s)))
}

// appendRaw appends s to dst written as a JSON string's raw contents the
// one way rawLiteral writes literals: a quote or backslash escaped, a
// control character by its short escape or else as \u00XX, any other byte
// as it is. A literal found in s is then found, as rawLiteral writes it,
// in what this writes.
func appendRaw(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	for _, c := range s {
		switch {
		case c == '\\' || c == '"':
			dst = append(dst, '\\', c)
		case c < 0x20 && shortEscape[c] != 0:
			dst = append(dst, '\\', shortEscape[c])
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCanonical appends the raw contents of a JSON string as the decoder
// reads them, rewritten by appendRaw: escapes a literal's raw text does not
// assume (\u sequences, escapes JSON does not define, raw control
// characters) are then spelled as literals are. scratch holds the
// unescaped value on the way.
func appendCanonical(dst []byte, scratch *[]byte, raw []byte) []byte {
	*scratch = ingest.AppendUnescaped((*scratch)[:0], raw)
	return appendRaw(dst, *scratch)
}

// hasEscapedByte reports whether s holds a byte JSON writes escaped.
func hasEscapedByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c == '"' {
			return true
		}
	}
	return false
}

// rawIsPlain reports whether every literal of l is written in raw JSON as
// it reads: no quote, backslash or control character to escape.
func rawIsPlain(l *litExpr) bool {
	if l.op == litText && hasEscapedByte(l.text) {
		return false
	}
	for _, k := range l.kids {
		if !rawIsPlain(k) {
			return false
		}
	}
	return true
}

// rawIsPlainASCII is rawIsPlain with every literal ASCII too.
func rawIsPlainASCII(l *litExpr) bool {
	if l.op == litText && !isASCII(l.text) {
		return false
	}
	for _, k := range l.kids {
		if !rawIsPlainASCII(k) {
			return false
		}
	}
	return rawIsPlain(l)
}

// hasEscaped reports whether a literal of l, decoded, holds a backslash or
// a control character, which a value may spell in ways its raw text does
// not show (mayHideEscaped).
func hasEscaped(l *litExpr) bool {
	if l.op == litText && strings.ContainsFunc(l.plain, func(r rune) bool { return r == '\\' || r < 0x20 }) {
		return true
	}
	for _, k := range l.kids {
		if hasEscaped(k) {
			return true
		}
	}
	return false
}

func litAnd2(kids ...*litExpr) *litExpr {
	var out []*litExpr
	for _, k := range kids {
		switch k.op {
		case litTrue:
			continue
		case litFalse:
			return litNever
		case litAnd:
			out = append(out, k.kids...)
		default:
			out = append(out, k)
		}
	}
	switch len(out) {
	case 0:
		return litAlways
	case 1:
		return out[0]
	}
	return &litExpr{op: litAnd, kids: out}
}

func litOr2(kids ...*litExpr) *litExpr {
	var out []*litExpr
	var from []int // per literal of out: the kid it came from
	for i, k := range kids {
		switch k.op {
		case litTrue:
			return litAlways
		case litFalse:
			continue
		case litOr:
			out = append(out, k.kids...)
			for range k.kids {
				from = append(from, i)
			}
		default:
			out = append(out, k)
			from = append(from, i)
		}
	}
	out = dropImplied(out, from)
	switch len(out) {
	case 0:
		return litNever
	case 1:
		return out[0]
	}
	return &litExpr{op: litOr, kids: out}
}

// dropImplied removes from an OR the literals that contain another literal
// of the same OR: "nmap.exe" or "nmap" is just "nmap". from tells, per
// kid, the OR it came from: an OR litOr2 made has none left, so only kids
// from different ones are compared (an OR chain of n tests is built two at
// a time: all pairs at each link were n³/6 comparisons). Past
// maxImpliedCheck literals only repeated ones go: keeping a literal
// another implies costs the prefilter a little, comparing the 3,660 of an
// emoji rule pairwise cost a tenth of a hunt's start.
func dropImplied(kids []*litExpr, from []int) []*litExpr {
	var texts []*litExpr
	var src []int
	for i, k := range kids {
		if k.op == litText {
			texts = append(texts, k)
			src = append(src, from[i])
		}
	}
	if len(texts) < 2 {
		return kids
	}
	if len(texts) > maxImpliedCheck {
		return dropRepeated(kids)
	}
	// lowered once: the lists grow by one literal a link
	lower := make([]string, len(texts))
	for i, a := range texts {
		lower[i] = strings.ToLower(a.text)
	}
	// the literals of one OR lie side by side (src is in order): each is
	// compared with those outside its run alone
	runEnd := make([]int, len(texts))
	for i := len(texts) - 1; i >= 0; i-- {
		runEnd[i] = i + 1
		if i+1 < len(texts) && src[i+1] == src[i] {
			runEnd[i] = runEnd[i+1]
		}
	}
	implied := make([]bool, len(texts))
	for i, a := range texts {
		for j := 0; j < len(texts); j++ {
			if src[j] == src[i] {
				j = runEnd[j] - 1 // past the run
				continue
			}
			b := texts[j]
			// b covers a only where b may stand anywhere a does: free text,
			// or the same field (field-scoped literals are scanned per key);
			// a contains b only if b is no longer (lowered, when b folds).
			if implied[j] || len(b.text) > max(len(a.text), len(lower[i])) || b.field != "" && b.field != a.field {
				continue
			}
			// a contains b (with compatible folding): a implies b
			if b.fold && strings.Contains(lower[i], b.text) || !b.fold && !a.fold && strings.Contains(a.text, b.text) {
				implied[i] = true
				break
			}
		}
	}
	out := kids[:0:0]
	t := 0 // index in texts of the next literal
	for _, k := range kids {
		if k.op == litText {
			t++
			if implied[t-1] {
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

// maxImpliedCheck bounds the literals dropImplied compares pairwise.
const maxImpliedCheck = 1024

// dropRepeated removes from an OR the literals it holds twice.
func dropRepeated(kids []*litExpr) []*litExpr {
	type key struct {
		text, field string
		fold        bool
	}
	seen := map[key]bool{}
	out := kids[:0:0]
	for _, k := range kids {
		if k.op == litText {
			x := key{k.text, k.field, k.fold}
			if seen[x] {
				continue
			}
			seen[x] = true
		}
		out = append(out, k)
	}
	return out
}

// withoutFields replaces literals read from fields that derived reports
// (filled by enrichment, not present in the raw line) by true. Free-text
// literals have field "": derived("") says whether enrichment adds any field
// that free text would search.
func (l *litExpr) withoutFields(derived func(string) bool) *litExpr {
	switch l.op {
	case litText, litValue:
		if derived != nil && l.field != event.RawString && derived(l.field) {
			if _, plain := jsonKey(l.field); !plain || l.field == "" {
				return litAlways
			}
			// Kept, but only where the line has the field: scopeFields
			// makes it a key-scoped test that passes when the key is absent.
			cp := *l
			cp.derived = true
			return &cp
		}
		return l
	case litAnd, litOr:
		kids := make([]*litExpr, len(l.kids))
		changed := false
		for i, k := range l.kids {
			kids[i] = k.withoutFields(derived)
			changed = changed || kids[i] != k
		}
		if !changed {
			// rebuilt, it would be compared pairwise again for nothing:
			// most of a thousand rules' literals read no enriched field
			return l
		}
		if l.op == litAnd {
			return litAnd2(kids...)
		}
		return litOr2(kids...)
	}
	return l
}

// scopeFields wraps each largest subtree whose literals all come from one
// plain top-level field in a litField node, so matching scans that field's
// JSON value instead of the whole line.
func scopeFields(l *litExpr) *litExpr {
	if f, ok := singleField(l); ok {
		if key, ok := jsonKey(f); ok {
			return &litExpr{op: litField, text: key, kids: []*litExpr{l}, derived: anyDerived(l)}
		}
	}
	if l.op != litAnd && l.op != litOr {
		return l
	}
	kids := l.kids
	if l.op == litOr {
		kids = groupByField(kids)
	}
	cp := *l
	cp.kids = make([]*litExpr, len(kids))
	for i, k := range kids {
		cp.kids[i] = scopeFields(k)
	}
	return &cp
}

// groupByField gathers the kids of an OR that read the same plain field
// into one OR, placed where the first of them was, so the field's value is
// located and tested once for all of them, and an OR of literals is one
// pass over the value (multiLit, guard): F:a OR F:b is F:(a OR b), also
// when the key occurs several times.
func groupByField(kids []*litExpr) []*litExpr {
	groups := map[string][]*litExpr{}
	var fields []string // per kid of out: its group's field, or ""
	out := make([]*litExpr, 0, len(kids))
	merged := false
	for _, k := range kids {
		f, ok := singleField(k)
		if ok {
			_, ok = jsonKey(f)
		}
		switch {
		case !ok:
			out, fields = append(out, k), append(fields, "")
		case groups[f] == nil:
			out, fields = append(out, k), append(fields, f)
			groups[f] = []*litExpr{k}
		default:
			groups[f] = append(groups[f], k)
			merged = true
		}
	}
	if !merged {
		return kids
	}
	for i, f := range fields {
		if f != "" && len(groups[f]) > 1 {
			out[i] = litOr2(groups[f]...)
		}
	}
	return out
}

// anyDerived reports whether l holds a literal of a field enrichment may add.
func anyDerived(l *litExpr) bool {
	if l.op == litText || l.op == litValue {
		return l.derived
	}
	for _, k := range l.kids {
		if anyDerived(k) {
			return true
		}
	}
	return false
}

// singleField reports the one field all literals of l come from.
func singleField(l *litExpr) (string, bool) {
	switch l.op {
	case litText, litValue:
		return l.field, l.field != ""
	case litAnd, litOr:
		field := ""
		for _, k := range l.kids {
			f, ok := singleField(k)
			if !ok || (field != "" && f != field) {
				return "", false
			}
			field = f
		}
		return field, field != ""
	}
	return "", false
}

// jsonKey is the raw JSON key a field is decoded from, for plain names.
func jsonKey(field string) (string, bool) {
	if field == "#event_simpleName" {
		return "event_simpleName", true
	}
	for i := 0; i < len(field); i++ {
		c := field[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return "", false
		}
	}
	return field, field != ""
}

func (l *litExpr) String() string {
	switch l.op {
	case litField:
		if l.derived {
			return l.text + "?:" + l.kids[0].String() // "?": a line without the key passes
		}
		return l.text + ":" + l.kids[0].String()
	case litTrue:
		return "true"
	case litFalse:
		return "false"
	case litText:
		if l.fold {
			return "i" + quote(l.text)
		}
		return quote(l.text)
	case litValue:
		return "=" + l.text
	}
	parts := make([]string, len(l.kids))
	for i, k := range l.kids {
		parts[i] = k.String()
	}
	sort.Strings(parts) // stable text for tests; evaluation keeps query order
	if l.op == litOr {
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

func quote(s string) string { return `"` + s + `"` }
