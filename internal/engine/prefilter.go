package engine

import (
	"bytes"
	"encoding/binary"
	"sync"
)

// Prefilter decides from the raw input line, before any decoding, whether a
// line can possibly pass a query. It never rejects a line that would pass.
// Match allocates nothing.
type Prefilter struct {
	root *litExpr
	// The rest is compiled from root when first needed: a hunt's
	// dispatch reads only root, and compiled the matchers of thousands
	// of rules' prefilters for nothing.
	once    sync.Once
	node    pfNode
	nameKey int                       // the keyCache slot of event_simpleName, or -1
	keys    map[string]int            // the keyCache slot of each located key
	finders [maxLocatedKeys]keyFinder // by slot: Matcher.Absent locates a key no node looked at
}

// pfNode is the compiled matcher tree.
type pfNode struct {
	op     litOp
	lit    []byte // lower-cased when fold
	fold   bool
	alt    [2]byte   // first byte in both cases, for fold scanning
	ks     bool      // folded literal holding k or s, which also fold to non-ASCII runes
	key    int       // litField: index of the key in the per-line cache (-1: uncached)
	finder keyFinder // litField: locates the key in a line
	multi  *multiLit // litOr of several literals: matched in one pass
	// guard: litOr of literals and ANDs of literals: one literal of each
	// kid, matched in one pass; a value holding none of them fails them all.
	guard *multiLit
	kids  []pfNode
	// orAbsent: litField of a field enrichment may add; a line without the
	// key passes, a line with it is tested on its value.
	orAbsent bool
	// whole: a literal tested on the whole line (free text), not within a
	// field's value. A line holding \u escapes, which may spell any
	// character, is tested with them resolved or passes (hidden). Field
	// values are checked once, in matchField.
	whole bool
	// esc: a literal of the node holds a backslash or a control
	// character, which a value (a line, when whole) may spell otherwise
	// (mayHideEscaped)
	esc bool
	// resolve: whole, and every literal plain ASCII: a line with \u
	// escapes is tested with them resolved (hidden) instead of passing
	resolve bool
	num     float64 // litValue
	// nameBit: a test of the event name's value, its answers remembered
	// by name in a Matcher's memo under bit nameBit-1 (0: not remembered)
	nameBit uint8
}

// Prefilter returns the program's line prefilter. derived reports the fields
// enrichment may add to decoded events (absent from raw lines): literals
// about them are not used. derived("") reports whether enrichment adds any
// field at all, which rules out free-text literals (free text searches every
// field). A nil derived means every field may be enriched, so only
// #event_simpleName literals are used. Returns nil when the query allows no
// filtering.
func (p *Program) Prefilter(derived func(field string) bool) *Prefilter {
	if derived == nil {
		derived = func(f string) bool { return f != "#event_simpleName" && f != "event_simpleName" }
	}
	return newPrefilter(scopeFields(p.lits.withoutFields(derived)))
}

// AnyPrefilter accepts a line when any of fs does (hunt: many rules in one
// pass). A nil element accepts everything.
func AnyPrefilter(fs []*Prefilter) *Prefilter {
	kids := make([]*litExpr, 0, len(fs))
	for _, f := range fs {
		if f == nil {
			return nil
		}
		kids = append(kids, f.root)
	}
	return newPrefilter(litOr2(kids...))
}

func newPrefilter(l *litExpr) *Prefilter {
	if l.op == litTrue {
		return nil
	}
	return &Prefilter{root: l}
}

// TestsEventName reports whether f looks at a line's event name (a nil
// Prefilter, which accepts all, does not).
func (f *Prefilter) TestsEventName() bool { return f != nil && f.compiled().nameKey >= 0 }

// compiled returns f with its matchers compiled.
func (f *Prefilter) compiled() *Prefilter {
	f.once.Do(func() {
		f.keys = map[string]int{}
		f.node = compilePF(f.root, f.keys, true)
		f.nameKey = -1
		if k, ok := f.keys[simpleNameKey]; ok {
			f.nameKey = k
			markNameTests(&f.node, k, 1)
		}
		for key, slot := range f.keys {
			f.finders[slot] = newKeyFinder(key)
		}
	})
	return f
}

