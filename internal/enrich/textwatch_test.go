package enrich

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/valyala/fastjson"
)

func TestPidSetHasWhatWasAdded(t *testing.T) {
	s := newPidSet(1 << 17)
	rng := rand.New(rand.NewPCG(3, 4))
	added := map[uint64]bool{}
	for range 300_000 {
		pid := rng.Uint64N(1 << 40)
		s.AddAtomic(pid)
		added[pid] = true
	}
	for pid := range added {
		if !s.HasAtomic(pid) {
			t.Fatalf("pid %d added, not found", pid)
		}
	}
	false_ := 0
	for range 300_000 {
		if pid := rng.Uint64N(1 << 40); !added[pid] && s.HasAtomic(pid) {
			false_++
		}
	}
	// three bits of one word in 2^17: about 0.1% with this many ids
	if rate := float64(false_) / 300_000; rate > 0.005 {
		t.Errorf("%.3f%% of ids never added are found, want under 0.5%%", rate*100)
	}
}

func TestTextWatchHolds(t *testing.T) {
	few := []string{"Shodan", "ip-api"}
	// from manyLiterals on, one scan by first byte: the same answers
	many := append(slices.Clone(few), "nmap", "masscan", "zmap", "curl ", "wget", "Ψ-tool", "bgp.he.net")
	tests := []struct {
		v         string
		few, many bool
	}{
		{"python3 -m shodan search", true, true},
		{"SHODAN.exe", true, true},
		{"ShOdAn", true, true},
		{"shoda", false, false},
		{"curl IP-API.com", true, true},
		{"", false, false},
		{"é shodan", true, true},                          // not ASCII: folded whole
		{strings.Repeat("x", 300) + "shodan", true, true}, // longer than the stack buffer
		{"/usr/bin/NMAP -sS", false, true},
		{"curl", false, false}, // "curl " wants its space
		{"run ψ-TOOL now", false, true},
		{"whois bgp.he.ne", false, false}, // cut short
	}
	fw, mw := New(Options{}).WatchText(few, false), New(Options{}).WatchText(many, false)
	for _, tt := range tests {
		if got := fw.holds(tt.v); got != tt.few {
			t.Errorf("%d literals: holds(%q) = %v, want %v", len(few), tt.v, got, tt.few)
		}
		if got := mw.holds(tt.v); got != tt.many {
			t.Errorf("%d literals: holds(%q) = %v, want %v", len(many), tt.v, got, tt.many)
		}
	}
}

// Each kind of record is tested for the literals of the fields it gives
// values to: a DNS answer holding a literal looked for in a process's
// image carries nothing.
func TestCarriersByKind(t *testing.T) {
	lines := append(slices.Clone(watchLines),
		`{"event_simpleName":"DnsRequest","aid":"a1","DomainName":"shodan.io","IP4Records":"1.2.3.4;","ContextTimeStamp":"1700000000.000"}`)
	e := New(Options{})
	learnLines(t, e, lines)
	var byImage, byHost, free CarrierLiterals
	byImage.Add(FieldContextImageFileName, "shodan")
	byHost.Add(FieldDestinationHostname, "shodan")
	free.Add("", "shodan")
	tests := []struct {
		name             string
		lits             CarrierLiterals
		procs, addresses bool
	}{
		{"process field", byImage, true, false},
		{"DNS answer field", byHost, false, true},
		{"free text", free, true, true},
		{"none", CarrierLiterals{}, false, false},
	}
	for _, tt := range tests {
		c := e.Carriers(tt.lits, 2)
		if c.ByProcess() != tt.procs || c.ByAddress() != tt.addresses {
			t.Errorf("%s: carried by processes %v, addresses %v; want %v, %v", tt.name, c.ByProcess(), c.ByAddress(), tt.procs, tt.addresses)
		}
	}
}

// watchLines: process starts whose details hold "shodan" in each way
// TextCarriers looks, a child of one named so, and one that holds nothing.
var watchLines = []string{
	`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"10","ImageFileName":"\\Device\\HarddiskVolume2\\Windows\\python.exe","CommandLine":"python -m shodan search x"}`,
	`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"11","ImageFileName":"C:\\Tools\\SHODAN.exe","CommandLine":"SHODAN.exe"}`,
	`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"12","ImageFileName":"C:\\x\\cmd.exe","ParentBaseFileName":"shodan-wrapper.exe"}`,
	`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"13","ImageFileName":"C:\\x\\conhost.exe","ParentProcessId":"11"}`,
	`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"14","ImageFileName":"C:\\x\\notepad.exe","CommandLine":"notepad.exe a.txt"}`,
}

