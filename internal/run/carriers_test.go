package run

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Rejected process ids past the keeper's memory go to a temporary file as
// their blocks fill; every id recorded comes back, from memory and file,
// whichever worker recorded it.
func TestPidLogSpillsAndReadsBack(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	k := &carrierKeeper{memory: 2 * pidBlock * 8} // two blocks in memory
	const workers, each = 3, 5*pidBlock + 123
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log := pidLog{keeper: k}
			for i := range each {
				log.add(uint64(w*each + i + 1))
			}
			k.done(&log)
		}()
	}
	wg.Wait()
	defer k.close()
	if k.spilled == 0 {
		t.Fatalf("%d ids, %d in memory: none spilled", workers*each, len(k.lists)*pidBlock)
	}
	if held := len(k.lists); held > 2+workers {
		t.Errorf("%d blocks in memory, want at most two and each worker's last", held)
	}
	got := slices.Sorted(k.rejected)
	if len(got) != workers*each {
		t.Fatalf("%d ids back, want %d", len(got), workers*each)
	}
	for i, id := range got {
		if id != uint64(i+1) {
			t.Fatalf("id %d: %d, want %d", i, id, i+1)
		}
	}
	if k.readErr != nil {
		t.Fatal(k.readErr)
	}
}

// A spill file that does not read back makes the keeper say a carrier may
// have been missed: the search reads its input again instead of guessing.
func TestPidLogUnreadableSpillCountsAsMissed(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	k := &carrierKeeper{memory: pidBlock * 8}
	log := pidLog{keeper: k}
	for i := range 3 * pidBlock {
		log.add(uint64(i + 1))
	}
	k.done(&log)
	if k.spilled == 0 {
		t.Fatal("nothing spilled")
	}
	k.spill.File.Close() // reads now fail
	n := 0
	for range k.rejected {
		n++
	}
	if k.readErr == nil || n >= 3*pidBlock {
		t.Fatalf("read %d ids of %d, error %v: want the read to fail", n, 3*pidBlock, k.readErr)
	}
}

// Once learning is over, a line a rule's raw prefilter rejects goes to it
// only when its process carries one of the rule's literals and the rest of
// the rule's prefilter (its raw fields) lets the line through.
func TestSecondReadGateAddsCarriedRulesTheLineCanPass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.ndjson")
	start := `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"100","ImageFileName":"C:\\Tools\\java.exe"}`
	if err := os.WriteFile(path, []byte(start+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=/java/i RemotePort=443`,
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=/java/i RemotePort=8080`,
		`#event_simpleName=NetworkConnectIP4 RemoteAddressIP4=/^10\./`,
		`#event_simpleName=DnsRequest ContextProcessName=/java/i`,
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=/python/i`, // not carried by java.exe
		// java.exe holds ".exe" but not "python": its name cannot pass
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=/^python/i ContextProcessName=/\.exe/i`,
	}
	var progs []*engine.Program
	for _, q := range queries {
		progs = append(progs, compile(t, q))
	}
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	var ev event.Event
	if err := ingest.NewDecoder(event.Needs{All: true}).Decode([]byte(start), &ev); err != nil {
		t.Fatal(err)
	}
	en.Learn(&ev)
	plan := newPlan(progs, en)
	raw := newPlanRaw(plan, nil, nil)
	lits, _ := carrierLiterals(progs, plan.derived, plan.bits)
	carriers := en.Carriers(lits, 1)
	gate := secondReadGate(nil, raw.any, raw.dispatch, carriers)()
	for _, tc := range []struct {
		line string
		want []int32
	}{
		{`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"100","RemotePort":"443","RemoteAddressIP4":"1.2.3.4"}`, []int32{0}},
		{`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"100","RemotePort":"443","RemoteAddressIP4":"10.0.0.1"}`, []int32{0, 2}},
		{`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"7","RemotePort":"443","RemoteAddressIP4":"1.2.3.4"}`, nil},
		{`{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"100","DomainName":"x"}`, []int32{3}},
	} {
		// the event name not located yet, or located by the caller
		for _, name := range []engine.EventName{{}, engine.FindEventName([]byte(tc.line))} {
			pass, hits, decided := gate("other", 1, []byte(tc.line), name, nil)
			if !decided || pass != (len(tc.want) > 0) || !slices.Equal(hits, tc.want) {
				t.Errorf("%s (name located %v): pass %v, programs %v (decided %v), want %v", tc.line, name.Located(), pass, hits, decided, tc.want)
			}
		}
	}
}
