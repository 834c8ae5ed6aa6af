package ingest

import "encoding/binary"

// docState is where compaction stands in a JSON document: between elements
// or inside one, and inside an element its nesting and strings.
type docState struct {
	inArray bool // inside the outermost '['
	inElem  bool
	fresh   bool // the element has no byte yet
	depth   int  // of brackets and braces inside the element
	inStr   bool
	escaped bool
}

// between reports whether st is between elements, of the outermost array
// or not: where a block cut before an element's '{' assumes it starts.
func (st docState) between(inArray bool) bool {
	return !st.inElem && st.inArray == inArray
}

// docBlock is a run of a document's bytes and what compacting them gave:
// the elements' bytes without whitespace, back to back in out, and where
// each element starts in out with the newlines of in before it. Bytes of
// out before the first start continue an element begun in an earlier
// block. Compacting never writes more than it reads.
type docBlock struct {
	in    []byte
	start docState // assumed until the block before has ended (speculative)
	// speculative: start was guessed from a cut before an element; blind:
	// no cut was found, so the block is compacted once the one before has
	// ended
	speculative, blind bool
	out                []byte
	elems              []docElem
	lines              int // newlines in in
	end                docState
	done               chan struct{} // closed when compacted
}

type docElem struct{ at, line int }

// compact compacts b.in from b.start: whitespace outside strings goes,
// and what stays is copied in runs, one between two bytes that go. One
// loop with the state in locals: this is every byte of the input.
func (b *docBlock) compact() {
	in := b.in
	if cap(b.out) < len(in) {
		b.out = make([]byte, len(in))
	}
	out := b.out[:len(in)]
	b.elems = b.elems[:0]
	st := b.start
	inArray, inElem, fresh, depth, inStr, escaped := st.inArray, st.inElem, st.fresh, st.depth, st.inStr, st.escaped
	n, lines := 0, 0
	from := 0 // in[from:i] stays and is not copied yet
	i := 0
	for i < len(in) {
		if !inElem {
			switch in[i] {
			case '\n':
				lines++
				i++
				continue
			case ' ', '\t', '\r', ',':
				i++
				continue
			case '[':
				if !inArray {
					inArray = true
					i++
					continue
				}
			case ']':
				if inArray {
					inArray = false
					i++
					continue
				}
			}
			// anything else starts an element, this byte its first
			b.elems = append(b.elems, docElem{at: n, line: lines})
			inElem, fresh, depth = true, true, 0
			from = i
		}
		if inStr {
			if !escaped {
				if i = stringRun(in, i); i == len(in) {
					break
				}
			}
			c := in[i]
			i++
			switch {
			case c == '\n':
				// A raw newline cannot be inside a JSON string (nor be
				// escaped): its closing quote is missing. The string is
				// taken to end with the line, so the element's nesting
				// still finds its end: one broken element is one
				// malformed line, not every line after it.
				lines++
				inStr, escaped = false, false
				n += copy(out[n:], in[from:i-1])
				from = i
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inStr = false
				if depth == 0 { // a string on its own
					n += copy(out[n:], in[from:i])
					inElem = false
				}
			}
			continue
		}
		c := in[i]
		if !structural[c] {
			i++
			fresh = false
			continue
		}
		end := -1 // where the element ends, when it does
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				if fresh {
					i++ // a stray bracket: a line of its own
				} // else it closes the array a bare value was in: read again
				end = i
				break
			}
			if depth--; depth == 0 {
				end = i + 1
			}
		case ',':
			if depth == 0 {
				end = i
			}
		case '\n', ' ', '\t', '\r':
			n += copy(out[n:], in[from:i])
			if depth == 0 {
				end = i // a bare value ends at a space
			}
			for i < len(in) && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n' && depth > 0) {
				if in[i] == '\n' {
					lines++
				}
				i++ // indentation
			}
			if end >= 0 {
				from = end
				if i == end && in[i] == '\n' { // the bare value's line ends
					lines++
					i++
				}
				inElem = false
				continue
			}
			from = i
			continue
		}
		if end >= 0 {
			n += copy(out[n:], in[from:end])
			inElem = false
			i = max(i, end)
			if c == ',' {
				i++
			}
			continue
		}
		i++
		fresh = false
	}
	if inElem {
		n += copy(out[n:], in[from:i])
	}
	b.out, b.lines = out[:n], lines
	b.end = docState{inArray: inArray, inElem: inElem, fresh: fresh, depth: depth, inStr: inStr, escaped: escaped}
}

// stringRun returns where the run of a string's plain bytes and escapes
// (Windows paths are full of them) that starts at in[i] ends: at a quote,
// a newline, a backslash before a newline, or the end of in.
func stringRun(in []byte, i int) int {
	for {
		i += plainStringRun(in[i:])
		if i+1 >= len(in) || in[i] != '\\' || in[i+1] == '\n' {
			return i
		}
		i += 2
	}
}

// structural marks the bytes an element looks at outside strings, and
// inStringMark those it looks at inside.
var structural, inStringMark = marks("\"{}[],\n \t\r"), marks("\"\\\n")

func marks(bs string) (t [256]bool) {
	for i := range len(bs) {
		t[bs[i]] = true
	}
	return t
}

// plainStringRun returns how many bytes at the start of b hold no quote,
// backslash or newline: eight at a time while it can (swar.go). The
// decoder's SSE2 stringEnd, called a string, took end to end 15% longer
// on Falcon lines, whose strings are mostly short.
func plainStringRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if zeroBytes(w^quotes)|zeroBytes(w^backslashes)|zeroBytes(w^newlines) != 0 {
			break
		}
	}
	for i < len(b) && !inStringMark[b[i]] {
		i++
	}
	return i
}
