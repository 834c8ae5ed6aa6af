package sigma

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// partKind is what one piece of a Sigma string pattern matches.
type partKind uint8

const (
	partLit   partKind = iota // literal text
	partStar                  // `*`: any run of characters
	partOne                   // `?`: exactly one character
	partClass                 // one of a set of strings (windash)
	partRegex                 // a regex fragment a mapping inserted (\Device\HarddiskVolume\d+)
)

type part struct {
	kind partKind
	text string   // partLit, partRegex
	alts []string // partClass; partRegex: sample texts it matches
}

// pattern is a Sigma string value with its wildcards resolved: a sequence of
// literal runs and wildcards. Plain Sigma values are matched whole and
// case-insensitively; `*` and `?` are wildcards unless escaped.
type pattern []part

// parsePattern reads a Sigma string. A backslash escapes `*`, `?` and `\`;
// any other backslash is literal (Windows paths are written as is).
func parsePattern(s string) pattern {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, part{kind: partLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*':
			flush()
			if len(p) == 0 || p[len(p)-1].kind != partStar {
				p = append(p, part{kind: partStar})
			}
		case c == '?':
			flush()
			p = append(p, part{kind: partOne})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p
}

// literal returns the pattern's text when it has no wildcards.
func (p pattern) literal() (string, bool) {
	var b strings.Builder
	for _, x := range p {
		if x.kind != partLit {
			return "", false
		}
		b.WriteString(x.text)
	}
	return b.String(), true
}

func (p pattern) hasLetters() bool {
	for _, x := range p {
		var ss []string
		switch x.kind {
		case partLit:
			ss = []string{x.text}
		case partClass:
			ss = x.alts
		}
		for _, s := range ss {
			if strings.ToLower(s) != strings.ToUpper(s) {
				return true
			}
		}
	}
	return false
}

func (p pattern) startsStar() bool { return len(p) > 0 && p[0].kind == partStar }
func (p pattern) endsStar() bool   { return len(p) > 0 && p[len(p)-1].kind == partStar }

// wrap adds leading and/or trailing `*` (contains, startswith, endswith).
func (p pattern) wrap(lead, trail bool) pattern {
	out := append(pattern(nil), p...)
	if lead && !out.startsStar() {
		out = append(pattern{{kind: partStar}}, out...)
	}
	if trail && !out.endsStar() {
		out = append(out, part{kind: partStar})
	}
	return out
}

// regex renders the pattern as an anchored regex (anchors dropped next to a
// leading or trailing `*`).
func (p pattern) regex() string {
	var b strings.Builder
	parts := p
	if !p.startsStar() {
		b.WriteByte('^')
	} else {
		parts = parts[1:]
	}
	trail := len(parts) > 0 && parts[len(parts)-1].kind == partStar
	if trail {
		parts = parts[:len(parts)-1]
	}
	for _, x := range parts {
		switch x.kind {
		case partLit:
			b.WriteString(quoteRegex(x.text))
		case partStar:
			b.WriteString(".*")
		case partOne:
			b.WriteString(".")
		case partRegex:
			b.WriteString(x.text)
		case partClass:
			single := true
			for _, a := range x.alts {
				if len([]rune(a)) != 1 {
					single = false
				}
			}
			if single {
				b.WriteByte('[')
				for _, a := range x.alts {
					if a == "-" || a == "]" || a == "\\" || a == "^" || a == "/" {
						b.WriteByte('\\')
					}
					b.WriteString(a)
				}
				b.WriteByte(']')
			} else {
				var q []string
				for _, a := range x.alts {
					q = append(q, quoteRegex(a))
				}
				b.WriteString("(" + strings.Join(q, "|") + ")")
			}
		}
	}
	if !trail && len(p) > 0 {
		b.WriteByte('$')
	}
	if len(p) == 0 {
		b.WriteString("$")
	}
	return b.String()
}

// innerWildcard reports whether a wildcard stands between literal text,
// where the regex needs `.` to match newlines too (Sigma's `*` and `?`
// match any character).
func (p pattern) innerWildcard() bool {
	for i, x := range p {
		if (x.kind == partStar || x.kind == partOne) && i > 0 && i < len(p)-1 || x.kind == partOne {
			return true
		}
	}
	return false
}

// quoteRegex escapes regex metacharacters and the CQL regex delimiter `/`;
// control bytes and invalid UTF-8 (from utf16 encodings) become \xHH.
func quoteRegex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case strings.IndexByte(`\.+*?()|[]{}^$/`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x` + hex2(c))
			i++
		case c < 0x80:
			b.WriteByte(c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == 0xFFFD && n <= 1 {
				b.WriteString(`\x` + hex2(c))
				i++
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
		}
	}
	return b.String()
}

func hex2(c byte) string {
	const h = "0123456789abcdef"
	return string([]byte{h[c>>4], h[c&15]})
}

// compile builds a Go regexp equivalent to the pattern (used by tests and
// the event generator).
func (p pattern) compile(cased bool) *regexp.Regexp {
	flags := "(?s)"
	if !cased {
		flags = "(?is)"
	}
	return regexp.MustCompile(flags + p.regex())
}
