package enrich

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// learnLogons teaches d n logons of users on hosts, each observation new.
func learnLogons(d *userDir, n int) {
	for i := range n {
		d.learnIdentity(fmt.Sprintf("%032x", i%300), fmt.Sprintf("S-1-5-21-1004-%d", i), fmt.Sprintf("0x%x", i), "", fmt.Sprintf("user%d", i%97), float64(i))
	}
}

// A file-mode Enricher spills its user directory past an eighth of the
// process budget, says so in its stats, and still names every user: by
// SID and logon id, and among the names free text may look for.
func TestEnricherSpillsUsers(t *testing.T) {
	for _, tc := range []struct {
		name          string
		processMemory int
		wantSpilled   bool
	}{
		{"default budget, few logons", 0, false},
		{"never spill", -1, false},
		{"small budget", 64 << 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{ProcessMemory: tc.processMemory})
			defer e.Close()
			learnLogons(e.users, 5000)
			st := e.Stats()
			if (st.UsersSpilled > 0) != tc.wantSpilled || st.UserSpillError != "" {
				t.Fatalf("spilled %d (error %q); want spilled: %v", st.UsersSpilled, st.UserSpillError, tc.wantSpilled)
			}
			if got := strings.Contains(st.Summary(), "user mappings spilled"); got != tc.wantSpilled {
				t.Errorf("summary mentions the spill: %v\n%s", got, st.Summary())
			}
			if tc.wantSpilled && e.users.footprint() > userMemory(tc.processMemory)+userEntryCost*3+stringCost*3+64 {
				t.Errorf("the directory holds %d bytes past its budget of %d", e.users.footprint(), userMemory(tc.processMemory))
			}
			for _, i := range []int{0, 1, 2500, 4999} {
				aid := fmt.Sprintf("%032x", i%300)
				want := fmt.Sprintf("user%d", i%97)
				for _, q := range [][2]string{{fmt.Sprintf("S-1-5-21-1004-%d", i), ""}, {"", fmt.Sprintf("0x%x", i)}} {
					if got, ok := e.users.resolve(aid, q[0], q[1], ""); !ok || got != want {
						t.Errorf("resolve(%s, %q, %q) = %q, %v; want %q", aid, q[0], q[1], got, ok, want)
					}
				}
			}
			// user0 was learned first: spilled, when anything was
			if !e.users.anyName(func(n string) bool { return n == "user0" }) {
				t.Error("anyName does not find user0")
			}
			if e.users.anyName(func(n string) bool { return n == "nobody" }) {
				t.Error("anyName finds a name never learned")
			}
		})
	}
}

// Where no temporary file can be made, the directory keeps everything in
// memory, as without a budget, and says why.
func TestUserSpillFailureKeepsAllInMemory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	e := New(Options{ProcessMemory: 8})
	defer e.Close()
	learnLogons(e.users, 2000)
	st := e.Stats()
	if st.UserSpillError == "" || st.UsersSpilled != 0 || st.UserSpillLost {
		t.Fatalf("error %q, %d spilled, lost %v: want an error and nothing spilled", st.UserSpillError, st.UsersSpilled, st.UserSpillLost)
	}
	if e.users.observations() != 4000 {
		t.Errorf("%d observations in memory, want all 4000", e.users.observations())
	}
	if got, ok := e.users.resolve(fmt.Sprintf("%032x", 1999%300), "S-1-5-21-1004-1999", "", ""); !ok || got != "user59" {
		t.Errorf("resolve = %q, %v; want user59", got, ok)
	}
}

// A run that cannot be read back loses its users for the lookups that
// needed them, and the stats say so: a warning, never a wrong name.
func TestUserSpillReadFailureIsReported(t *testing.T) {
	e := New(Options{ProcessMemory: 8})
	defer e.Close()
	learnLogons(e.users, 100)
	if err := e.users.runs.f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	if got, ok := e.users.resolve(fmt.Sprintf("%032x", 5), "S-1-5-21-1004-5", "", ""); ok {
		t.Errorf("resolve from a lost run = %q", got)
	}
	if st := e.Stats(); !st.UserSpillLost || st.UserSpillError == "" {
		t.Errorf("lost %v, error %q: want the loss reported", st.UserSpillLost, st.UserSpillError)
	}
}

// Observations decode to what was encoded; a cut one is an error, never a
// panic.
func TestUserObsRoundTrip(t *testing.T) {
	o := userObs{hash: 1 << 63, kind: byAuthKind, aid: "0123456789abcdef0123456789abcdef", id: "0x3e7", name: "NT AUTHORITY\\SYSTEM", time: 1700000000.123}
	b := appendUserObs(nil, &o)
	var raw rawUserObs
	rest, ok := raw.read(b)
	got := userObs{hash: raw.hash, kind: raw.kind, aid: string(raw.aid), id: string(raw.id), name: string(raw.name), time: raw.time}
	if !ok || len(rest) != 0 || got != o {
		t.Fatalf("read = %+v, %d left, %v; want %+v", got, len(rest), ok, o)
	}
	for cut := range len(b) {
		if _, ok := raw.read(b[:cut]); ok {
			t.Errorf("cut at %d: decoded", cut)
		}
	}
}

// A key read back from the runs is kept in memory while the directory is
// under its budget: its next lookup reads nothing.
func TestUserLookupKeepsWhatItReadBack(t *testing.T) {
	d := newUserDir(0, 16<<10)
	defer d.runs.close()
	learnLogons(d, 1000)
	if len(d.runs.runs) == 0 {
		t.Fatal("nothing spilled")
	}
	aid, sid := fmt.Sprintf("%032x", 0), "S-1-5-21-1004-0" // learned first: spilled
	// the first reads the key's run (and any other a Bloom filter's false
	// positive sends it to); the second nothing
	for i, wantRead := range []bool{true, false} {
		before := d.runs.reads
		if got, ok := d.resolve(aid, sid, "", ""); !ok || got != "user0" {
			t.Fatalf("lookup %d: resolve = %q, %v; want user0", i, got, ok)
		}
		if reads := d.runs.reads - before; (reads > 0) != wantRead {
			t.Errorf("lookup %d read %d blocks back, want some: %v", i, reads, wantRead)
		}
	}
	if d.footprint() > d.budget+userEntryCost+2*(stringCost+40) {
		t.Errorf("memory holds %d bytes past the budget of %d", d.footprint(), d.budget)
	}
}
