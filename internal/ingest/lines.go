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
	lineNo := c.FirstLine
	for data := c.Data; len(data) > 0; lineNo++ {
		var line []byte
		line, data = splitLine(data, bytes.IndexByte(data, '\n'))
		if len(line) > 0 && !fn(line, lineNo) {
			return
		}
	}
}

// LinesAnchored is Lines giving, with each line, where the byte anchor is
// in it, found in the pass that found the line's end: a caller looking
// for a key by that byte (engine.FindEventNameAnchored) need not scan the
// line again.
func LinesAnchored(c event.Chunk, anchor byte, fn func(line []byte, lineNo int, anchors *LineAnchors) bool) {
	lineNo := c.FirstLine
	var anchors LineAnchors
	for data := c.Data; len(data) > 0; lineNo++ {
		var line []byte
		line, data = splitLine(data, IndexLineAnchored(data, anchor, &anchors))
		if len(line) > 0 && !fn(line, lineNo, &anchors) {
			return
		}
	}
}

// splitLine cuts data at its newline i (-1: none, the line runs to the
// end) into the line, without its "\n" or "\r\n", and the rest.
func splitLine(data []byte, i int) (line, rest []byte) {
	if i < 0 {
		line, rest = data, nil
	} else {
		line, rest = data[:i], data[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}
