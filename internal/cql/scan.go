package cql

import "strings"

// The scanner is driven by the parser: the same bytes tokenize differently in
// filter position (unquoted patterns may contain - : + * /) and in expression
// position (those are operators), so every scan names its mode.

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tNumber
	tString
	tBacktick
	tRegex
	tParam
	tPunct
	tIllegal
)

type scanMode int

const (
	modeFilter   scanMode = iota // unquoted patterns; `/` starts a regex
	modeExpr                     // identifiers; `/` and `*` are operators
	modeExprTerm                 // identifiers; `/` starts a regex, `*` a glob word
)

type token struct {
	kind       tokKind
	text       string // raw source text (punctuation, word)
	val        string // unescaped string, regex pattern, param name
	flags      string // regex flags; param default
	hasDefault bool   // ?{name=default}
	braced     bool   // ?{...}
	start, end Pos
	nl         bool        // a newline (or comment) precedes the token
	err        *Diagnostic // lexical error found while scanning this token
}

func (t token) is(punct string) bool { return t.kind == tPunct && t.text == punct }

// isKeyword reports whether t is the unquoted word kw (case-insensitive).
func (t token) isKeyword(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// puncts lists punctuation, longest first so `<=>` wins over `<=`.
var puncts = []string{"<=>", ":=", "=~", "=>", "==", "!=", "<=", ">=",
	"|", "(", ")", "[", "]", "{", "}", ",", ";", "=", "<", ">", "!", "+", "-", "*", "/", "%", ":", "$"}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// unicodeSpace returns the width of a no-break space or byte-order mark at i
// (pasted queries carry them), else 0.
func unicodeSpace(src string, i int) int {
	switch {
	case strings.HasPrefix(src[i:], "\u00a0"):
		return 2
	case strings.HasPrefix(src[i:], "\ufeff"):
		return 3
	}
	return 0
}

// isNameByte is a byte allowed in unquoted field names (spec §1.3); bytes of
// non-ASCII runes count as letters.
func isNameByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("_@#%&.\\^~", c) >= 0
}

