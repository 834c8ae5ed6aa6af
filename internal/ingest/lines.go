package ingest

import (
	"bytes"

	"github.com/tiercel/tiercel/internal/event"
)

// Lines calls fn for each line of the chunk, without its "\n" or "\r\n",
// with its 1-based line number in the source. It stops when fn returns false.
// The line aliases the chunk's data. An empty line is no event and is
// skipped: a JSON document read as lines (documents.go) has one for every
// line of the file an element spans past its first.
func Lines(c event.Chunk, fn func(line []byte, lineNo int) bool) {
	data := c.Data
	lineNo := c.FirstLine
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			lineNo++
			continue
		}
		if !fn(line, lineNo) {
			return
		}
		lineNo++
	}
}

// LinesAnchored is Lines giving, with each line, where the byte anchor is
// in it, found in the pass that found the line's end: a caller looking
// for a key by that byte (engine.FindEventNameAnchored) need not scan the
// line again.
func LinesAnchored(c event.Chunk, anchor byte, fn func(line []byte, lineNo int, anchors *LineAnchors) bool) {
	data := c.Data
	lineNo := c.FirstLine
	var anchors LineAnchors
	for len(data) > 0 {
		var line []byte
		if i := IndexLineAnchored(data, anchor, &anchors); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			lineNo++
			continue
		}
		if !fn(line, lineNo, &anchors) {
			return
		}
		lineNo++
	}
}
