package run

import (
	"context"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Only programs looking for a literal in a field enrichment adds (or in
// free text) get a bit, each its own while they last: a learned value can
// make no other program accept a line its raw text does not.
func TestCarrierBits(t *testing.T) {
	derived := func(f string) bool { return f == "UserName" || f == "ContextProcessName" || f == "" }
	var progs []*engine.Program
	for _, q := range []string{
		`#event_simpleName=DnsRequest DomainName=/ufile\.io/i`, // raw fields alone
		`UserName=/admin/i`,
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl`,
		`mimikatz`, // free text
		`RemotePort=443`,
		`UserName=/admin/i ContextProcessName=curl`,            // admin is in two programs, curl in three
		`ContextProcessName=curl ContextProcessName=/wgetter/`, // needs only the longer carried
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl RemotePort=80`,
	} {
		progs = append(progs, compile(t, q))
	}
	got := carrierBits(progs, derived)
	if got[0] != 0 || got[4] != 0 {
		t.Errorf("programs that look for no carried literal got bits %b, %b", got[0], got[4])
	}
	for i, b := range got {
		if i != 0 && i != 4 && bits.OnesCount64(b) != 1 {
			t.Errorf("program %d: bits %b, want one", i, b)
		}
	}
	// a program goes with its rarest literal: admin's for the admin-and-curl
	// rule; of an AND on one field only the part least likely held is
	// carried, so the curl-and-wgetter rule goes alone
	if got[5] != got[1] || got[6] == got[2] || got[6] == got[1] {
		t.Errorf("bits %b: want the admin-and-curl rule with admin's, the wget rule alone", got)
	}
	lits, freeText := carrierLiterals(progs, derived, got)
	if !freeText || !slices.Equal(lits.UserGroups, []uint64{got[1], got[3], got[5]}) {
		t.Errorf("user literals %q in groups %b (free text %v)", lits.User, lits.UserGroups, freeText)
	}
	// programs with literals of their own fill the bits evenly
	var many []*engine.Program
	for i := range 70 {
		many = append(many, compile(t, fmt.Sprintf(`UserName=/user%d/`, i)))
	}
	var per [64]int
	for _, b := range carrierBits(many, derived) {
		per[bits.TrailingZeros64(b)]++
	}
	if slices.Min(per[:]) != 1 || slices.Max(per[:]) != 2 {
		t.Errorf("70 programs over the 64 bits: %v", per)
	}
}

// Measured on the processes learned, a literal every process holds,
// however long, lights its bit for every line: the rules for literals no
// process holds do not share it, as they do when likelihood goes by
// length alone.
func TestLearnedCarrierBitsKeepRareRulesFromCommonOnes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.ndjson")
	var starts []string
	for i := range 20 {
		starts = append(starts, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"%d","ImageFileName":"C:\\Windows\\System32\\svchost.exe"}`, 100+i))
	}
	if err := os.WriteFile(path, []byte(strings.Join(starts, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	progs := []*engine.Program{compile(t, `ContextImageFileName=/\\windows\\system32\\svchost\.exe/i`)}
	for i := range 70 {
		progs = append(progs, compile(t, fmt.Sprintf(`ContextProcessName=/rareproc-%d/i`, i)))
	}
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	dec := ingest.NewDecoder(event.Needs{All: true})
	for _, line := range starts {
		var ev event.Event
		if err := dec.Decode([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		en.Learn(&ev)
	}
	plan := newPlan(progs, en)
	sharing := func(bits []uint64) int {
		n := 0
		for _, b := range bits[1:] {
			if b == bits[0] {
				n++
			}
		}
		return n
	}
	if n := sharing(plan.bits); n == 0 {
		t.Errorf("by length, no rare rule shares the common rule's bit: the test shows nothing")
	}
	learned := learnedCarrierBits(progs, plan.derived, en)
	if learned == nil {
		t.Fatal("no shares from 20 learned processes")
	}
	if n := sharing(learned); n != 0 {
		t.Errorf("learned: %d rare rules share the bit of the rule every process carries", n)
	}
}