// isPatternByte is a byte allowed in unquoted patterns besides name bytes.
func isPatternByte(c byte) bool { return isNameByte(c) || c == '*' || c == '+' || c == '-' || c == ':' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// skipSpace skips whitespace and comments from pos; nl reports a line break.
func skipSpace(src string, pos int) (next int, nl bool, err *Diagnostic) {
	for pos < len(src) {
		c := src[pos]
		switch {
		case isSpace(c):
			if c == '\n' {
				nl = true
			}
			pos++
		case c >= 0x80 && unicodeSpace(src, pos) > 0:
			pos += unicodeSpace(src, pos)
		case c == '/' && pos+1 < len(src) && src[pos+1] == '/':
			for pos < len(src) && src[pos] != '\n' {
				pos++
			}
		case c == '/' && pos+1 < len(src) && src[pos+1] == '*':
			end := strings.Index(src[pos+2:], "*/")
			if end < 0 {
				err = &Diagnostic{Span: Span{Pos(pos), Pos(len(src))}, Code: "syntax-unterminated-comment",
					Message: "comment is not closed", Hint: "close it with */"}
				return len(src), true, err
			}
			if strings.Contains(src[pos:pos+2+end], "\n") {
				nl = true
			}
			pos += end + 4
		default:
			return pos, nl, nil
		}
	}
	return pos, nl, nil
}

// scan reads one token at pos in the given mode.
func scan(src string, pos int, mode scanMode) token {
	start, nl, cerr := skipSpace(src, pos)
	t := scanAt(src, start, mode)
	t.nl = nl
	if cerr != nil && t.err == nil {
		t.err = cerr
	}
	return t
}

func scanAt(src string, pos int, mode scanMode) token {
	t := token{start: Pos(pos), end: Pos(pos)}
	if pos >= len(src) {
		t.kind = tEOF
		return t
	}
	c := src[pos]
	switch {
	case c == '"':
		return scanString(src, pos)
	case c == '`':
		end := strings.IndexAny(src[pos+1:], "`\n")
		if end < 0 || src[pos+1+end] != '`' {
			t.kind, t.end = tIllegal, Pos(len(src))
			if end >= 0 {
				t.end = Pos(pos + 1 + end)
			}
			t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-unterminated-string",
				Message: "back-quoted name is not closed", Hint: "add the closing `"}
			return t
		}
		t.kind, t.val, t.end = tBacktick, src[pos+1:pos+1+end], Pos(pos+2+end)
		t.text = src[pos:t.end]
		return t
	case c == '?':
		return scanParam(src, pos)
	case c == '/' && mode != modeExpr:
		return scanRegex(src, pos)
	case mode == modeFilter && isPatternByte(c) && !(c == ':' && pos+1 < len(src) && src[pos+1] == '='):
		t = scanWord(src, pos, true)
		if strings.HasSuffix(t.text, "//") {
			t.err = &Diagnostic{Span: Span{t.end - 2, t.end}, Code: "syntax-trailing-slashes",
				Message: "an unquoted word cannot end with //", Hint: "quote it: " + quote(t.text)}
		}
		return t
	case mode == modeExprTerm && c == '*':
		return scanWord(src, pos, true)
	case mode != modeFilter && isNameByte(c) && c != '%':
		t = scanWord(src, pos, false)
		if isNumber(t.text) {
			t.kind = tNumber
		}
		return t
	}
	for _, p := range puncts {
		if strings.HasPrefix(src[pos:], p) {
			t.kind, t.text, t.end = tPunct, p, Pos(pos+len(p))
			return t
		}
	}
	// One whole rune, so the message shows a readable character.
	n := 1
	for n < 4 && pos+n < len(src) && src[pos+n]&0xC0 == 0x80 {
		n++
	}
	t.kind, t.text, t.end = tIllegal, src[pos:pos+n], Pos(pos+n)
	t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-unexpected-char",
		Message: "unexpected character " + quoteForMessage(t.text)}
	if t.text == "'" {
		t.err.Hint = `strings use double quotes: "..."`
	}
	return t
}

// scanWord reads an unquoted pattern (pattern=true) or an identifier. Both
// may carry array suffixes `[0]` / `[]`; identifiers allow `:` only as a
// namespace separator (`array:contains`).
func scanWord(src string, pos int, pattern bool) token {
	i := pos
	for i < len(src) {
		c := src[i]
		if c >= 0x80 && unicodeSpace(src, i) > 0 {
			break
		}
		switch {
		case c == '$' && !pattern && i > pos:
			// Lenient: argument values like regex=^apples$ are written unquoted.
			i++
		case c == ':':
			if pattern {
				if i+1 < len(src) && src[i+1] == '=' {
					goto done
				}
			} else if i+1 >= len(src) || !isLetter(src[i+1]) {
				goto done
			}
			i++
		case c == '/' && pattern:
			// A slash inside a word is text; it cannot start a comment there.
			i++
		case c == '[':
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == ']' {
				i = j + 1
				continue
			}
			goto done
		case pattern && isPatternByte(c), !pattern && isNameByte(c) && c != '%':
			i++
		default:
			goto done
		}
	}
done:
	return token{kind: tWord, text: src[pos:i], start: Pos(pos), end: Pos(i)}
}

