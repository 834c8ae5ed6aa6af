package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/valyala/fastjson"
)

// ErrBlank is returned by Decode for an empty or all-whitespace line, which
// callers skip silently.
var ErrBlank = errors.New("blank line")

// Decoder turns NDJSON lines into events holding only the fields a consumer
// needs. It reuses its parser and buffers, so it is not safe for concurrent
// use: give each worker its own.
type Decoder struct {
	needs   event.Needs
	names   map[string]string // wanted exact names, to reuse their strings
	wantTag bool              // #event_simpleName
	wantRaw bool              // @rawstring

	parser  fastjson.Parser
	ev      *event.Event
	name    []byte // flattened name of the value being visited
	scratch []byte

	// Top-level values found during the walk that feed derived fields.
	isoTS, falconTS, contextTS, simpleName *fastjson.Value
}

// NewDecoder returns a decoder that keeps the fields needs wants.
func NewDecoder(needs event.Needs) *Decoder {
	d := &Decoder{
		needs:   needs,
		names:   make(map[string]string, len(needs.Fields)),
		wantTag: needs.Wants(event.SimpleName),
		wantRaw: needs.Raw || needs.All,
	}
	for _, f := range needs.Fields {
		d.names[f] = f
	}
	return d
}

// Decode resets ev and fills it from one JSON object line (a trailing "\r\n"
// is ignored). Strings in ev live in ev's arena. It returns ErrBlank for a
// blank line and a short description for anything that is not a JSON object.
//
// @timestamp is always set when the line has a time: from @timestamp, else
// Falcon's timestamp, else ContextTimeStamp, as epoch milliseconds.
func (d *Decoder) Decode(line []byte, ev *event.Event) error {
	ev.Reset()
	for n := len(line); n > 0 && (line[n-1] == '\n' || line[n-1] == '\r'); n = len(line) {
		line = line[:n-1]
	}
	if len(trimSpace(line)) == 0 {
		return ErrBlank
	}
	v, err := d.parser.ParseBytes(line)
	if err != nil {
		return syntaxError(line, err)
	}
	obj, err := v.Object()
	if err != nil {
		return fmt.Errorf("JSON value is %s, not an object", v.Type())
	}
	d.ev = ev
	d.name = d.name[:0]
	d.isoTS, d.falconTS, d.contextTS, d.simpleName = nil, nil, nil, nil
	obj.Visit(d.visitTop)
	d.ev = nil

	d.setTimestamp(ev)
	if d.wantTag && d.simpleName != nil {
		if b, ok := d.scalar(d.simpleName); ok {
			ev.SetBytes(event.SimpleName, b)
		}
	}
	if d.wantRaw {
		ev.SetBytes(event.RawString, line)
	}
	return nil
}

// visitTop handles a top-level key: it notes the values that feed derived
// fields, then stores the field if wanted.
func (d *Decoder) visitTop(key []byte, v *fastjson.Value) {
	switch string(key) {
	case event.Timestamp:
		d.isoTS = v
	case "timestamp":
		d.falconTS = v
	case "ContextTimeStamp":
		d.contextTS = v
	case "event_simpleName":
		d.simpleName = v
	}
	d.name = append(d.name[:0], key...)
	d.value(v)
}

func (d *Decoder) visitNested(key []byte, v *fastjson.Value) {
	base := len(d.name)
	d.name = append(d.name, '.')
	d.name = append(d.name, key...)
	d.value(v)
	d.name = d.name[:base]
}

// value stores v under d.name, flattening objects to a.b and arrays to a[0].
func (d *Decoder) value(v *fastjson.Value) {
	switch v.Type() {
	case fastjson.TypeNull:
	case fastjson.TypeObject:
		if d.wantsUnder() {
			obj, _ := v.Object()
			obj.Visit(d.visitNested)
		}
	case fastjson.TypeArray:
		if !d.wantsUnder() {
			return
		}
		items, _ := v.Array()
		base := len(d.name)
		for i, item := range items {
			d.name = append(d.name, '[')
			d.name = strconv.AppendInt(d.name, int64(i), 10)
			d.name = append(d.name, ']')
			d.value(item)
			d.name = d.name[:base]
		}
	default:
		name, ok := d.wanted()
		if !ok {
			return
		}
		if b, ok := d.scalar(v); ok {
			d.ev.SetBytes(name, b)
		}
	}
}

// scalar returns the text of a string (unescaped), number or boolean.
func (d *Decoder) scalar(v *fastjson.Value) ([]byte, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return b, true
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		d.scratch = v.MarshalTo(d.scratch[:0])
		return d.scratch, true
	}
	return nil, false
}

// wanted reports whether the field d.name is needed and returns a name
// string that outlives the decode: the needs' own string when it is listed,
// else a copy in the event's arena.
func (d *Decoder) wanted() (string, bool) {
	if s, ok := d.names[string(d.name)]; ok {
		return s, true
	}
	if d.needs.All || d.matchesPrefix() {
		return d.ev.ArenaString(d.name), true
	}
	return "", false
}

func (d *Decoder) matchesPrefix() bool {
	for _, p := range d.needs.Prefixes {
		if bytes.HasPrefix(d.name, unsafe.Slice(unsafe.StringData(p), len(p))) {
			return true
		}
	}
	return false
}

// wantsUnder reports whether any needed field may lie below the container
// named d.name, so unneeded objects and arrays are not walked.
func (d *Decoder) wantsUnder() bool {
	if d.needs.All {
		return true
	}
	name := unsafe.String(unsafe.SliceData(d.name), len(d.name))
	for _, p := range d.needs.Prefixes {
		if strings.HasPrefix(p, name) || strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, f := range d.needs.Fields {
		if len(f) > len(name) && strings.HasPrefix(f, name) && (f[len(name)] == '.' || f[len(name)] == '[') {
			return true
		}
	}
	return false
}

// setTimestamp derives @timestamp (epoch ms) from the first source that
// parses, in the order design.md §5 fixes.
func (d *Decoder) setTimestamp(ev *event.Event) {
	for _, v := range [...]*fastjson.Value{d.isoTS, d.falconTS, d.contextTS} {
		if v == nil {
			continue
		}
		b, ok := d.scalar(v)
		if !ok {
			continue
		}
		if ms, ok := parseMillis(b); ok {
			d.scratch = strconv.AppendInt(d.scratch[:0], ms, 10)
			ev.SetBytes(event.Timestamp, d.scratch)
			return
		}
	}
	// A copied @timestamp that is not a time must not pass for one.
	ev.Delete(event.Timestamp)
}

// syntaxError describes a malformed line briefly, with the byte offset of
// the problem. encoding/json gives better positions than fastjson and runs
// only on this rare path.
func syntaxError(line []byte, parseErr error) error {
	var raw json.RawMessage
	err := json.Unmarshal(line, &raw)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON: %s at offset %d", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	}
	return fmt.Errorf("invalid JSON: %v", parseErr)
}