func TestTextWatchMarksProcessesHoldingLiterals(t *testing.T) {
	e := New(Options{})
	w := e.WatchText([]string{"Shodan"}, false)
	learnLines(t, e, watchLines)
	for pid, want := range map[uint64]bool{10: true, 11: true, 12: true, 13: true, 14: false} {
		if got := w.Marked(pid); got != want {
			t.Errorf("process %d: marked %v, want %v", pid, got, want)
		}
	}
	if e.WatchText(nil, false) != nil {
		t.Error("no literals: want no watch")
	}
}

// Carriers gives the same carriers when a watch lets it skip the
// processes it did not mark.
func TestTextCarriersSameWithWatch(t *testing.T) {
	lits := []string{"shodan"}
	plain, watched := New(Options{}), New(Options{})
	watched.WatchText(lits, false)
	learnLines(t, plain, watchLines)
	learnLines(t, watched, watchLines)
	var free CarrierLiterals
	free.Add("", lits...)
	want, got := plain.Carriers(free, 1), watched.Carriers(free, 3)
	if diff := cmp.Diff(groupEntries(want.pids.slots), groupEntries(got.pids.slots)); diff != "" {
		t.Errorf("carrier pids (-without watch +with):\n%s", diff)
	}
	if want.pids.n != 4 {
		t.Errorf("carriers %v, want processes 10 to 13", groupEntries(want.pids.slots))
	}
	if got.Missed(slices.Values([]uint64{14, 99})) {
		t.Error("only processes holding nothing were rejected: nothing missed")
	}
	if !got.Missed(slices.Values([]uint64{14, 13})) {
		t.Error("a carrier's event was rejected: want missed")
	}
}

