package ingest

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Events also come as one JSON document rather than one per line: a JSON
// array (LogScale's search API answering application/json, most export
// buttons) or objects pretty-printed over many lines (jq's default output,
// ConvertTo-Json, json.dumps with indent). Such a stream is read as NDJSON:
// each element becomes one compact line, so everything after the line
// split (the prefilter, the raw field scans, reports by line) works as for
// NDJSON. An element is put on the line of the file it starts on, or on the
// line after the previous element's when several share a line (a one-line
// array numbers its elements), so a report names a line the user can find.

// isJSONDocument says whether a stream whose first bytes are head is a JSON
// document of events: an array of objects (it starts with '[' then '{', or
// is an empty array), or objects whose first line is a lone '{'. An NDJSON
// file whose first line is cut short starts with '{' too, but that line
// holds more than the brace; a text log's first line may start with '['
// (a bracketed date), but not with "[{".
func isJSONDocument(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n")
	if len(h) == 0 {
		return false
	}
	switch h[0] {
	case '[':
		h = bytes.TrimLeft(h[1:], " \t\r\n")
		return len(h) > 0 && (h[0] == '{' || h[0] == ']')
	case '{':
		end := bytes.IndexByte(h, '\n')
		return end >= 0 && len(bytes.TrimSpace(h[:end])) == 1
	}
	return false
}

// documentLines reads a JSON document as NDJSON (see above). It checks only
// what it needs to find where elements start and end (strings, escapes,
// nesting): an element that is not valid JSON comes out as one line, which
// the decoder reports.
type documentLines struct {
	src     io.Reader
	in      []byte
	r, w    int   // in[r:w] is read and not yet looked at
	err     error // src's, once in is drained
	srcLine int   // the file's line being read, from 1
	outLine int   // the output's line, from 1
	started bool  // an element was written
	newline int   // newlines owed before the next byte written

	inArray bool // inside the outermost '['
	inElem  bool
	fresh   bool // the element has no byte yet
	depth   int  // of brackets and braces inside the element
	inStr   bool
	escaped bool
}

func newDocumentLines(src io.Reader) *documentLines {
	return &documentLines{src: src, in: make([]byte, 64<<10), srcLine: 1, outLine: 1}
}

func (d *documentLines) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.newline > 0 {
			p[n] = '\n'
			n++
			d.newline--
			continue
		}
		if d.r == d.w {
			if d.err != nil {
				if d.inElem || d.started {
					d.finish()
					continue
				}
				break
			}
			if n > 0 {
				return n, nil // hand over what is done before blocking on src
			}
			d.r, d.w = 0, 0
			m, err := d.src.Read(d.in)
			d.w, d.err = m, err
			if m == 0 && err == nil {
				return n, nil // no progress: the caller tries again
			}
			continue
		}
		if d.inElem {
			n += d.copyElement(p[n:])
			continue
		}
		b := d.in[d.r]
		d.r++
		d.between(b)
	}
	if n == 0 && d.err != nil {
		return 0, d.err
	}
	return n, nil
}

// finish ends the last element's line once src has ended.
func (d *documentLines) finish() {
	if d.started {
		d.newline++
		d.started = false
	}
	d.inElem = false
}

// between handles a byte outside any element: whitespace and the commas
// and brackets of the outermost array are skipped; anything else starts an
// element on a line of its own.
func (d *documentLines) between(b byte) {
	switch b {
	case '\n':
		d.srcLine++
		return
	case ' ', '\t', '\r', ',':
		return
	case '[':
		if !d.inArray {
			d.inArray = true
			return
		}
	case ']':
		if d.inArray {
			d.inArray = false
			return
		}
	}
	owed := d.srcLine - d.outLine
	if d.started {
		owed = max(owed, 1)
	}
	d.newline += owed
	d.outLine += owed
	d.started = true
	d.inElem = true
	d.fresh = true
	d.depth = 0
	d.r-- // the element's first byte, read again as part of it
}

// copyElement copies the element being read from d.in into p until it
// ends or either runs out, and returns how many bytes it wrote. Whitespace
// outside strings is dropped. One loop with the state in locals: this is
// every byte of the input.
func (d *documentLines) copyElement(p []byte) int {
	in := d.in[d.r:d.w]
	inStr, escaped, depth, fresh := d.inStr, d.escaped, d.depth, d.fresh
	lines := 0
	i, n := 0, 0
	ended := false
	for i < len(in) && n < len(p) {
		if inStr && !escaped {
			// a run of plain bytes, copied in a loop of its own
			run := min(len(in)-i, len(p)-n)
			k := plainStringRun(in[i : i+run])
			copy(p[n:], in[i:i+k])
			i, n = i+k, n+k
			if k == run {
				continue
			}
		} else if !inStr && (in[i] == ' ' || in[i] == '\t') && depth > 0 {
			for i < len(in) && (in[i] == ' ' || in[i] == '\t') {
				i++ // indentation
			}
			continue
		}
		b := in[i]
		if inStr {
			i++
			switch {
			case b == '\n':
				// A raw newline cannot be inside a JSON string (nor be
				// escaped): its closing quote is missing. The string is
				// taken to end with the line, so the element's nesting
				// still finds its end: one broken element is one
				// malformed line, not every line after it.
				lines++
				inStr, escaped = false, false
				continue
			case escaped:
				escaped = false
			case !inStringMark[b]:
			case b == '\\':
				escaped = true
			case b == '"':
				inStr = false
				if depth == 0 {
					ended = true // a string on its own
				}
			}
			p[n] = b
			n++
			if ended {
				break
			}
			continue
		}
		if !structural[b] {
			i++
			p[n] = b
			n++
			fresh = false
			continue
		}
		switch b {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				ended = true
				if fresh {
					i++
					p[n] = b // a stray bracket: a line of its own
					n++
				} // else it closes the array a bare value was in: read again
				break
			}
			depth--
			if depth == 0 {
				ended = true
				i++
				p[n] = b
				n++
			}
		case ',':
			if depth == 0 {
				ended = true
				i++
			}
		case '\n', ' ', '\t', '\r':
			if b == '\n' {
				lines++
			}
			i++
			if ended = depth == 0; ended {
				break // a bare value ends at a space
			}
			continue
		}
		if ended {
			break
		}
		i++
		p[n] = b
		n++
		fresh = false
	}
	d.r += i
	d.srcLine += lines
	d.inStr, d.escaped, d.depth, d.fresh = inStr, escaped, depth, fresh
	d.inElem = !ended
	return n
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