// compilePF compiles l; whole says l is tested on whole lines, not within
// a field's value.
func compilePF(l *litExpr, keys map[string]int, whole bool) pfNode {
	n := pfNode{op: l.op, fold: l.fold, key: -1, orAbsent: l.op == litField && l.derived, whole: whole, num: l.num, esc: hasEscaped(l)}
	n.resolve = whole && rawIsPlainASCII(l)
	if l.op == litField {
		n.finder = newKeyFinder(l.text)
		k, ok := keys[l.text]
		if !ok && len(keys) < maxLocatedKeys {
			k, ok = len(keys), true
			keys[l.text] = k
		}
		if ok {
			n.key = k
		}
	}
	if l.op == litText {
		n.lit = []byte(l.text)
		if l.fold {
			c := n.lit[0]
			n.alt = [2]byte{c, upperByte(c)}
			n.ks = bytes.ContainsAny(n.lit, "ks")
		}
	}
	kids := l.kids
	if l.op == litOr {
		if n.multi = newMultiLit(kids); n.multi != nil {
			return n
		}
		n.guard = newMultiLit(guardLiterals(kids))
	}
	for _, k := range kids {
		n.kids = append(n.kids, compilePF(k, keys, whole && l.op != litField))
	}
	return n
}

// guardLiterals returns one literal each kid of an OR needs: the kid
// itself, or the longest (likely rarest) literal of an AND; nil when some
// kid needs no literal.
func guardLiterals(kids []*litExpr) []*litExpr {
	out := make([]*litExpr, 0, len(kids))
	for _, k := range kids {
		switch k.op {
		case litText:
			out = append(out, k)
			continue
		case litAnd:
			var best *litExpr
			for _, a := range k.kids {
				if a.op == litText && (best == nil || len(a.text) > len(best.text)) {
					best = a
				}
			}
			if best != nil {
				out = append(out, best)
				continue
			}
		}
		return nil
	}
	return out
}

// String shows the condition, for tests and --explain style output.
func (f *Prefilter) String() string {
	if f == nil {
		return "true"
	}
	return f.root.String()
}

// Match reports whether line may pass the query. A nil Prefilter accepts all.
func (f *Prefilter) Match(line []byte) bool {
	if f == nil {
		return true
	}
	var c keyCache
	return f.compiled().node.match(line, &c)
}

// MatchName is Match for a line whose event name FindEventName has
// already located: the prefilter does not look for it again.
func (f *Prefilter) MatchName(line []byte, name EventName) bool {
	if f == nil {
		return true
	}
	var c keyCache
	f.compiled().seedName(&c, name)
	return f.node.match(line, &c)
}

// seedName puts in c where the line's event name was found.
func (f *Prefilter) seedName(c *keyCache, name EventName) {
	if f.nameKey >= 0 {
		c.state[f.nameKey], c.val[f.nameKey], c.str[f.nameKey] = name.state, name.val, name.plain
	}
}

func (n *pfNode) match(line []byte, c *keyCache) bool {
	switch n.op {
	case litTrue:
		return true
	case litFalse:
		return false
	case litText:
		if n.fold {
			return containsFold(line, n.lit, n.alt) || n.ks && containsFoldUnicode(line, n.lit) || n.whole && n.hidden(line, c)
		}
		return bytes.Contains(line, n.lit) || n.whole && n.hidden(line, c)
	case litField:
		return n.matchField(line, c)
	case litValue:
		return valueMayEqual(line, n.num)
	case litOr:
		if n.multi != nil {
			return n.multi.match(line) || n.whole && n.hidden(line, c)
		}
		if n.guard != nil && !n.guard.match(line) {
			return n.whole && n.hidden(line, c)
		}
	case litAnd:
		for i := range n.kids {
			if !n.kids[i].match(line, c) {
				return false
			}
		}
		return true
	}
	for i := range n.kids {
		if n.kids[i].match(line, c) {
			return true
		}
	}
	return false
}

// hidden reports whether a whole-line test that failed on line's raw text
// may hold of its decoded text. Plain ASCII literals are looked for in the
// line with its escapes resolved, as the decoder resolves them: every
// value is in it as decoded (a lone surrogate stays as written there, and
// becomes U+FFFD in the decoder: no ASCII either way). Others pass any
// line an escape may spell them in (mayHide).
func (n *pfNode) hidden(line []byte, c *keyCache) bool {
	if !n.resolve || !c.hasEscape(line) {
		return c.mayHide(line, n.esc)
	}
	return n.matchText(c.resolvedLine(line))
}

