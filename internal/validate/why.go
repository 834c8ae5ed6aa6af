package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
)

// explainMisses fills Why for every signal that did not behave as the
// manifest says. A missed signal's event is looked up in the telemetry by
// its id, enriched, and checked: not emitted, enrichment gap, or the rule
// itself not matching.
func explainMisses(ctx context.Context, r *Report, h *hunted, path string, workers int) error {
	missing := map[string]bool{}
	for ti := range r.Tests {
		for si := range r.Tests[ti].Signals {
			s := &r.Tests[ti].Signals[si]
			switch {
			case s.OK():
			case s.Fired && !s.Expected:
				s.Why = "fired on " + s.Branch + " although the manifest expects no alert"
			case s.Fired:
				s.Why = "fired on " + s.Branch + ", expected " + s.Want
			default:
				missing[s.ID] = true
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	lines, err := findLines(path, missing)
	if err != nil {
		return err
	}
	for ti := range r.Tests {
		for si := range r.Tests[ti].Signals {
			s := &r.Tests[ti].Signals[si]
			if !missing[s.ID] {
				continue
			}
			line, ok := lines[s.ID]
			if !ok {
				s.Why = "event not emitted: no telemetry line has id " + s.ID
				continue
			}
			why, err := explainLine(ctx, h, line, workers)
			if err != nil {
				return err
			}
			s.Why = why
		}
	}
	return nil
}

// findLines returns the raw telemetry line of each wanted event id.
func findLines(path string, ids map[string]bool) (map[string][]byte, error) {
	reader, err := ingest.Open([]string{path}, ingest.Options{Kinds: []event.Kind{event.KindTelemetry}})
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	dec := ingest.NewDecoder(event.Needs{Fields: []string{"id"}})
	var ev event.Event
	found := map[string][]byte{}
	for {
		c, err := reader.Next()
		if errors.Is(err, io.EOF) {
			if errs := reader.Errors(); len(errs) > 0 {
				return nil, errs[0] // a path that could not be read
			}
			return found, nil
		}
		if err != nil {
			return nil, err
		}
		ingest.Lines(c, func(line []byte, _ int) bool {
			i := bytes.Index(line, []byte(`"id":"`))
			if i < 0 {
				return true
			}
			if dec.Decode(line, &ev) != nil {
				return true
			}
			if id, _ := ev.Get("id"); ids[id] {
				found[strings.Clone(id)] = bytes.Clone(line) // id lives in ev's arena
			}
			return true
		})
	}
}

// explainLine says why the untuned rule did not alert on one raw line.
func explainLine(ctx context.Context, h *hunted, line []byte, workers int) (string, error) {
	ev := event.Event{}
	if err := ingest.NewDecoder(event.Needs{All: true}).Decode(line, &ev); err != nil {
		return "event present but not decodable: " + err.Error(), nil
	}
	h.enricher.Apply(&ev)
	name, _ := ev.Get("event_simpleName")
	get := func(f string) string { v, _ := ev.Get(f); return v }
	if name == "NetworkConnectIP4" && get("ContextProcessName") == "" {
		return fmt.Sprintf("event present but ContextProcessName missing: enrichment knows no process %s on aid %s",
			get("ContextProcessId"), get("aid")), nil
	}
	// Run the rule on this one line alone, through the same enricher.
	alone := 0
	_, err := run.Search(ctx, []*engine.Program{h.progs[0].Engine}, &oneChunk{data: append(bytes.Clone(line), '\n')},
		run.Options{Workers: 1, Enricher: h.enricher, Emit: func(int, *event.Event) { alone++ }})
	if err != nil {
		return "", err
	}
	if alone > 0 {
		return "rule matches this event alone but not in the full hunt (engine bug)", nil
	}
	var vals []string
	for _, f := range []string{"ImageFileName", "CommandLine", "DomainName", "RemotePort", "ContextProcessName"} {
		if v, ok := ev.Get(f); ok {
			vals = append(vals, f+"="+v)
		}
	}
	return "event present, rule did not match (regex or condition): " + strings.Join(vals, " "), nil
}

// oneChunk is a Source of a single telemetry chunk.
type oneChunk struct {
	data []byte
	done bool
}

func (o *oneChunk) Next() (event.Chunk, error) {
	if o.done {
		return event.Chunk{}, io.EOF
	}
	o.done = true
	return event.Chunk{Source: "signal", FirstLine: 1, Data: o.data, Kind: event.KindTelemetry}, nil
}
