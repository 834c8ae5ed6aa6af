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

// MaxFields bounds the fields one decoded line may give (a line within the
// length limit can hold millions of keys); such a line is reported and
// skipped like a malformed one.
const MaxFields = 1_000_000

// Decoder turns NDJSON lines into events holding only the fields a consumer
// needs. It reuses its parser and buffers, so it is not safe for concurrent
// use: give each worker its own.
type Decoder struct {
	needs   event.Needs
	names   map[string]string // wanted exact names, to reuse their strings
	wantTag bool              // #event_simpleName
	wantTS  bool              // @timestamp: derived only for consumers that read it
	wantRaw bool              // @rawstring

	// keyFilter has a bit set for the hash of every wanted exact name, so
	// most unwanted keys are skipped without a map lookup; keyNames holds
	// the name of a hash only one wanted name has, compared instead of a
	// lookup ("": several, looked up). A hunt wants most keys of a line.
	keyFilter [keyFilterWords]uint64
	keyNames  *[keyFilterWords * 64]string
	scan      ObjectScanner

	parser  fastjson.Parser
	ev      *event.Event
	name    []byte // flattened name of the value being visited
	scratch []byte
	keyBuf  []byte

	// Top-level values found during the walk that feed derived fields.
	isoTS, falconTS, contextTS, simpleName *fastjson.Value
	// The same for the flat scan: text and whether the source was seen.
	sources    [numSources]Member
	hasSource  [numSources]bool
	sourceText [numSources][]byte
}

// Derived-field sources, in the order design.md §5 tries the time sources.
const (
	srcISO = iota
	srcFalcon
	srcContext
	srcSimpleName
	numSources
)