// matchText tests a whole-line node on text with its escapes resolved.
func (n *pfNode) matchText(text []byte) bool {
	switch n.op {
	case litFalse:
		return false
	case litText:
		if n.fold {
			return containsFold(text, n.lit, n.alt) || n.ks && containsFoldUnicode(text, n.lit)
		}
		return bytes.Contains(text, n.lit)
	case litOr:
		if n.multi != nil {
			return n.multi.match(text)
		}
		for i := range n.kids {
			if n.kids[i].matchText(text) {
				return true
			}
		}
		return false
	case litAnd:
		for i := range n.kids {
			if !n.kids[i].matchText(text) {
				return false
			}
		}
	}
	return true
}

// HasUnicodeEscape reports whether raw JSON text holds a \u escape, which
// may spell any character of a literal: the decoded text may hold a
// literal the raw text does not. In JSON every backslash starts an escape
// of two or more bytes, so an escaped backslash before a u, as in
// C:\\users, is not one.
func HasUnicodeEscape(raw []byte) bool { return IndexUnicodeEscape(raw) >= 0 }

var backslashU = []byte(`\u`)

// IndexUnicodeEscape returns where the first \u escape of raw JSON text
// starts (-1: none): a backslash before a u ending an odd run of
// backslashes (in "C:\\users" the u follows an escaped backslash).
func IndexUnicodeEscape(raw []byte) int {
	// Most values hold no backslash at all: one IndexByte says so faster
	// than a two-byte search.
	from := bytes.IndexByte(raw, '\\')
	if from < 0 {
		return -1
	}
	for {
		i := bytes.Index(raw[from:], backslashU)
		if i < 0 {
			return -1
		}
		i += from
		run := 1
		for i-run >= 0 && raw[i-run] == '\\' {
			run++
		}
		if run%2 == 1 {
			return i
		}
		from = i + 2
	}
}

// spelledOtherwise reports whether a value may spell a literal's
// character otherwise than the literal's raw text does: a \u escape, or,
// for literals holding a backslash or control character (esc), what
// mayHideEscaped tells. Such a value is read as appendCanonical writes it.
func spelledOtherwise(raw []byte, esc bool) bool {
	if esc {
		return mayHideEscaped(raw) // which finds \u escapes too
	}
	return HasUnicodeEscape(raw)
}

// mayHideEscaped reports whether raw JSON text may hold a backslash or a
// control character its raw text does not write as the usual escape (\\,
// \n, \t...): it holds a \u escape, one JSON does not define (\q, which
// decoders keep as written, backslash and all), or a raw control
// character (lenient decoders take them).
func mayHideEscaped(raw []byte) bool {
	return escapeIn(raw, bytes.IndexByte(raw, '\\'), true) || hasControl(raw)
}

// hasControl reports whether raw holds a byte under 0x20, eight at a time:
// a Sigma hunt asks it of every command line and path.
func hasControl(raw []byte) bool {
	i := 0
	for ; i+8 <= len(raw); i += 8 {
		// a byte under 0x20 borrows into its high bit, which it lacks
		if w := binary.LittleEndian.Uint64(raw[i:]); (w-0x2020202020202020)&^w&0x8080808080808080 != 0 {
			return true
		}
	}
	for ; i < len(raw); i++ {
		if raw[i] < 0x20 {
			return true
		}
	}
	return false
}

