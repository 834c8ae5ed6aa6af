package sensor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// Format names a sensor log format recognised by content.
type Format string

// The formats Detect recognises.
const (
	FormatNone        Format = ""
	FormatEVTX        Format = "evtx"
	FormatWinXML      Format = "windows-xml"       // wevtutil qe /f:xml, Event Viewer XML
	FormatWinlogbeat  Format = "winlogbeat"        // Winlogbeat / Elastic Agent NDJSON
	FormatGetWinEvent Format = "get-winevent-json" // Get-WinEvent | ConvertTo-Json
	FormatAuditd      Format = "auditd"            // raw audit.log
	FormatLaurel      Format = "laurel"            // Laurel JSON lines
	FormatDefender    Format = "defender-json"     // Advanced Hunting JSON (lines or array)
	FormatDefenderCSV Format = "defender-csv"      // Advanced Hunting CSV export
	FormatFalconCSV   Format = "falcon-csv"        // Falcon events exported as CSV
	FormatSquid       Format = "squid"             // Squid native access.log
	FormatSquidHTTPD  Format = "squid-combined"    // Squid's combined/common logformat (Apache style)
	FormatW3C         Format = "w3c"               // W3C extended log (#Fields:)
)

// Problem is a record of a sensor log that was skipped, with its position.
type Problem struct {
	Source string
	Line   int    // 1-based line (line formats) or 0
	Record uint64 // record number (EVTX, JSON arrays) when Line is 0
	Err    error
}

func (p Problem) Error() string {
	switch {
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %v", p.Source, p.Line, p.Err)
	case p.Record > 0:
		return fmt.Sprintf("%s: record %d: %v", p.Source, p.Record, p.Err)
	}
	return fmt.Sprintf("%s: %v", p.Source, p.Err)
}

func (p Problem) Unwrap() error { return p.Err }

// Stats counts what Convert did.
type Stats struct {
	Records int // source records read
	Events  int // events written
	Skipped int // records skipped as damaged
}

// add counts o's records, events and skips into s (a block of a file
// converted on its own).
func (s *Stats) add(o Stats) {
	s.Records += o.Records
	s.Events += o.Events
	s.Skipped += o.Skipped
}

var (
	squidLine    = regexp.MustCompile(`^\d{9,11}\.\d{3}\s+-?\d+ \S+ [A-Z_]+/\d{3} \d+ \S+ \S+ \S+ \S+/\S+ \S+`)
	combinedLine = regexp.MustCompile(`^(\S+) (\S+) (\S+) \[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+)(?: HTTP/[\d.]+)?" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(?: (\S+):(\S+))?\s*$`)
	auditLine    = regexp.MustCompile(`^(node=\S+ )?type=[A-Z_0-9]+ msg=audit\(\d+\.\d+:\d+\):`)
)

// Detect tells a sensor format from the first bytes of a (decompressed)
// stream, or FormatNone for Falcon NDJSON and anything unknown.
func Detect(head []byte) Format {
	if IsEVTX(head) {
		return FormatEVTX
	}
	h := bytes.TrimLeft(decodeHead(head), " \t\r\n")
	first := h
	if i := bytes.IndexByte(h, '\n'); i >= 0 {
		first = h[:i]
	}
	first = bytes.TrimRight(first, "\r")
	switch {
	case len(h) == 0:
		return FormatNone
	case h[0] == '<':
		if bytes.Contains(h, []byte("<Event")) && bytes.Contains(h, []byte("<System")) {
			return FormatWinXML
		}
	case h[0] == '{':
		return detectJSONObject(first)
	case h[0] == '[':
		return detectJSONArray(h)
	case h[0] == '#':
		if bytes.HasPrefix(h, []byte("#Software:")) || bytes.HasPrefix(h, []byte("#Version:")) ||
			bytes.HasPrefix(h, []byte("#Fields:")) || bytes.HasPrefix(h, []byte("#Date:")) {
			if bytes.Contains(h, []byte("#Fields:")) {
				return FormatW3C
			}
		}
	case auditLine.Match(first):
		return FormatAuditd
	case squidLine.Match(first):
		return FormatSquid
	case combinedLine.Match(first):
		return FormatSquidHTTPD
	case isDefenderHeader(first):
		return FormatDefenderCSV
	case isFalconCSVHeader(first):
		return FormatFalconCSV
	}
	return FormatNone
}

func detectJSONObject(line []byte) Format {
	var obj map[string]json.RawMessage
	if json.Unmarshal(line, &obj) != nil {
		// A Get-WinEvent object pretty-printed over many lines.
		return FormatNone
	}
	return classifyObject(obj)
}

