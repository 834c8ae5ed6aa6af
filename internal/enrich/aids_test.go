package enrich

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// Aids numbered from several goroutines get distinct numbers, each aid one,
// and are found by both lookups whether published or not.
func TestAidTableNumbersOnce(t *testing.T) {
	tab := newAidTable()
	const n = 3000
	var wg sync.WaitGroup
	got := make([][]uint32, 4)
	for w := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				id, ok := tab.number(fmt.Sprintf("aid-%d", (i*7+w)%n))
				if !ok {
					t.Errorf("no room for aid %d", i)
				}
				got[w] = append(got[w], id)
				tab.lookupBytes([]byte(fmt.Sprintf("aid-%d", i/2)))
			}
		}()
	}
	wg.Wait()
	seen := map[uint32]string{}
	for i := range n {
		aid := fmt.Sprintf("aid-%d", i)
		id, ok := tab.lookup(aid)
		if !ok {
			t.Fatalf("%s not found", aid)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("%s and %s share number %d", aid, other, id)
		}
		seen[id] = aid
		if id2, ok := tab.lookupBytes([]byte(aid)); !ok || id2 != id {
			t.Fatalf("lookupBytes(%s) = %d, %v; lookup gave %d", aid, id2, ok, id)
		}
		if int(id) >= n {
			t.Fatalf("%s numbered %d, beyond the %d aids", aid, id, n)
		}
	}
	if _, ok := tab.lookup("never"); ok {
		t.Error("an aid never numbered was found")
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if len(tab.dirty) == n {
		t.Error("nothing was published: every lookup takes the lock")
	}
}

func TestAidTableLimit(t *testing.T) {
	tab := newAidTable()
	tab.limit = 2
	for i, want := range []bool{true, true, false} {
		if _, ok := tab.number(fmt.Sprint(i)); ok != want {
			t.Errorf("aid %d: numbered %v, want %v", i, ok, want)
		}
	}
	if id, ok := tab.number("1"); !ok || id != 1 {
		t.Errorf("a numbered aid, once full: %d, %v", id, ok)
	}
}

// An aid the table never numbered is looked up without its lock while
// nothing waits to be published (here the lock is held throughout, so a
// lookup that took it would never return); one numbered and not yet
// published is found under it.
func TestAidTableMissesWithoutTheLock(t *testing.T) {
	tab := newAidTable()
	a, _ := tab.number("aaaa")
	for range 4 {
		tab.lookup("zzzz") // misses until dirty is published
	}
	if got, ok := tab.lookup("aaaa"); !ok || got != a {
		t.Fatalf("lookup(aaaa) = %d, %v after publishing; want %d", got, ok, a)
	}
	done := make(chan bool)
	tab.mu.Lock()
	go func() {
		_, ok1 := tab.lookup("unknown")
		_, ok2 := tab.lookupBytes([]byte("unknown"))
		done <- ok1 || ok2
	}()
	select {
	case found := <-done:
		if found {
			t.Error("an aid never numbered was found")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lookup of an aid never numbered waited for the table's lock")
	}
	tab.mu.Unlock()
	b, _ := tab.number("bbbb")
	if got, ok := tab.lookupBytes([]byte("bbbb")); !ok || got != b {
		t.Errorf("lookupBytes(bbbb) = %d, %v before publishing; want %d", got, ok, b)
	}
}