// learnLines learns raw NDJSON lines as the decoder would give them.
func learnLines(t *testing.T, e *Enricher, lines []string) {
	t.Helper()
	var p fastjson.Parser
	for _, l := range lines {
		v, err := p.Parse(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		ev := event.New()
		v.GetObject().Visit(func(k []byte, v *fastjson.Value) { ev.Set(string(k), string(v.GetStringBytes())) })
		if name, ok := ev.Get("event_simpleName"); ok {
			ev.Set(event.SimpleName, name)
		}
		e.Learn(ev)
	}
}

// A process carries a literal only to the queries that look for it: the
// groups it was filed under. Carriers are known by process id: a process
// of another sensor with the same id is kept for them too (a few lines
// more at worst), never the other way round.
func TestCarriersByGroup(t *testing.T) {
	e := New(Options{})
	learnLines(t, e, append(slices.Clone(watchLines),
		`{"event_simpleName":"ProcessRollup2","aid":"a2","TargetProcessId":"14","ImageFileName":"C:\\x\\python.exe"}`))
	var lits CarrierLiterals
	lits.AddFor(1<<0, FieldContextImageFileName, "python")
	lits.AddFor(1<<1, FieldContextCommandLine, "SHODAN")
	lits.AddFor(1<<2, FieldContextProcessName, "notepad")
	c := e.Carriers(lits, 2)
	tests := []struct {
		pid    string
		groups uint64
		want   bool
	}{
		{"10", 1 << 0, true},  // python.exe, "shodan" in its command line
		{"10", 1 << 1, true},  //
		{"10", 1 << 2, false}, // not notepad
		{"11", 1 << 1, true},  // SHODAN.exe
		{"11", 1 << 0, false},
		{"14", 1 << 2, true},  // notepad.exe on a1
		{"14", 1 << 0, true},  // python.exe on a2
		{"14", 1 << 1, false}, // neither
		{"14", AllGroups, true},
		{"99", AllGroups, false}, // not learned
	}
	for _, tt := range tests {
		held, unsure := c.PidGroups(ReadPID([]byte(tt.pid)), tt.groups)
		if got := held != 0; got != tt.want || unsure {
			t.Errorf("process %s, groups %b: carried %v (unsure %v), want %v", tt.pid, tt.groups, got, unsure, tt.want)
		}
	}
}

// A user name carries a literal to any event, but only for the queries
// that look for it: the well-known accounts' names and the learned ones.
func TestCarriersUserGroups(t *testing.T) {
	e := New(Options{})
	learnLines(t, e, []string{`{"event_simpleName":"UserLogon","aid":"a1","UserSid":"S-1-5-21-7","UserName":"alice.admin","ContextTimeStamp":"1700000000"}`})
	var lits CarrierLiterals
	lits.AddFor(1<<0, FieldUserName, "SYSTEM")
	lits.AddFor(1<<1, FieldUserName, "admin")
	lits.AddFor(1<<2, FieldUserName, "bob")
	lits.AddFor(1<<3, FieldContextProcessName, "system")
	c := e.Carriers(lits, 1)
	if got, want := c.UserGroups(AllGroups), uint64(1<<0|1<<1); got != want {
		t.Errorf("user groups %b, want %b", got, want)
	}
	if c.None() || !c.Missed(func(func(uint64) bool) {}) {
		t.Error("a user name carrying a literal: some event may get it, rejected or not")
	}
	var none CarrierLiterals
	none.AddFor(1<<2, FieldUserName, "bob")
	if c := e.Carriers(none, 1); c.UserGroups(AllGroups) != 0 || !c.None() {
		t.Errorf("no user name holds bob: groups %b", c.UserGroups(AllGroups))
	}
}

// Carriers finds the same processes, with the same groups, however many
// goroutines share the table's shards, in memory and spilled: names,
// command lines, parents' names and parents named by a literal.
func TestCarriersSameOnAnyWorkers(t *testing.T) {
	puts := spillPuts(3000)
	var lits CarrierLiterals
	lits.AddFor(1<<0, FieldContextProcessName, "p3-1") // names, and so children of those
	lits.AddFor(1<<1, FieldContextCommandLine, "--run 2")
	lits.AddFor(1<<2, FieldContextImageFileName, `windows\p5`)
	for _, memory := range []int{0, 16 << 10} {
		t.Run(fmt.Sprintf("memory %d", memory), func(t *testing.T) {
			e := New(Options{})
			e.procs = newProcTable(64, 0, memory)
			defer e.procs.close()
			for _, p := range puts {
				e.procs.put(p.k, &p.info, 0)
			}
			if spilled := e.procs.size().spilled; (memory > 0) != (spilled > 0) {
				t.Fatalf("%d processes spilled at a budget of %d bytes", spilled, memory)
			}
			want := e.Carriers(lits, 1)
			if want.pids.n < 100 {
				t.Fatalf("%d carriers: too few to tell anything", want.pids.n)
			}
			plain := carrierPidsOf(e, puts, lits)
			for pid, g := range plain {
				if got := want.pids.get(pid); got&g != g {
					t.Errorf("process %d: groups %b, want at least %b", pid, got, g)
				}
			}
			if diff := cmp.Diff(plain, groupEntries(want.pids.slots)); memory == 0 && diff != "" {
				t.Errorf("carrier pids (-tested one by one +found):\n%s", diff)
			}
			for _, workers := range []int{2, 3, 64, 100} {
				got := e.Carriers(lits, workers)
				if diff := cmp.Diff(groupEntries(want.pids.slots), groupEntries(got.pids.slots)); diff != "" {
					t.Errorf("%d workers: carrier pids (-one +several):\n%s", workers, diff)
				}
			}
		})
	}
}

// carrierPidsOf is what Carriers should find among the processes put,
// found the plain way: each one's details and its parent's name tested
// one by one, ids ORed across sensors. A process both spilled and in
// memory may carry more (each record is looked at), never less.
func carrierPidsOf(e *Enricher, puts []struct {
	k    procKey
	info procInfo
}, lits CarrierLiterals) map[uint64]uint64 {
	held := newGroupMemo(lits.Process, lits.ProcessGroups)
	want := map[uint64]uint64{}
	for _, put := range puts {
		k := put.k
		p, ok := e.procs.get(k, false, 0)
		if !ok {
			continue
		}
		g := held(p.name) | held(p.image) | held(p.cmdline) | held(p.parentName) | held(p.userName)
		if parent, ok := e.procs.get(procKey{k.aid, p.parentPID}, false, 0); ok && p.parentPID != 0 {
			g |= held(parent.name)
		}
		if g != 0 {
			want[k.pid] |= g
		}
	}
	return want
}
