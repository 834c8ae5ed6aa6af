package sensor

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// evtx converts a whole EVTX file.
func (c *converter) evtx(src io.Reader) error {
	_, err := ReadEVTXStream(src, func(r *EVTXRecord) error {
		c.st.Records++
		w := WinEventFromNode(r.Event)
		if w.TimeCreated == "" {
			w.TimeCreated = FormatFiletime(r.Written)
		}
		o := MapWindows(w)
		o.Set(FieldPosition, "record "+strconv.FormatUint(r.Number, 10))
		o.Set(FieldDamage, r.Damage)
		c.emit(o)
		return c.werr
	}, func(p EVTXProblem) {
		c.problem(0, 0, p) // it names its chunk, record and file offset
	})
	return err
}

// winXML converts Windows event XML (wevtutil qe /f:xml, Event Viewer's
// "Save as XML"): <Event> elements one after another or inside <Events>.
func (c *converter) winXML(src io.Reader) error {
	dec := xml.NewDecoder(src)
	dec.Strict = false
	// The text is UTF-8 by now, whatever the declaration says (utf-16).
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			line, _ := dec.InputPos()
			c.problem(line, 0, fmt.Errorf("XML: %v; rest of input skipped", err))
			return nil
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Event" {
			continue
		}
		line, _ := dec.InputPos()
		c.st.Records++
		n, err := xmlElement(dec, se, 0)
		if err != nil {
			c.problem(line, 0, fmt.Errorf("XML event: %v; rest of input skipped", err))
			return nil
		}
		o := MapWindows(WinEventFromNode(n))
		o.Set(FieldPosition, "line "+strconv.Itoa(line))
		c.emit(o)
		if c.werr != nil {
			return c.werr
		}
	}
}

func xmlElement(dec *xml.Decoder, se xml.StartElement, depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deep")
	}
	n := &Node{Name: se.Name.Local}
	for _, a := range se.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		n.Attrs = append(n.Attrs, Attr{a.Name.Local, a.Value})
	}
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			child, err := xmlElement(dec, t, depth+1)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, child)
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			n.Text = text.String()
			if len(n.Children) > 0 {
				n.Text = strings.TrimSpace(n.Text)
			}
			return n, nil
		}
	}
}

// winlogbeatLine converts one Winlogbeat / Elastic Agent event (ECS).
func (c *converter) winlogbeatLine(line []byte, n int) error {
	obj, err := decodeObject(line)
	if err != nil {
		return err
	}
	wl, _ := obj["winlog"].(map[string]any)
	if wl == nil {
		return errors.New("no winlog object")
	}
	w := &WinEvent{
		Channel:  str(wl["channel"]),
		Provider: str(wl["provider_name"]),
		Computer: str(wl["computer_name"]),
		EventID:  str(wl["event_id"]),
		RecordID: str(wl["record_id"]),
	}
	if w.Computer == "" {
		if h, ok := obj["host"].(map[string]any); ok {
			w.Computer = str(h["name"])
		}
	}
	if ev, ok := obj["event"].(map[string]any); ok {
		// Elastic Agent puts the id in event.code and the provider in event.provider.
		if w.EventID == "" {
			w.EventID = str(ev["code"])
		}
		if w.Provider == "" {
			w.Provider = str(ev["provider"])
		}
	}
	if u, ok := wl["user"].(map[string]any); ok {
		w.UserID = str(u["identifier"])
	}
	if p, ok := wl["process"].(map[string]any); ok {
		w.ProcessID = str(p["pid"])
	}
	if ms, ok := parseTimeMillis(str(obj["@timestamp"])); ok {
		w.TimeCreated = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	for _, sect := range []string{"event_data", "user_data"} {
		if ed, ok := wl[sect].(map[string]any); ok {
			for _, k := range sortedKeys(ed) {
				w.Data = append(w.Data, KV{k, str(ed[k])})
			}
		}
	}
	o := MapWindows(w)
	o.Set(FieldPosition, "line "+strconv.Itoa(n))
	c.emit(o)
	return nil
}

var (
	psDate      = regexp.MustCompile(`^/Date\((-?\d+)\)/$`)
	messageLine = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*): ?(.*)$`)
)

// getWinEvent converts one object of Get-WinEvent | ConvertTo-Json.
// Properties carry values without names; Sysmon's Message lists them as
// "Name: value" lines, in order, so names come from there when it has them.
func (c *converter) getWinEvent(obj map[string]any) error {
	w := &WinEvent{
		Channel:   str(obj["LogName"]),
		Provider:  str(obj["ProviderName"]),
		Computer:  str(obj["MachineName"]),
		EventID:   str(obj["Id"]),
		RecordID:  str(obj["RecordId"]),
		ProcessID: str(obj["ProcessId"]),
	}
	if u, ok := obj["UserId"].(map[string]any); ok {
		w.UserID = str(u["Value"])
	} else {
		w.UserID = str(obj["UserId"])
	}
	tc := str(obj["TimeCreated"])
	if m := psDate.FindStringSubmatch(tc); m != nil {
		ms, _ := strconv.ParseInt(m[1], 10, 64)
		w.TimeCreated = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
	} else if ms, ok := parseTimeMillis(tc); ok {
		w.TimeCreated = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if w.EventID == "" && w.Channel == "" {
		return errors.New("not a Get-WinEvent record (no Id, LogName)")
	}
	var props []string
	if ps, ok := obj["Properties"].([]any); ok {
		for _, p := range ps {
			if m, ok := p.(map[string]any); ok {
				props = append(props, str(m["Value"]))
			} else {
				props = append(props, str(p))
			}
		}
	}
	var names []string
	for line := range strings.SplitSeq(str(obj["Message"]), "\n") {
		if m := messageLine.FindStringSubmatch(strings.TrimRight(line, "\r")); m != nil {
			names = append(names, m[1])
		}
	}
	named := len(names) == len(props) && len(props) > 0
	for i, v := range props {
		name := "Data[" + strconv.Itoa(i) + "]"
		if named {
			name = names[i]
		}
		w.Data = append(w.Data, KV{name, v})
	}
	o := MapWindows(w)
	c.emit(o)
	return nil
}
