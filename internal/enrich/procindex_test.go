package enrich

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// inverse returns x's multiplicative inverse modulo 2^64 (x odd).
func inverse(x uint64) uint64 {
	y := x // Newton's iteration doubles the correct low bits each step
	for range 6 {
		y *= 2 - x*y
	}
	return y
}

// Two keys whose mixes collide are both kept, found and forgotten apart.
func TestProcIndexCollisions(t *testing.T) {
	a := procKey{aid: 1, pid: 4000015045}
	// the pid that gives sensor 2 the same mix as a
	b := procKey{aid: 2}
	b.pid = (mixKey(a) ^ uint64(b.aid)*0xC2B2AE3D27D4EB4F) * inverse(0x9E3779B97F4A7C15)
	if mixKey(a) != mixKey(b) || a == b {
		t.Fatalf("keys %v and %v do not collide", a, b)
	}
	tab := newProcTable(1, 0, 0)
	tab.put(a, &procInfo{name: "a.exe"}, 0)
	tab.put(b, &procInfo{name: "b.exe"}, 0)
	for _, tc := range []struct {
		k    procKey
		want string
	}{{a, "a.exe"}, {b, "b.exe"}} {
		if got, ok := tab.get(tc.k, false, 0); !ok || got.name != tc.want {
			t.Errorf("get(%v) = %q, %v; want %q", tc.k, got.name, ok, tc.want)
		}
	}
	if n := tab.size().held; n != 2 {
		t.Errorf("size %d, want 2", n)
	}
	s := &tab.shards[0]
	s.unbind(a)
	if _, ok := s.find(a); ok {
		t.Error("a still found once unbound")
	}
	if i, ok := s.find(b); !ok || s.infoAt(i).name != "b.exe" {
		t.Error("b lost when a was unbound")
	}
	seen := 0
	s.each(func(k procKey, i int32) {
		if s.slot(i).key != k {
			t.Errorf("each: key %v, slot holds %v", k, s.slot(i).key)
		}
		seen++
	})
	if seen != 1 {
		t.Errorf("each visited %d, want 1", seen)
	}
}

// Pids that differ only above their low 32 bits share a tag: both are kept
// and found apart.
func TestProcIndexTagCollisions(t *testing.T) {
	tab := newProcTable(1, 0, 0)
	var keys []procKey
	for i := range 5 {
		k := procKey{aid: 3, pid: 4000015045 + uint64(i)<<32}
		keys = append(keys, k)
		tab.put(k, &procInfo{name: string(rune('a'+i)) + ".exe"}, 0)
	}
	if tagOf(keys[0]) != tagOf(keys[4]) {
		t.Fatal("the keys do not share a tag: the case tests nothing")
	}
	for i, k := range keys {
		if got, ok := tab.get(k, false, 0); !ok || got.name != string(rune('a'+i))+".exe" {
			t.Errorf("get(%v) = %q, %v", k, got.name, ok)
		}
	}
}

// TestProcIndexAgainstMap: random puts, expiries and evictions on one
// shard leave the index agreeing with a plain map of what is held, probe
// runs and all (keys are packed so that runs are long and wrap).
func TestProcIndexAgainstMap(t *testing.T) {
	for _, limit := range []int{0, 40} {
		rng := rand.New(rand.NewPCG(7, uint64(limit)))
		tab := newProcTable(1, limit, 0)
		s := &tab.shards[0]
		held := map[procKey]bool{}
		for op := range 20000 {
			k := procKey{aid: uint32(rng.IntN(3)), pid: uint64(1 + rng.IntN(200))}
			if rng.IntN(3) > 0 {
				tab.put(k, &procInfo{name: "p.exe"}, int64(op))
				held[k] = true
				if limit > 0 && len(held) > limit {
					// the least recently used went: rebuild held from the table
					clear(held)
					s.each(func(k procKey, _ int32) { held[k] = true })
				}
			} else if i, ok := s.find(k); ok {
				s.unlink(i)
				s.unbind(k)
				*s.slot(i) = procSlot{}
				s.free = append(s.free, i)
				delete(held, k)
			}
			if op%97 != 0 {
				continue
			}
			if s.entries() != len(held) {
				t.Fatalf("op %d: %d entries, want %d", op, s.entries(), len(held))
			}
			for aid := range uint32(3) {
				for pid := uint64(1); pid <= 200; pid++ {
					k := procKey{aid, pid}
					i, ok := s.find(k)
					if ok != held[k] || ok && s.slot(i).key != k {
						t.Fatalf("op %d: find(%v) = %d, %v; held %v", op, k, i, ok, held[k])
					}
				}
			}
		}
	}
}

// A put's first probe is the entry prefetch brings in: the hints follow
// the index as it grows, in every shard; before a shard has an index there
// is nothing to prefetch. Addresses of no table at all are prefetched
// without a fault.
func TestPrefetchAddressesTheFirstProbe(t *testing.T) {
	tab := newProcTable(4, 0, 0)
	if at := tab.homeAddr(procKey{aid: 1, pid: 7}); at != 0 {
		t.Errorf("empty table: prefetch address %#x, want none", at)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 5000 {
		k := procKey{aid: uint32(r.IntN(30)), pid: r.Uint64N(1 << 40)}
		tab.put(k, &procInfo{name: "p.exe"}, 0)
		if i%97 != 0 {
			continue
		}
		for _, q := range []procKey{k, {aid: 3, pid: r.Uint64N(1 << 40)}} {
			x := &tab.shards[tab.shardIndex(q)].index
			if len(x.ents) == 0 {
				continue
			}
			want := uintptr(unsafe.Pointer(&x.ents[x.home(tagOf(q))]))
			if got := tab.homeAddr(q); got != want {
				t.Fatalf("after %d puts, %v: prefetch address %#x, first probe at %#x", i+1, q, got, want)
			}
		}
	}
	for _, at := range []uintptr{0, 1, 1 << 47, ^uintptr(0) &^ 63} {
		prefetch(at)
	}
}
