package enrich

import (
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// Every field Apply may add has sources, and Apply adds nothing to an event
// that lacks all of a field's sources.
func TestSourcesCoverProvides(t *testing.T) {
	e := New(Options{})
	e.Learn(event.New(
		event.Field{Name: "aid", Value: "a1"}, event.Field{Name: "ComputerName", Value: "H1"},
		event.Field{Name: "AgentVersion", Value: "7.1"}, event.Field{Name: "Time", Value: "1"}))
	e.Learn(event.New(
		event.Field{Name: "event_simpleName", Value: "ProcessRollup2"}, event.Field{Name: "aid", Value: "a1"},
		event.Field{Name: "TargetProcessId", Value: "7"}, event.Field{Name: "ImageFileName", Value: `\Device\HarddiskVolume3\curl.exe`},
		event.Field{Name: "CommandLine", Value: "curl x"}, event.Field{Name: "UserSid", Value: "S-1-5-18"}))
	for _, f := range e.Provides() {
		src := Sources(f)
		if len(src) == 0 {
			t.Errorf("%s: no sources", f)
			continue
		}
		// An event with every field but f's sources must not get f.
		ev := event.New(event.Field{Name: "event_simpleName", Value: "NetworkConnectIP4"})
		for _, k := range []string{"aid", "ContextProcessId", "UserSid", "ImageFileName"} {
			if !slices.Contains(src, k) {
				v := map[string]string{"aid": "a1", "ContextProcessId": "7", "UserSid": "S-1-5-18", "ImageFileName": `C:\x\curl.exe`}[k]
				ev.Set(k, v)
			}
		}
		e.Apply(ev)
		if ev.Has(f) {
			t.Errorf("%s was added to an event without its sources %v: %v", f, src, ev.Fields())
		}
	}
}

// Lines that teach only what no query reads are not worth decoding.
func TestLearnPrefilterFollowsReads(t *testing.T) {
	tests := []struct {
		reads []string
		want  string
	}{
		{nil, "ProcessRollup2 UserIdentity UserLogon UserLogoff ComputerName UserSid_readable DnsRequest"}, // everything read: DestinationHostname too
		{[]string{"ComputerName"}, "ComputerName"},
		{[]string{"ContextProcessName"}, "ProcessRollup2 ComputerName"},
		{[]string{"UserName"}, "ProcessRollup2 UserIdentity UserLogon UserLogoff ComputerName UserSid_readable"},
	}
	for _, tt := range tests {
		opts := Options{}
		if tt.reads != nil {
			opts.Reads = &event.Needs{Fields: tt.reads}
		}
		var got []string
		for _, l := range New(opts).LearnPrefilter() {
			got = append(got, string(l))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("reads %v: %v, want %s", tt.reads, got, tt.want)
		}
	}
}
