package run

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
)

// TestDeferredLearningMatchesLearningFirst: a search that defers learning
// (reading without it, then learning only what its few kept lines need,
// or starting again when they are many) gives the rows of a learn pass
// followed by a search, and of a search learning as it reads, on an
// emulated FDR tree (events before their process starts, aidmaster and
// userinfo beside the telemetry). Whether deferring pays on this data
// (long lines, few starts) is left to the cost (learnAuto) or forced
// (learnDeferred: the path each query takes is then checked;
// learnDeferredHolding: keys looked for in every teaching line).
func TestDeferredLearningMatchesLearningFirst(t *testing.T) {
	dir := emulatedTree(t)
	open := fileSource(t, dir, 64<<10)
	ref := enrich.New(enrich.Options{})
	if _, err := Learn(context.Background(), ref, open(), 2); err != nil {
		t.Fatal(err)
	}
	const (
		targeted = iota // learns in targeted reads
		moot            // learns nothing: what the kept lines need, they have
		restarts        // keeps too many lines: learns as it reads instead
		carried         // free text a record that teaches holds: learns as it reads
	)
	tests := []struct {
		name, query string
		path        int
	}{
		{"whole events of a domain", `DomainName=/shodan\.io/i`, targeted},
		{"acting process, parent, user", `#event_simpleName=DnsRequest DomainName=/shodan|censys/i | table([ContextProcessName, ContextParentBaseFileName, ContextCommandLine, UserName, ComputerName], limit=max)`, targeted},
		{"a tool's processes", `ImageFileName=/nmap/i | table([ComputerName, UserName, ParentBaseFileName, ContextProcessName, CommandLine, FileName], limit=max)`, targeted},
		{"nothing kept", `DomainName="nothing.invalid"`, moot},
		// thousands kept: too many keys for a scan of whole chunks
		{"connections of a process", `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/nmap|curl/i | table([aid, ContextProcessName, ContextImageFileName, UserName, ComputerName], limit=max)`, targeted},
		{"too many kept", `#event_simpleName=DnsRequest | groupBy([ContextProcessName, UserName], limit=max)`, restarts},
		// free text: an address only network events hold; a tool's name,
		// which process starts hold (their events get it as
		// ContextProcessName); a host's name, which aidmaster holds
		{"free text in events only", `"140.82.112.4" | table([aid, ContextProcessName, ContextImageFileName, UserName, ComputerName], limit=max)`, targeted},
		{"free text a start holds", `WmiPrvSE | table([aid, #event_simpleName, ContextProcessName], limit=max)`, carried},
		{"free text aidmaster holds", `"SOC-WS-02" | count()`, carried},
	}
	for _, tt := range tests {
		prog := compile(t, tt.query)
		want, _ := sortedRows(t, prog, open(), Options{Workers: 2, Enricher: ref})
		if tt.name != "nothing kept" && len(want) == 0 {
			t.Fatalf("%s: no rows: the test shows nothing", tt.name)
		}
		for _, workers := range []int{1, 3} {
			for _, mode := range []learnMode{learnAuto, learnDeferred, learnDeferredHolding, learnAsRead} {
				en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{dir}, Programs: []*engine.Program{prog}})
				if err != nil {
					t.Fatal(err)
				}
				got, stats := sortedRows(t, prog, open(), Options{Workers: workers, Enricher: en, learning: mode,
					Reopen: func() (Source, error) { return open(), nil }})
				en.Close()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s, %d workers, learning %d: rows (-learn first +search):\n%s", tt.name, workers, mode, diff)
				}
				if mode != learnDeferred && mode != learnDeferredHolding {
					continue // the cost decides: the rows are what matters
				}
				startedAgain := func(why ReadAgain) bool { return len(stats.ReadsAgain) > 0 && stats.ReadsAgain[0] == why }
				switch {
				case tt.path == carried && (stats.TargetedReads > 0 || !startedAgain(AgainCarrier)),
					tt.path == targeted && (stats.TargetedReads == 0 || len(stats.ReadsAgain) > 0),
					tt.path == moot && (stats.TargetedReads > 0 || stats.Held > maxDeferredLines || len(stats.ReadsAgain) > 0),
					tt.path == restarts && (stats.Held <= maxDeferredLines || !startedAgain(AgainLearningAsRead)):
					t.Errorf("%s: %d targeted reads, %d lines held, read again %q: not the path expected (%d)", tt.name, stats.TargetedReads, stats.Held, stats.ReadsAgain, tt.path)
				}
			}
		}
	}
}

// emulatedTree writes an emulated FDR tree (events before their process
// starts, aidmaster and userinfo beside the telemetry) and returns its
// root.
func emulatedTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	g, err := emulate.New(emulate.Options{Seed: 5, Events: 30000, Hosts: 12})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulate.WriteFDR(dir, g); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sortedRows runs prog and returns its rows, sorted (aggregates may order
// them otherwise with other workers), and the search's stats.
func sortedRows(t *testing.T, prog *engine.Program, src Source, o Options) ([]string, *Stats) {
	t.Helper()
	rows := []string{}
	o.Emit = func(_ int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) }
	st, err := Search(context.Background(), []*engine.Program{prog}, src, o)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows, st
}