func isNumber(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

func scanString(src string, pos int) token {
	t := token{kind: tString, start: Pos(pos)}
	var b strings.Builder
	i := pos + 1
	for i < len(src) {
		c := src[i]
		switch c {
		case '"':
			t.val, t.end, t.text = b.String(), Pos(i+1), src[pos:i+1]
			return t
		case '\\':
			if i+1 < len(src) {
				switch src[i+1] {
				case '"':
					b.WriteByte('"')
				case '\\':
					b.WriteByte('\\')
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case '\n':
					b.WriteByte('\\')
					i++
					continue
				default:
					// Unknown escapes keep their backslash (regex text in strings).
					b.WriteByte('\\')
					b.WriteByte(src[i+1])
				}
				i += 2
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	end := strings.IndexByte(src[pos:], '\n')
	if end < 0 {
		end = len(src) - pos
	}
	t.kind, t.end, t.text = tIllegal, Pos(pos+end), src[pos:pos+end]
	t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-unterminated-string",
		Message: "string is not closed", Hint: `add the closing "`}
	return t
}

func scanRegex(src string, pos int) token {
	t := token{kind: tRegex, start: Pos(pos)}
	var b strings.Builder
	i := pos + 1
	inClass := false // a slash inside [...] does not end the regex
	for i < len(src) && src[i] != '\n' {
		c := src[i]
		switch {
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			i++
			// A ] right after [ or [^ is a literal member.
			if i < len(src) && src[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(src) && src[i] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == ']' && inClass:
			inClass = false
		}
		if c == '\\' && i+1 < len(src) && src[i+1] != '\n' {
			if src[i+1] == '/' {
				b.WriteByte('/')
			} else {
				b.WriteString(src[i : i+2])
			}
			i += 2
			continue
		}
		if c == '/' && !inClass {
			j := i + 1
			for j < len(src) && isLetter(src[j]) && src[j] != '_' && src[j] < 0x80 {
				j++
			}
			t.val, t.flags, t.end, t.text = b.String(), src[i+1:j], Pos(j), src[pos:j]
			for k := i + 1; k < j; k++ {
				if strings.IndexByte("imdFg", src[k]) < 0 {
					t.err = &Diagnostic{Span: Span{Pos(k), Pos(k + 1)}, Code: "syntax-bad-regex-flag",
						Message: "unknown regex flag " + quoteForMessage(src[k:k+1]),
						Hint:    "flags are i (ignore case), m (multi-line), d (dot matches newline), F (literal), g (global)"}
					break
				}
			}
			return t
		}
		b.WriteByte(c)
		i++
	}
	t.kind, t.end, t.text = tIllegal, Pos(i), src[pos:i]
	t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-unterminated-regex",
		Message: "regex is not closed", Hint: `end it with / (escape a slash inside it as \/)`}
	return t
}

func scanParam(src string, pos int) token {
	t := token{kind: tParam, start: Pos(pos)}
	i := pos + 1
	if i < len(src) && src[i] == '{' {
		t.braced = true
		j := i + 1
		inQuote := false
		for j < len(src) && (inQuote || src[j] != '}') && src[j] != '\n' {
			if src[j] == '"' {
				inQuote = !inQuote
			} else if src[j] == '\\' && inQuote {
				j++
			}
			j++
		}
		if j >= len(src) || src[j] != '}' {
			t.kind, t.end, t.text = tIllegal, Pos(min(j, len(src))), src[pos:min(j, len(src))]
			t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-unclosed-brace",
				Message: "query parameter ?{...} is not closed", Hint: "write ?{name=default}"}
			return t
		}
		body := src[i+1 : j]
		name, def, ok := strings.Cut(body, "=")
		t.val, t.flags, t.hasDefault = strings.TrimSpace(name), strings.TrimSpace(def), ok
		t.end, t.text = Pos(j+1), src[pos:j+1]
		if !isParamName(t.val) {
			t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-bad-parameter",
				Message: "query parameter has no valid name", Hint: "write ?{name=default}"}
		}
		return t
	}
	j := i
	for j < len(src) && isParamByte(src[j]) {
		j++
	}
	t.val, t.end, t.text = src[i:j], Pos(j), src[pos:j]
	if j == i {
		t.kind = tIllegal
		t.err = &Diagnostic{Span: Span{t.start, t.end}, Code: "syntax-bad-parameter",
			Message: "`?` must be followed by a parameter name", Hint: "write ?name or ?{name=default}"}
	}
	return t
}

func isParamByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '-' || c == '@' || c == '#'
}

func isParamName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isParamByte(s[i]) {
			return false
		}
	}
	return true
}

func quoteForMessage(s string) string { return "\"" + s + "\"" }
