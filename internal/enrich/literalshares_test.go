package enrich

import (
	"fmt"
	"testing"
)

// The share of learned processes whose details hold each literal, ignoring
// case: in a name, an image path, a command line or a parent's name; past
// 64 literals too (they are looked for 64 at a time).
func TestProcessLiteralShares(t *testing.T) {
	e := New(Options{})
	var lines []string
	for i := range 40 {
		image, cmd := `C:\\Windows\\System32\\svchost.exe`, "svchost.exe -k netsvcs"
		if i%4 == 0 {
			image, cmd = `C:\\Tools\\Python\\python.exe`, "python.exe shodan search"
		}
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"a%d","TargetProcessId":"%d","ImageFileName":"%s","CommandLine":"%s","ParentBaseFileName":"services.exe"}`, i%3, 100+i, image, cmd))
	}
	learnLines(t, e, lines)
	lits := []string{"SVCHOST", "python", "SHODAN", "services.exe", "notepad"}
	for i := range 70 {
		lits = append(lits, fmt.Sprintf("absent-%d", i))
	}
	lits = append(lits, "system32")
	shares, n := e.ProcessLiteralShares(lits, 4096)
	if n != 40 {
		t.Fatalf("looked at %d processes, want 40", n)
	}
	want := map[string]float64{"SVCHOST": 0.75, "python": 0.25, "SHODAN": 0.25, "services.exe": 1, "notepad": 0, "absent-69": 0, "system32": 0.75}
	for i, l := range lits {
		if w, ok := want[l]; ok && shares[i] != w {
			t.Errorf("%s: share %v, want %v", l, shares[i], w)
		}
	}
	if shares, n := New(Options{}).ProcessLiteralShares(lits, 4096); shares != nil || n != 0 {
		t.Errorf("nothing learned: shares %v of %d", shares, n)
	}
}