// TestTargetedLearningReadsEveryRecordOfAKey: the lines that teach about a
// kept line's process, its parent and its user are found however they
// spell the key (leading zeros, a number, \u escapes), and one that only
// looks like an escape (an escaped backslash before a u) is not needed.
func TestTargetedLearningReadsEveryRecordOfAKey(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"7001","DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"8100","DomainName":"x.shodan.io"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"0007001","ParentProcessId":6000,"ImageFileName":"\\Device\\HarddiskVolume2\\Tools\\nmap.exe","UserSid":"S-1-5-21-77-1001"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"6000","ImageFileName":"C:\\Windows\\explorer.exe","CommandLine":"explorer"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"\u0038\u0031\u0030\u0030","ImageFileName":"C:\\Tools\\curl.exe","CommandLine":"curl"}`,
		`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-77-1001","UserName":"mallory","ContextTimeStamp":"1700000000.000"}`,
		`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-77-1001","UserName":"mallory2","ContextTimeStamp":"1700000009.000"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"9000","ImageFileName":"C:\\\\users\\\\x.exe"}`,
	}
	for _, order := range [][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1, 0}} {
		var ordered []string
		for _, i := range order {
			ordered = append(ordered, lines[i])
		}
		path, open := smallChunkFile(t, ordered)
		prog := compile(t, `DomainName=/shodan/ | table([ContextProcessId, ContextProcessName, ContextImageFileName, ContextParentBaseFileName, UserName])`)
		ref := enrich.New(enrich.Options{})
		if _, err := Learn(context.Background(), ref, open(), 1); err != nil {
			t.Fatal(err)
		}
		want, _ := sortedRows(t, prog, open(), Options{Workers: 1, Enricher: ref})
		// keys found by a scan of whole chunks, and in every teaching line
		for _, mode := range []learnMode{learnAuto, learnDeferredHolding} {
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
			if err != nil {
				t.Fatal(err)
			}
			got, stats := sortedRows(t, prog, open(), Options{Workers: 1, Enricher: en, learning: mode, Reopen: func() (Source, error) { return open(), nil }})
			en.Close()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("order %v, learning %d: rows (-learn first +targeted):\n%s", order, mode, diff)
			}
			all := strings.Join(got, "")
			for _, v := range []string{"UserName=mallory2", "ContextParentBaseFileName=explorer.exe", "ContextProcessName=curl.exe"} {
				if !strings.Contains(all, v) {
					t.Errorf("order %v, learning %d: no %s in %q", order, mode, v, got)
				}
			}
			if stats.TargetedReads != 2 {
				t.Errorf("order %v, learning %d: %d targeted reads, want 2 (the processes and users, then the parent)", order, mode, stats.TargetedReads)
			}
		}
	}
}

