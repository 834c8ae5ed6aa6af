package enrich

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The numbered directory answers as string-keyed maps with the newest
// observation winning (a tie to the smaller name) do, in any learning
// order, with its per-host observations in memory or spilled to runs past
// a budget (each observation, every few hundred, every few thousand).
func TestUserDirAnswersAsByStrings(t *testing.T) {
	for _, budget := range []int{0, 1, 2 << 10, 16 << 10} {
		for seed := range uint64(6) {
			userDirAnswersAsByStrings(t, seed, budget)
		}
	}
}

func userDirAnswersAsByStrings(t *testing.T, seed uint64, budget int) {
	{
		r := rand.New(rand.NewPCG(seed, 3))
		type obs struct {
			aid, sid, auth, uid, name string
			t                         float64
		}
		var history []obs
		for range 3000 {
			o := obs{aid: fmt.Sprintf("aid%d", r.IntN(7)), name: fmt.Sprintf("user%d", r.IntN(40)), t: float64(r.IntN(50))}
			if r.IntN(3) > 0 {
				o.sid = fmt.Sprintf("S-1-5-21-%d", r.IntN(60))
			}
			if r.IntN(2) == 0 {
				o.auth = fmt.Sprint(r.IntN(80))
			}
			if r.IntN(4) == 0 {
				o.uid = fmt.Sprint(r.IntN(30))
			}
			history = append(history, o)
		}
		// the model: three maps of strings
		model := map[string]map[hostKey]stamped{"sid": {}, "auth": {}, "uid": {}}
		for _, o := range history {
			if o.aid == "" || (!usableSid(o.sid) && !usableAuth(o.auth) && !usableUID(o.uid)) {
				continue
			}
			for kind, id := range map[string]string{"sid": o.sid, "auth": o.auth, "uid": o.uid} {
				usable := map[string]bool{"sid": usableSid(id), "auth": usableAuth(id), "uid": usableUID(id)}[kind]
				if usable {
					putNewest(model[kind], 0, hostKey{o.aid, id}, stamped{o.name, o.t})
				}
			}
		}
		d := newUserDir(0, budget)
		defer d.runs.close()
		for _, i := range r.Perm(len(history)) {
			o := history[i]
			d.learnIdentity(o.aid, o.sid, o.auth, o.uid, o.name, o.t)
		}
		if spilled := d.runs != nil && len(d.runs.runs) > 0; spilled != (budget > 0) {
			t.Fatalf("budget %d: spilled %v", budget, spilled)
		}
		for aid := range 8 {
			a := fmt.Sprintf("aid%d", aid)
			for id := range 81 {
				sid, auth, uid := fmt.Sprintf("S-1-5-21-%d", id), fmt.Sprint(id), fmt.Sprint(id)
				for _, q := range []struct{ kind, sid, auth, uid string }{{"sid", sid, "", ""}, {"auth", "", auth, ""}, {"uid", "", "", uid}} {
					want, wantOK := model[q.kind][hostKey{a, map[string]string{"sid": sid, "auth": auth, "uid": uid}[q.kind]}]
					got, ok := d.resolve(a, q.sid, q.auth, q.uid)
					if q.kind == "uid" && uid == "0" && !wantOK {
						want.name, wantOK = "root", true
					}
					if ok != wantOK || got != want.name {
						t.Fatalf("seed %d, budget %d: resolve(%s, %s %d) = %q, %v; want %q, %v", seed, budget, a, q.kind, id, got, ok, want.name, wantOK)
					}
				}
			}
		}
	}
}

// A bounded directory renumbers its strings as entries leave: an endless
// stream of logon ids keeps its numbers bounded, and what it holds still
// resolves to the name it was learned with.
func TestBoundedUserDirRenumbers(t *testing.T) {
	const limit = 500
	d := newUserDir(limit, 0)
	for i := range 100_000 {
		d.learnIdentity(fmt.Sprintf("aid%d", i%9), "", fmt.Sprintf("0x%x", i), "", fmt.Sprintf("user%d", i%13), float64(i))
	}
	if n := len(d.nums.strs); n > 2*max(internLimit, 6*3*limit) {
		t.Errorf("%d strings numbered for %d entries", n, d.entries())
	}
	held := d.identities(d.byAuth)
	if len(held) == 0 || len(held) > limit {
		t.Fatalf("%d logon ids held, want 1 to %d", len(held), limit)
	}
	for k, v := range held {
		if got, ok := d.resolve(k.aid, "", k.id, ""); !ok || got != v.name {
			t.Fatalf("resolve(%s, logon %s) = %q, %v; want %q", k.aid, k.id, got, ok, v.name)
		}
		var i int
		fmt.Sscanf(k.id, "0x%x", &i)
		if want := fmt.Sprintf("user%d", i%13); v.name != want || k.aid != fmt.Sprintf("aid%d", i%9) {
			t.Fatalf("logon %s held as %s on %s, learned as %s on aid%d", k.id, v.name, k.aid, want, i%9)
		}
	}
}

// Learning logons of 5,000 SIDs on 300 hosts, then resolving them: the
// numbered directory's hot paths.
func BenchmarkUserDirLearnIdentity(b *testing.B) {
	const hosts, sids = 300, 5_000
	aids := make([]string, hosts)
	for i := range aids {
		aids[i] = fmt.Sprintf("%032x", i*7919)
	}
	sidOf := make([]string, sids)
	for i := range sidOf {
		sidOf[i] = fmt.Sprintf("S-1-5-21-1004-%d", i)
	}
	d := newUserDir(0, 0)
	i := 0
	for b.Loop() {
		d.learnIdentity(aids[i%hosts], sidOf[(i*31)%sids], "", "", "user42", float64(i))
		i++
	}
}

func BenchmarkUserDirResolve(b *testing.B) {
	d := newUserDir(0, 0)
	for i := range 50_000 {
		d.learnIdentity(fmt.Sprintf("aid%d", i%300), fmt.Sprintf("S-1-5-21-%d", i%5000), "", "", "user1", 1)
	}
	aids := make([]string, 300)
	for i := range aids {
		aids[i] = fmt.Sprintf("aid%d", i)
	}
	i := 0
	for b.Loop() {
		d.resolve(aids[i%300], "S-1-5-21-17", "", "")
		i++
	}
}