// NewDecoder returns a decoder that keeps the fields needs wants.
func NewDecoder(needs event.Needs) *Decoder {
	d := &Decoder{
		needs:   needs,
		names:   make(map[string]string, len(needs.Fields)),
		wantTag: needs.Wants(event.SimpleName),
		wantTS:  needs.Wants(event.Timestamp),
		wantRaw: needs.Raw || needs.All,
	}
	filtered := !needs.All && len(needs.Prefixes) == 0 // decodeFlat's test
	if filtered {
		d.keyNames = new([keyFilterWords * 64]string)
	}
	for _, f := range needs.Fields {
		d.names[f] = f
		h := keyHash([]byte(f))
		if filtered {
			if d.keyFilter[h/64]&(1<<(h%64)) == 0 {
				d.keyNames[h] = f
			} else {
				d.keyNames[h] = "" // shared: the map tells
			}
		}
		d.keyFilter[h/64] |= 1 << (h % 64)
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
	if !d.decodeFlat(line, ev) {
		// Malformed, or a wanted nested value to flatten: the tree walk
		// gives the exact error or the flattened fields.
		ev.Reset()
		if err := d.decodeTree(line, ev); err != nil {
			return err
		}
	}
	if ev.Len() > MaxFields {
		n := ev.Len()
		ev.Reset()
		return fmt.Errorf("too many fields: %d, over the limit of %d; skipped", n, MaxFields)
	}
	if d.wantRaw {
		ev.SetBytes(event.RawString, line)
	}
	return nil
}

// decodeTree decodes line through fastjson's tree, flattening nested
// objects and arrays.
func (d *Decoder) decodeTree(line []byte, ev *event.Event) error {
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

	var texts [numSources][]byte
	var has [numSources]bool
	for i, v := range [...]*fastjson.Value{d.isoTS, d.falconTS, d.contextTS, d.simpleName} {
		if v != nil && d.derives(i) {
			// copied: scalar reuses d.scratch for numbers
			if b, ok := d.scalar(v); ok {
				d.sourceText[i] = append(d.sourceText[i][:0], b...)
				texts[i], has[i] = d.sourceText[i], true
			}
		}
	}
	d.setDerived(ev, &texts, &has)
	return nil
}

// decodeFlat decodes line with the flat scanner, which handles the common
// case (no wanted nested value) without building a tree. It returns false,
// leaving ev partly filled, when the line needs decodeTree.
func (d *Decoder) decodeFlat(line []byte, ev *event.Event) bool {
	sc := &d.scan
	if !sc.Reset(line) {
		return false
	}
	d.hasSource = [numSources]bool{}
	filtered := !d.needs.All && len(d.needs.Prefixes) == 0
	var m Member
	for sc.Next(&m) {
		key := m.Key
		if m.KeyEscaped {
			d.keyBuf = appendUnescaped(d.keyBuf[:0], key)
			key = d.keyBuf
		}
		if src := sourceOf(key); src >= 0 {
			d.sources[src], d.hasSource[src] = m, true
		}
		switch m.Kind {
		case KindNull:
			continue
		case KindObject, KindArray:
			d.name = append(d.name[:0], key...)
			if d.wantsUnder() {
				return false
			}
			continue
		}
		if filtered {
			h := keyHash(key)
			if d.keyFilter[h/64]&(1<<(h%64)) == 0 {
				continue
			}
			if name := d.keyNames[h]; name != "" {
				if string(key) == name {
					ev.SetBytes(name, memberText(&m, &d.scratch))
				}
				continue
			}
		}
		d.name = append(d.name[:0], key...)
		d.ev = ev
		name, ok := d.wanted()
		d.ev = nil
		if ok {
			ev.SetBytes(name, memberText(&m, &d.scratch))
		}
	}
	if sc.Err() != nil {
		return false
	}
	var texts [numSources][]byte
	var has [numSources]bool
	for i := range d.sources {
		if d.hasSource[i] && d.derives(i) {
			texts[i], has[i] = sourceText(&d.sources[i], &d.sourceText[i])
		}
	}
	d.setDerived(ev, &texts, &has)
	return true
}

// sourceOf tells which derived field a top-level key feeds, or -1.
func sourceOf(key []byte) int {
	switch string(key) {
	case event.Timestamp:
		return srcISO
	case "timestamp":
		return srcFalcon
	case "ContextTimeStamp":
		return srcContext
	case "event_simpleName":
		return srcSimpleName
	}
	return -1
}

// sourceText is the text a member found under a derived field's key
// gives it: a scalar's (memberText); null, objects and arrays give none.
func sourceText(m *Member, buf *[]byte) ([]byte, bool) {
	if m.Kind == KindNull || m.Kind == KindObject || m.Kind == KindArray {
		return nil, false
	}
	return memberText(m, buf), true
}

// memberText is a scalar member's text: a string unescaped (into buf when
// it holds escapes), other scalars as written.
func memberText(m *Member, buf *[]byte) []byte {
	if m.Kind == KindString && m.Escaped {
		*buf = appendUnescaped((*buf)[:0], m.Raw)
		return *buf
	}
	return m.Raw
}

// keyFilterWords sizes the wanted-key bit set (1024 bits).
const keyFilterWords = 16

// keyHash is a cheap hash of a key for the wanted-key bit set.
func keyHash(k []byte) uint32 {
	if len(k) == 0 {
		return 0
	}
	h := uint32(len(k))*0x9e37 ^ uint32(k[0])*0x1f3 ^ uint32(k[len(k)-1])*0x3b ^ uint32(k[len(k)/2])*7
	return h % (keyFilterWords * 64)
}

// derives reports whether the derived field source src feeds is wanted.
func (d *Decoder) derives(src int) bool {
	if src == srcSimpleName {
		return d.wantTag
	}
	return d.wantTS
}

// setDerived sets @timestamp and #event_simpleName, those wanted, from the
// top-level sources found.
func (d *Decoder) setDerived(ev *event.Event, texts *[numSources][]byte, has *[numSources]bool) {
	if d.wantTS {
		d.setTimestamp(ev, texts, has)
	}
	if d.wantTag && has[srcSimpleName] {
		ev.SetBytes(event.SimpleName, texts[srcSimpleName])
	}
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

// setTimestamp derives @timestamp (sourcesMillis).
func (d *Decoder) setTimestamp(ev *event.Event, texts *[numSources][]byte, has *[numSources]bool) {
	if ms, ok := sourcesMillis(texts, has); ok {
		d.scratch = strconv.AppendInt(d.scratch[:0], ms, 10)
		ev.SetBytes(event.Timestamp, d.scratch)
		return
	}
	// A copied @timestamp that is not a time must not pass for one.
	ev.Delete(event.Timestamp)
}

// sourcesMillis is @timestamp (epoch ms) from the first time source that
// parses, in the order design.md §5 fixes.
func sourcesMillis(texts *[numSources][]byte, has *[numSources]bool) (int64, bool) {
	for i := srcISO; i <= srcContext; i++ {
		if !has[i] {
			continue
		}
		if ms, ok := parseMillis(texts[i]); ok {
			return ms, true
		}
	}
	return 0, false
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