func classifyObject(obj map[string]json.RawMessage) Format {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("event_simpleName"):
		return FormatNone
	case has("winlog"):
		return FormatWinlogbeat
	case has("SYSCALL") || has("EXECVE") || (has("ID") && has("PROCTITLE")):
		return FormatLaurel
	case has("DeviceName") && has("Timestamp") && has("ActionType"):
		return FormatDefender
	case has("LogName") && has("Id") && has("ProviderName"):
		return FormatGetWinEvent
	}
	return FormatNone
}

func detectJSONArray(h []byte) Format {
	dec := json.NewDecoder(bytes.NewReader(h))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return FormatNone
	}
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		// The head may cut the first object; look for the keys instead.
		switch {
		case bytes.Contains(h, []byte(`"ProviderName"`)) && bytes.Contains(h, []byte(`"LogName"`)):
			return FormatGetWinEvent
		case bytes.Contains(h, []byte(`"DeviceName"`)) && bytes.Contains(h, []byte(`"ActionType"`)):
			return FormatDefender
		}
		return FormatNone
	}
	switch f := classifyObject(obj); f {
	case FormatGetWinEvent, FormatDefender:
		return f
	}
	return FormatNone
}

// Convert reads src in format f and writes one Falcon-model JSON line per
// event to w. Damaged records go to skip (when not nil) and are counted.
// The error is for src or w failing as a whole.
func Convert(f Format, source string, src io.Reader, w io.Writer, skip func(Problem)) (Stats, error) {
	c := &converter{source: source, w: bufio.NewWriterSize(w, 64<<10), skip: skip}
	if f != FormatEVTX {
		src = textReader(src)
	}
	var err error
	switch f {
	case FormatEVTX:
		err = c.evtx(src)
	case FormatWinXML:
		err = c.winXML(src)
	case FormatWinlogbeat:
		err = c.lines(src, c.winlogbeatLine)
	case FormatGetWinEvent:
		err = c.jsonRecords(src, c.getWinEvent)
	case FormatAuditd:
		err = c.auditd(src)
	case FormatLaurel:
		err = c.lines(src, c.laurelLine)
	case FormatDefender:
		err = c.jsonRecords(src, c.defenderObject)
	case FormatDefenderCSV:
		err = c.defenderCSV(src)
	case FormatFalconCSV:
		err = c.falconCSV(src)
	case FormatSquid:
		err = c.lines(src, c.squidLine)
	case FormatSquidHTTPD:
		err = c.lines(src, c.combinedLine)
	case FormatW3C:
		err = c.w3c(src)
	default:
		err = fmt.Errorf("unknown sensor format %q", f)
	}
	if ferr := c.w.Flush(); err == nil {
		err = ferr
	}
	return c.st, err
}

type converter struct {
	source string
	w      *bufio.Writer
	skip   func(Problem)
	st     Stats
	buf    []byte
	werr   error
	procs  map[string]string // auditd: pid → executable, for parent names
	row    Out               // a CSV row's fields, written again for each
	// csvBlock is how much of a CSV a block holds (csvBlockSize when 0)
	csvBlock int
}

func (c *converter) emit(o *Out) {
	c.buf = o.AppendJSON(c.buf[:0])
	if _, err := c.w.Write(c.buf); err != nil && c.werr == nil {
		c.werr = err
	}
	c.st.Events++
}

func (c *converter) problem(line int, record uint64, err error) {
	c.st.Skipped++
	if c.skip != nil {
		c.skip(Problem{Source: c.source, Line: line, Record: record, Err: err})
	}
}

// lines feeds every non-blank line to fn with its number.
func (c *converter) lines(src io.Reader, fn func(line []byte, n int) error) error {
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimRight(sc.Bytes(), "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c.st.Records++
		if err := fn(line, n); err != nil {
			c.problem(n, 0, err)
		}
		if c.werr != nil {
			return c.werr
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("after line %d: %w", n, err)
	}
	return nil
}

// jsonRecords reads a JSON array of objects, or objects one after another
// (one per line or pretty-printed), calling fn for each.
func (c *converter) jsonRecords(src io.Reader, fn func(obj map[string]any) error) error {
	br := bufio.NewReader(src)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	var rec uint64
	array := false
	if b, err := peekNonSpace(br); err == nil && b == '[' {
		if _, err := dec.Token(); err != nil {
			return err
		}
		array = true
	}
	for {
		if array && !dec.More() {
			return nil
		}
		var obj map[string]any
		err := dec.Decode(&obj)
		if err == io.EOF && !array {
			return nil
		}
		rec++
		if err != nil {
			c.problem(0, rec, fmt.Errorf("invalid JSON: %v; rest of input skipped", err))
			return nil
		}
		c.st.Records++
		if err := fn(obj); err != nil {
			c.problem(0, rec, err)
		}
		if c.werr != nil {
			return c.werr
		}
	}
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if err != nil {
			return 0, err
		}
		switch b[i-1] {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			continue
		}
		return b[i-1], nil
	}
}

// str renders a decoded JSON value as the string Falcon would carry.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
