package sensor

import (
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// Names of the fields every mapped event carries.
const (
	FieldSensor   = "#sensor"        // sysmon, windows, auditd, defender, proxy
	FieldUnmapped = "SensorUnmapped" // Falcon fields of the event type the source cannot fill
	FieldRecord   = "SensorRecord"   // the original record's text (line formats)
	FieldPosition = "SensorPosition" // file:line or record number of the original
	FieldDamage   = "SensorDamage"   // why the record's container failed its checks (EVTX chunk)
)

// Sensor names, as in the #sensor tag and `emulate --sensor`.
const (
	Sysmon   = "sysmon"
	Windows  = "windows"
	Auditd   = "auditd"
	Defender = "defender"
	Proxy    = "proxy"
)

// Out is one event mapped onto the Falcon model: ordered string fields.
type Out struct {
	Fields []event.Field
}

// Set adds or replaces a field; empty values are left out (Falcon omits
// fields it has no value for).
func (o *Out) Set(name, value string) {
	if value == "" {
		return
	}
	for i := range o.Fields {
		if o.Fields[i].Name == name {
			o.Fields[i].Value = value
			return
		}
	}
	o.Fields = append(o.Fields, event.Field{Name: name, Value: value})
}

// add appends a field known not to be set yet (the source's own fields,
// whose prefixed names cannot collide); empty values are left out.
func (o *Out) add(name, value string) {
	if value != "" {
		o.Fields = append(o.Fields, event.Field{Name: name, Value: value})
	}
}

// Get returns a field's value.
func (o *Out) Get(name string) string {
	for _, f := range o.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// AppendJSON appends the event as one flat JSON object line.
func (o *Out) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, f := range o.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, f.Name)
		b = append(b, ':')
		b = jsonenc.AppendString(b, f.Value)
	}
	return append(b, '}', '\n')
}

// setTime sets Falcon's two clocks from epoch milliseconds: timestamp (ms)
// and ContextTimeStamp (seconds with 3 decimals).
func (o *Out) setTime(ms int64, context bool) {
	o.Set("timestamp", strconv.FormatInt(ms, 10))
	if context {
		o.Set("ContextTimeStamp", secs(ms))
	}
}

// setTimes sets timestamp from when the log recorded the event and
// ContextTimeStamp from when the sensor saw it.
func (o *Out) setTimes(logged, seen int64) {
	o.Set("timestamp", strconv.FormatInt(logged, 10))
	o.Set("ContextTimeStamp", secs(seen))
}

func secs(ms int64) string {
	s := strconv.FormatInt(ms/1000, 10)
	f := ms % 1000
	if f < 0 {
		f = -f
	}
	return s + "." + pad(int(f), 3)
}

// baseName is the file name of a Windows or POSIX path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// dirName is the directory part of a path, with its trailing separator
// (as Falcon's FilePath keeps it).
func dirName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[:i+1]
	}
	return ""
}

// parseTimeMillis reads the time forms sensors write: RFC 3339 / ISO 8601
// with or without zone (UTC assumed), "YYYY-MM-DD HH:MM:SS.fff", epoch
// seconds or milliseconds.
func parseTimeMillis(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00", "1/2/2006 3:04:05.999 PM", "1/2/2006 15:04:05.999", "2006-01-02T15:04:05.999999999Z0700",
		"Jan 2, 2006 3:04:05.999 PM", "Jan 2, 2006 3:04:05 PM", "02/Jan/2006:15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f > 1e11 {
			return int64(f), true
		}
		return int64(f * 1000), true
	}
	return 0, false
}

// userPart splits "DOMAIN\user" (or user@domain) into the user name Falcon
// shows and the domain.
func userPart(u string) (name, domain string) {
	if i := strings.LastIndexByte(u, '\\'); i >= 0 {
		return u[i+1:], u[:i]
	}
	if i := strings.LastIndexByte(u, '@'); i > 0 {
		return u[:i], u[i+1:]
	}
	return u, ""
}