// escapeIn walks raw's escapes from the backslash at i (none: -1) and
// reports whether one is \u or, with odd, one JSON does not define.
func escapeIn(raw []byte, i int, odd bool) bool {
	for i >= 0 {
		if i+1 >= len(raw) {
			return odd // a lone backslash at the end
		}
		switch raw[i+1] {
		case 'u':
			return true
		case '\\', '"', '/', 'b', 'f', 'n', 'r', 't':
		default:
			if odd {
				return true
			}
		}
		j := bytes.IndexByte(raw[i+2:], '\\')
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// jsonValueAfterKey returns the value that follows `"key"` (rest starts
// right after the key's closing quote): a string's raw contents (str), or
// for other values the rest of the line.
func jsonValueAfterKey(rest []byte) (v []byte, str, ok bool) {
	i := 0
	for i < len(rest) && isJSONSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || rest[i] != ':' {
		return nil, false, false
	}
	i++
	for i < len(rest) && isJSONSpace(rest[i]) {
		i++
	}
	if i >= len(rest) || rest[i] != '"' {
		return rest[i:], false, true
	}
	// The closing quote is the first one not escaped, found with
	// IndexByte: values like command lines run to hundreds of bytes.
	start := i + 1
	for j := start; ; {
		k := bytes.IndexByte(rest[j:], '"')
		if k < 0 {
			return rest[start:], true, true
		}
		if q := j + k; !escaped(rest, q) {
			return rest[start:q], true, true
		}
		j += k + 1
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ContainsFold reports whether text holds lit, a lower-cased ASCII
// literal, ignoring ASCII case.
func ContainsFold(text, lit []byte) bool {
	if len(lit) == 0 {
		return true
	}
	return containsFold(text, lit, [2]byte{lit[0], upperByte(lit[0])})
}

// containsFold reports whether line contains lit (lower case) ignoring
// ASCII case; first is lit's first byte in both cases.
func containsFold(line, lit []byte, first [2]byte) bool { return indexFoldASCII(line, lit, first) >= 0 }

// indexFoldASCII returns where lit (lower case) first occurs in line ignoring
// ASCII case, or -1. It walks the occurrences of the first byte in either
// case, keeping the next position of each so no byte is scanned twice.
func indexFoldASCII(line, lit []byte, first [2]byte) int {
	n := len(lit)
	if n == 0 {
		return 0
	}
	if len(line) < n {
		return -1
	}
	limit := len(line) - n + 1
	lo, up := first[0], first[1]
	nextLo := indexFrom(line[:limit], 0, lo)
	nextUp := -1
	if lo != up {
		nextUp = indexFrom(line[:limit], 0, up)
	}
	for {
		i := nextLo
		if i < 0 || (nextUp >= 0 && nextUp < i) {
			i = nextUp
		}
		if i < 0 {
			return -1
		}
		if equalFoldBytes(line[i+1:i+n], lit[1:]) {
			return i
		}
		if i == nextLo {
			nextLo = indexFrom(line[:limit], i+1, lo)
		} else {
			nextUp = indexFrom(line[:limit], i+1, up)
		}
	}
}

func indexFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	i := bytes.IndexByte(b[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

// Case-insensitive regexes also match K as KELVIN SIGN and s as LONG S.
var (
	kelvin = []byte("\u212a")
	longS  = []byte("\u017f")
)

// hasOddRunes reports whether v holds KELVIN SIGN or LONG S. Most texts
// hold neither lead byte: one IndexByte each says so.
func hasOddRunes(v []byte) bool {
	return bytes.IndexByte(v, 0xE2) >= 0 && bytes.Contains(v, kelvin) || bytes.IndexByte(v, 0xC5) >= 0 && bytes.Contains(v, longS)
}

// containsFoldUnicode is the slow, exact check for lines holding those two
// runes (rare: it allocates only then).
func containsFoldUnicode(line, lit []byte) bool {
	if !hasOddRunes(line) {
		return false
	}
	norm := bytes.ReplaceAll(bytes.ReplaceAll(line, kelvin, []byte("k")), longS, []byte("s"))
	return containsFold(norm, lit, [2]byte{lit[0], upperByte(lit[0])})
}

func equalFoldBytes(s, lower []byte) bool {
	for i, c := range s {
		if lowerByte(c) != lower[i] {
			return false
		}
	}
	return true
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// Literals calls fn with each literal the program's prefilter requires
// and the field it is required in ("" for free text, which searches every
// field), lower-cased when matched ignoring case.
func (p *Program) Literals(fn func(field, text string)) {
	var walk func(l *litExpr)
	walk = func(l *litExpr) {
		if l.op == litText {
			fn(l.field, l.plain)
		}
		for _, k := range l.kids {
			walk(k)
		}
	}
	walk(p.lits)
}

// PrefilterRaw is Prefilter for a runner that has learned what enrichment
// knows. A test of a field enrichment may add passes every line that lacks
// the field in Prefilter; here it is a test of the raw fields the value
// would come from on the line itself (inline: the field itself, and for
// ContextProcessName its ContextBaseFileName), or of the whole line when
// inline names none. A line it rejects can still match through a value
// enrichment learned elsewhere (a host record, another process, a DNS
// answer): the runner must let those lines through itself
// (Literals).
func (p *Program) PrefilterRaw(derived func(field string) bool, inline func(field string) []InlineSource) *Prefilter {
	return newPrefilter(unscopeDerived(scopeFields(p.lits.withoutFields(derived)), inline))
}

// InlineSource is a raw field a derived field's value may come from on the
// line itself; Whole when it is that field's whole value, not a part.
type InlineSource struct {
	Field string
	Whole bool
}

func unscopeDerived(l *litExpr, inline func(string) []InlineSource) *litExpr {
	switch l.op {
	case litField:
		if l.derived {
			return inlineTest(l, inline)
		}
	case litAnd, litOr:
		cp := *l
		cp.kids = make([]*litExpr, len(l.kids))
		for i, k := range l.kids {
			cp.kids[i] = unscopeDerived(k, inline)
		}
		return &cp
	}
	return l
}

// inlineTest turns a test of a derived field into the same test of the
// raw fields its value comes from: any of them may hold it. A part of a
// value does not carry an equality, and a field without sources is looked
// for in the whole line.
func inlineTest(l *litExpr, inline func(string) []InlineSource) *litExpr {
	var srcs []InlineSource
	if inline != nil {
		srcs = inline(l.text)
	}
	var alts []*litExpr
	for _, s := range srcs {
		key, ok := jsonKey(s.Field)
		if !ok || !s.Whole && hasValueTest(l.kids[0]) {
			return l.kids[0]
		}
		alts = append(alts, &litExpr{op: litField, text: key, kids: l.kids})
	}
	if len(alts) == 0 {
		return l.kids[0]
	}
	return litOr2(alts...)
}

func hasValueTest(l *litExpr) bool {
	if l.op == litValue {
		return true
	}
	for _, k := range l.kids {
		if hasValueTest(k) {
			return true
		}
	}
	return false
}

// TestsAbsent reports whether f tests field's value when a line has it and
// passes lines without it: the field is one enrichment adds. A runner that
// already knows the value enrichment will add can write it into the line
// and match again, so that the value decides.
func (f *Prefilter) TestsAbsent(field string) bool {
	return f != nil && f.root.testsAbsent(field)
}

func (l *litExpr) testsAbsent(field string) bool {
	if l.op == litField && l.derived && l.text == field {
		return true
	}
	for _, k := range l.kids {
		if k.testsAbsent(field) {
			return true
		}
	}
	return false
}

// ValueMayPass reports whether some test of f on field accepts value, raw
// JSON string contents. The prefilter's tree has no negation: a line it
// rejects with one value of the field is rejected with any value no test
// of the field accepts.
func (f *Prefilter) ValueMayPass(field string, value []byte) bool {
	return f != nil && f.compiled().node.valueMayPass(field, value)
}

func (n *pfNode) valueMayPass(field string, v []byte) bool {
	if n.op == litField && n.isKey(field) {
		var c keyCache
		return n.matchValue(v, true, &c)
	}
	for i := range n.kids {
		if n.kids[i].valueMayPass(field, v) {
			return true
		}
	}
	return false
}

// ValueMayPassAs is ValueMayPass for a line whose event name is name:
// tests of field that only lines of other event names reach (under an AND
// whose test of the name rejects name) are left out. A hunt's rule that
// tests a field on network connections does not make a DNS request's
// value matter.
func (f *Prefilter) ValueMayPassAs(name []byte, field string, value []byte) bool {
	return f != nil && f.compiled().node.valueMayPassAs(name, field, value)
}

func (n *pfNode) valueMayPassAs(name []byte, field string, v []byte) bool {
	if n.op == litField && n.isKey(field) {
		var c keyCache
		return n.matchValue(v, true, &c)
	}
	if n.op == litAnd {
		for i := range n.kids {
			if n.kids[i].rejectsName(name) {
				return false
			}
		}
	}
	for i := range n.kids {
		if n.kids[i].valueMayPassAs(name, field, v) {
			return true
		}
	}
	return false
}

// rejectsName reports whether no line of event name name passes n, for
// its tests of the name alone.
func (n *pfNode) rejectsName(name []byte) bool {
	switch n.op {
	case litField:
		var c keyCache
		return n.isKey(simpleNameKey) && !n.matchValue(name, true, &c)
	case litAnd:
		for i := range n.kids {
			if n.kids[i].rejectsName(name) {
				return true
			}
		}
	case litOr:
		for i := range n.kids {
			if !n.kids[i].rejectsName(name) {
				return false
			}
		}
		return len(n.kids) > 0
	}
	return false
}

// isKey reports whether the litField n tests field.
func (n *pfNode) isKey(field string) bool {
	q := n.finder.needle
	return len(q) == len(field)+2 && string(q[1:len(q)-1]) == field
}
