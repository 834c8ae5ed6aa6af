package sigma

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf16"
)

// windashChars are the characters `windash` lets stand for a flag's dash.
var windashChars = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// applyMod applies one value modifier to every value (left to right, as
// Sigma applies them).
func applyMod(mod string, vals []value) ([]value, error) {
	var out []value
	for _, v := range vals {
		switch mod {
		case "contains":
			v.p = v.p.wrap(true, true)
		case "startswith":
			v.p = v.p.wrap(false, true)
		case "endswith":
			v.p = v.p.wrap(true, false)
		case "windash":
			v.p = windash(v.p)
		case "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16":
			lit, ok := v.p.literal()
			if !ok {
				return nil, fmt.Errorf("%s needs a value without wildcards (put contains after it)", mod)
			}
			// Encoded text is matched byte for byte: its case is meaningful.
			switch mod {
			case "base64":
				out = append(out, value{p: litPattern(base64.StdEncoding.EncodeToString([]byte(lit))), cased: true})
			case "base64offset":
				for _, s := range base64Offsets([]byte(lit)) {
					out = append(out, value{p: litPattern(s), cased: true})
				}
			default:
				out = append(out, value{p: litPattern(encodeUTF16(mod, lit)), cased: v.cased})
			}
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func litPattern(s string) pattern {
	if s == "" {
		return pattern{}
	}
	return pattern{{kind: partLit, text: s}}
}

// base64Offsets returns the stable middle of the value's base64 encoding at
// each of the three byte offsets it can start at inside a longer text.
func base64Offsets(b []byte) []string {
	start := []int{0, 2, 3}
	endCut := []int{0, 3, 2}
	var out []string
	for i := 0; i < 3; i++ {
		enc := base64.StdEncoding.EncodeToString(append([]byte(strings.Repeat(" ", i)), b...))
		end := len(enc) - endCut[(len(b)+i)%3]
		if start[i] < end {
			out = append(out, enc[start[i]:end])
		}
	}
	return out
}

func encodeUTF16(mod, s string) string {
	units := utf16.Encode([]rune(s))
	var b []byte
	if mod == "utf16" {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range units {
		if mod == "utf16be" {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// windash lets every `-` or `/` that starts a flag (a dash after a non-word
// character and before a word character) be any of windashChars.
func windash(p pattern) pattern {
	var out pattern
	prevWord := false // a wildcard before the text: treat as a boundary
	for _, x := range p {
		if x.kind != partLit {
			out = append(out, x)
			prevWord = false
			continue
		}
		t := x.text
		start := 0
		for i := 0; i < len(t); i++ {
			c := t[i]
			before := prevWord
			if i > 0 {
				before = isWordByte(t[i-1])
			}
			if (c == '-' || c == '/') && !before && i+1 < len(t) && isWordByte(t[i+1]) {
				if i > start {
					out = append(out, part{kind: partLit, text: t[start:i]})
				}
				out = append(out, part{kind: partClass, alts: windashChars})
				start = i + 1
			}
		}
		if start < len(t) {
			out = append(out, part{kind: partLit, text: t[start:]})
		}
		if len(t) > 0 {
			prevWord = isWordByte(t[len(t)-1])
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// checkRegex rejects a Sigma regex the engine cannot run. Go's RE2 syntax
// covers the Sigma flavour (PCRE subset) plus \s, \d, \w and (?i).
func checkRegex(re string) error {
	if _, err := syntax.Parse(re, syntax.Perl); err != nil {
		return fmt.Errorf("regex %q: %v", re, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	_, err := regexp.Compile(re)
	return err
}
