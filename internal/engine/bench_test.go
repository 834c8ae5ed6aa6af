package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// benchLines is a Falcon-like mix: mostly event types the seed ignores, a
// few near-misses and rare hits, ~700 bytes a line.
func benchLines(n int) [][]byte {
	names := []string{"EndOfProcess", "SensorHeartbeat", "DnsRequest", "ProcessRollup2", "NetworkConnectIP4",
		"FileOpenInfo", "UserLogon", "ProcessRollup2", "EndOfProcess", "DnsRequest"}
	out := make([][]byte, n)
	for i := range out {
		name := names[i%len(names)]
		extra := ""
		switch name {
		case "ProcessRollup2":
			img := `C:\\Windows\\System32\\svchost.exe`
			if i%101 == 0 {
				img = `C:\\Tools\\nmap.exe`
			}
			extra = fmt.Sprintf(`,"ImageFileName":"%s","CommandLine":"%s -k netsvcs -p -s Schedule"`, img, img)
		case "DnsRequest":
			dom := "settings-win.data.microsoft.com"
			if i%103 == 0 {
				dom = "api.shodan.io"
			}
			extra = fmt.Sprintf(`,"DomainName":"%s","RequestType":"1"`, dom)
		case "NetworkConnectIP4":
			extra = `,"RemoteAddressIP4":"52.1.2.3","RemotePort":"443","LocalPort":"50123","ContextProcessName":"chrome.exe"`
		}
		out[i] = []byte(fmt.Sprintf(`{"ConfigBuild":"1007.3.0017106.1","ConfigStateHash":"3915474823","ContextProcessId":"%d","ContextThreadId":"0","ContextTimeStamp":"1625677521.137","EffectiveTransmissionClass":"3","Entitlements":"15","aid":"ffffffffa63e404bba4bff7465ab3afb","aip":"67.43.156.14","cid":"ffffffff15754bcfb5f9152ec7ac90ac","event_platform":"Win","event_simpleName":"%s","id":"ffffffff-1111-11eb-9d75-02bcf3ade03b","name":"%sV5","timestamp":"%d","TargetProcessId":"365053603452626914","RawProcessId":"33454","SourceThreadId":"0"%s}`,
			i, name, name, 1_700_000_000_000+i, extra))
	}
	return out
}

// BenchmarkPrefilterSeed matches the seed's prefilter on each line afresh
// (prefilter), and through a Matcher as a search's workers do (matcher):
// the event name's tests answered from what it remembers by name.
func BenchmarkPrefilterSeed(b *testing.B) {
	p := compileQuery(b, seedQuery(b), Options{})
	f := p.Prefilter(func(string) bool { return false })
	lines := benchLines(1000)
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	m := f.NewMatcher()
	for _, bm := range []struct {
		name  string
		match func(line []byte) bool
	}{
		{"prefilter", f.Match},
		{"matcher", func(line []byte) bool { return m.Match(line, EventName{}) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size / int64(len(lines)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bm.match(lines[i%len(lines)])
				i++
			}
		})
	}
}

func BenchmarkSeedWorker(b *testing.B) {
	p := compileQuery(b, seedQuery(b), Options{})
	events := make([]*event.Event, 1000)
	for i := range events {
		events[i] = ev("#event_simpleName", []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4"}[i%3],
			"@timestamp", strconv.Itoa(1_700_000_000_000+i),
			"ImageFileName", `C:\Windows\System32\svchost.exe`, "CommandLine", "svchost.exe -k netsvcs",
			"DomainName", "settings-win.data.microsoft.com", "RemotePort", "443", "ContextProcessName", "chrome.exe")
	}
	w := p.NewWorker()
	scratch := &event.Event{}
	emitted := 0
	emit := func(*event.Event) { emitted++ }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scratch.CopyFrom(events[i%len(events)])
		w.Process(scratch, emit)
	}
}

