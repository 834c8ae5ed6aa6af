package run

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

// TestSearchRunsPrepasses: join()'s sub-query sees every line (the PR2s the
// main query filters out), in a pass over the re-opened input.
func TestSearchRunsPrepasses(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"DnsRequest","id":"d1","aid":"a","timestamp":"1764340100000","DomainName":"shodan.io"}`,
		`{"event_simpleName":"ProcessRollup2","id":"p1","aid":"a","timestamp":"1764340130000","ImageFileName":"curl.exe"}`,
		`{"event_simpleName":"DnsRequest","id":"d2","aid":"b","timestamp":"1764340100000","DomainName":"shodan.io"}`,
		`{"event_simpleName":"ProcessRollup2","id":"p2","aid":"b","timestamp":"1764340100000","ImageFileName":"chrome.exe"}`,
		`{"event_simpleName":"DnsRequest","id":"d3","aid":"c","timestamp":"1764340300000","DomainName":"shodan.io"}`,
		`{"event_simpleName":"ProcessRollup2","id":"p3","aid":"c","timestamp":"1764340200000","ImageFileName":"curl.exe"}`,
	}
	const src = `#event_simpleName=DnsRequest
		| join({correlate(dns: { #event_simpleName=DnsRequest } include: [id],
		                  proc: { #event_simpleName=ProcessRollup2 ImageFileName!=chrome.exe | aid <=> dns.aid },
		                  within=60s)}, field=id, key=dns.id)
		| select(id)`
	for _, workers := range []int{1, 2} {
		p := compile(t, src)
		var got []string
		_, err := Search(context.Background(), []*engine.Program{p}, newChunks("in.jsonl", lines, 2), Options{
			Workers: workers,
			Reopen:  func() (Source, error) { return newChunks("in.jsonl", lines, 2), nil },
			Emit:    func(_ int, ev *event.Event) { v, _ := ev.Get("id"); got = append(got, v) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"d1"}) {
			t.Errorf("workers=%d: ids %q, want [d1]", workers, got)
		}
	}
}

func TestSearchPrepassNeedsReopen(t *testing.T) {
	p := compile(t, `join({a=1}, field=a)`)
	_, err := Search(context.Background(), []*engine.Program{p}, newChunks("in.jsonl", []string{`{"a":"1"}`}, 1), Options{})
	if err == nil || !strings.Contains(err.Error(), "standard input cannot be read twice") {
		t.Fatalf("err = %v, want the re-read error", err)
	}
}