// TestEachMarkedLine: every line holding a key or a \u escape, once, in
// order; no other.
func TestEachMarkedLine(t *testing.T) {
	data := strings.Join([]string{
		`{"a":"1234567"}`,
		`{"b":"x"}`,
		`{"c":"12345678","d":"S-1-5-21-9"}`, // two keys: once
		`{"e":"C:\\\\users"}`,               // an escaped backslash, then "users"
		`{"f":"caf\u00e9"}`,
		`{"g":"S-1-5-21-99"}`, // holds the SID as a prefix
		`{"h":"S-1-5-21-"}`,
	}, "\n") + "\n"
	marks := engine.NewLiteralSet([]string{"1234567", "S-1-5-21-9"})
	var got []string
	eachMarkedLine([]byte(data), marks, func(line []byte) { got = append(got, string(line)) })
	want := []string{`{"a":"1234567"}`, `{"c":"12345678","d":"S-1-5-21-9"}`, `{"f":"caf\u00e9"}`, `{"g":"S-1-5-21-99"}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// TestTeachShare: deferring pays while nothing is kept or too little is
// known; past that, when teaching lines are many enough to cost more than
// two targeted reads.
func TestTeachShare(t *testing.T) {
	tests := []struct {
		share teachShare
		kept  int64
		want  bool
	}{
		{teachShare{lines: 1 << 20, bytes: 700 << 20}, 0, true},
		{teachShare{lines: 100, bytes: 70000}, 5, true},
		// short lines, a fifth process starts (learning about 2.1 s a GB)
		{teachShare{lines: 1 << 20, bytes: 230 << 20, teaching: 480000, starts: 200000}, 5, true},
		// long lines, few starts (0.5 s a GB)
		{teachShare{lines: 1 << 20, bytes: 700 << 20, teaching: 230000, starts: 80000}, 5, false},
		// short lines, few starts (0.9 s a GB)
		{teachShare{lines: 1 << 20, bytes: 215 << 20, teaching: 210000, starts: 84000}, 5, false},
		{teachShare{lines: 1 << 20, bytes: 230 << 20, teaching: 480000, starts: 200000}, maxDeferredLines + 1, false},
		// more kept than a chunk scan looks for: every teaching line is
		// looked at, and the kept lines cost too
		{teachShare{seen: 4 << 20, lines: 1 << 20, bytes: 230 << 20, teaching: 480000, starts: 200000}, 2000, true},
		// a kept line in four (counting one in four): they cost more than
		// the starts learned as read
		{teachShare{seen: 32768, lines: 8192, bytes: 8192 * 230, teaching: 3750, starts: 1560}, 8000, false},
		// the same, every line counted: the kept lines weigh four times more
		{teachShare{seen: 8192, lines: 8192, bytes: 8192 * 230, teaching: 3750, starts: 1560}, 2000, false},
		{teachShare{seen: 32768, lines: 8192, bytes: 8192 * 230, teaching: 3750, starts: 1560}, 2000, true},
	}
	for _, tt := range tests {
		if got := tt.share.pays(tt.kept, 0, 0, learnAuto); got != tt.want {
			t.Errorf("%+v kept %d: pays %v, want %v", tt.share, tt.kept, got, tt.want)
		}
	}
}

// TestKeepsTooMany: a read deferring learning gives up once the lines it
// kept, at their rate over the whole input and halved, pass
// maxDeferredLines; not on a few lines, nor without the input's size.
func TestKeepsTooMany(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name              string
		kept, read, total int64
		want              bool
	}{
		{"linked: the count reached 46 MB in, projected from 2 MB", 360, 2 * mb, 734 * mb, true},
		{"few kept over a large input", 10, 2 * mb, 734 * mb, false},
		{"too few kept to project from", minProjectedLines - 1, 1 << 10, 1 << 40, false},
		{"projected just under the bound", 2 * maxDeferredLines, 100 * mb, 100 * mb, false},
		{"projected past twice the bound", 2*maxDeferredLines + 1, 50 * mb, 100*mb + 1, true},
		{"size unknown", 5000, 2 * mb, 0, false},
		{"input read past its stated size (compressed)", 5000, 200 * mb, 100 * mb, false},
		{"a huge input does not overflow", 1 << 20, 1 << 30, 1 << 62, true},
	}
	for _, tt := range tests {
		if got := keepsTooMany(tt.kept, tt.read, tt.total); got != tt.want {
			t.Errorf("%s: keepsTooMany(%d, %d, %d) = %v, want %v", tt.name, tt.kept, tt.read, tt.total, got, tt.want)
		}
	}
}

// TestTargetedSearchLearnsEveryUserRecord: a user record holds no id of
// the event it names a user for, so a targeted read learns them all (the
// lines holding "UserName"): one missing for the kept line's SID still
// shows the input has user records (no "no userinfo or logon records"
// warning).
func TestTargetedSearchLearnsEveryUserRecord(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-1-500","UserName":"admin"}`,
		`{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"7001","UserSid":"S-1-5-21-1-999","DomainName":"api.shodan.io"}`,
	}
	path, open := smallChunkFile(t, lines)
	prog := compile(t, `DomainName=/shodan/ | table([UserName])`)
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	_, stats := sortedRows(t, prog, open(), Options{Workers: 1, Enricher: en, Reopen: func() (Source, error) { return open(), nil }})
	if s := en.Stats(); stats.TargetedReads != 1 || s.UserMisses != 1 || s.LearnedUsers != 1 {
		t.Errorf("targeted reads %d, enrich stats %s: want one targeted read, one miss, the logon learned",
			stats.TargetedReads, fmt.Sprintf("%+v", s))
	}
}

// FuzzEachMarkedLine: the lines eachMarkedLine gives are those holding one
// of the keys (which hold no newline) or a \u escape, each once, in
// order, whatever the text.
func FuzzEachMarkedLine(f *testing.F) {
	f.Add("{\"a\":\"1234567\"}\n{\"b\":\"x\"}\n{\"c\":\"12345678\",\"d\":\"S-1-5-21-9\"}\n", "1234567,S-1-5-21-9")
	f.Add("{\"f\":\"caf\\u00e9\"}\n{\"e\":\"C:\\\\\\\\users\"}", "abcd,xy")
	f.Add("\\\\\\u\n\\u\nu\\", "u\\")
	f.Fuzz(func(t *testing.T, data, keyList string) {
		// keys are values: never a newline (targetable)
		keys := slices.DeleteFunc(strings.Split(keyList, ","), func(k string) bool { return strings.Contains(k, "\n") })
		var want []string
		lines := strings.Split(data, "\n")
		if strings.HasSuffix(data, "\n") {
			lines = lines[:len(lines)-1]
		}
		for _, line := range lines {
			held := engine.HasUnicodeEscape([]byte(line))
			for _, k := range keys {
				held = held || k != "" && strings.Contains(line, k)
			}
			if held {
				want = append(want, line)
			}
		}
		var got []string
		eachMarkedLine([]byte(data), engine.NewLiteralSet(keys), func(line []byte) { got = append(got, string(line)) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("keys %q: lines (-want +got):\n%s", keys, diff)
		}
	})
}