// BenchmarkCompileLongOr compiles a filter of 60 alternatives, the shape
// Sigma rules convert to (a list of image names or command-line pieces):
// the chain nests two tests at a time, and its prefilter literals were
// sifted once per nesting level.
func BenchmarkCompileLongOr(b *testing.B) {
	src := "#event_simpleName=ProcessRollup2 | " + orChain(60)
	for b.Loop() {
		compileQuery(b, src, Options{})
	}
}

// BenchmarkOrChainOneField runs a filter of 60 alternatives on one field
// over events none of them matches, so every alternative is tried: each
// read the field again before they became one test.
func BenchmarkOrChainOneField(b *testing.B) {
	p := compileQuery(b, orChain(60), Options{})
	events := svchostStarts(1000)
	for b.Loop() {
		p.Run(events)
	}
}

// svchostStarts is n process starts of svchost.exe, none naming a tool.
func svchostStarts(n int) []*event.Event {
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = ev("event_simpleName", "ProcessRollup2", "ImageFileName", `C:\Windows\System32\svchost.exe`,
			"CommandLine", fmt.Sprintf(`C:\Windows\System32\svchost.exe -k netsvcs -p -s Schedule %d`, i), "aid", "a1", "TargetProcessId", strconv.Itoa(i))
	}
	return events
}

// BenchmarkOrChainInterleaved runs a negated filter of 60 alternatives
// naming two fields in turn, as a Sigma rule's exclusions convert, over
// events none of them matches: the tests of each field are one anyOfTester
// that scans a value once for the literals its regexes need.
func BenchmarkOrChainInterleaved(b *testing.B) {
	p := compileQuery(b, "not ("+interleavedOrChain(60)+")", Options{})
	events := svchostStarts(1000)
	for b.Loop() {
		p.Run(events)
	}
}

// BenchmarkCompileLongInterleavedOr compiles 4,000 alternatives naming two
// fields in turn: each field's tests are merged once, not copied at each.
func BenchmarkCompileLongInterleavedOr(b *testing.B) {
	src := "#event_simpleName=ProcessRollup2 | " + interleavedOrChain(4000)
	for b.Loop() {
		compileQuery(b, src, Options{})
	}
}

// interleavedOrChain is n case-insensitive regexes joined by or, on
// CommandLine and ImageFileName in turn.
func interleavedOrChain(n int) string {
	alts := make([]string, n)
	for i := range alts {
		if i%2 == 0 {
			alts[i] = fmt.Sprintf(`CommandLine=/Tool%dCommand/i`, i)
		} else {
			alts[i] = fmt.Sprintf(`ImageFileName=/\\Tool%d\.exe$/i`, i)
		}
	}
	return strings.Join(alts, " or ")
}

// orChain is a filter of n case-insensitive regexes on CommandLine joined
// by or, as Sigma rules convert.
func orChain(n int) string {
	alts := make([]string, n)
	for i := range alts {
		alts[i] = fmt.Sprintf(`CommandLine=/Tool%dCommand/i`, i)
	}
	return strings.Join(alts, " or ")
}

// BenchmarkLinesEventName cuts a chunk of Falcon-like lines and finds each
// line's event name: by a scan of the line (scan), and at the anchors the
// cut lists (anchored), as workers do. MB/s of the chunk.
func BenchmarkLinesEventName(b *testing.B) {
	var chunk []byte
	for _, l := range benchLines(2000) {
		chunk = append(append(chunk, l...), '\n')
	}
	located := 0
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(chunk)))
		for b.Loop() {
			ingest.Lines(event.Chunk{Data: chunk}, func(line []byte, _ int) bool {
				if FindEventName(line).Located() {
					located++
				}
				return true
			})
		}
	})
	b.Run("anchored", func(b *testing.B) {
		b.SetBytes(int64(len(chunk)))
		for b.Loop() {
			ingest.LinesAnchored(event.Chunk{Data: chunk}, EventNameAnchor, func(line []byte, _ int, a *ingest.LineAnchors) bool {
				if FindEventNameAnchored(line, a).Located() {
					located++
				}
				return true
			})
		}
	})
}
