package emulate

import (
	"slices"
	"testing"
)

// Rule packages ship lookup files naming the false-positive sources, so
// those names must not depend on the seed or the estate size.
func TestFalsePositiveNamesAreStable(t *testing.T) {
	ref := mustEstate(t, 1, 40)
	for _, c := range []struct {
		seed  int64
		hosts int
	}{{2, 40}, {99, MinHosts}, {7, 500}} {
		e := mustEstate(t, c.seed, c.hosts)
		for name, pair := range map[string][2][]string{
			"SOCHosts":        {ref.SOCHosts, e.SOCHosts},
			"ScannerHosts":    {ref.ScannerHosts, e.ScannerHosts},
			"ScannerAccounts": {ref.ScannerAccounts, e.ScannerAccounts},
			"SOARHosts":       {ref.SOARHosts, e.SOARHosts},
			"SOARScripts":     {ref.SOARScripts, e.SOARScripts},
		} {
			if !slices.Equal(pair[0], pair[1]) {
				t.Errorf("seed %d, %d hosts: %s = %v, want %v", c.seed, c.hosts, name, pair[1], pair[0])
			}
		}
		if len(e.Hosts) != c.hosts {
			t.Errorf("seed %d: %d hosts, want %d", c.seed, len(e.Hosts), c.hosts)
		}
	}
}

func TestEstateShape(t *testing.T) {
	e := mustEstate(t, 5, 40)
	aids := map[string]bool{}
	names := map[string]bool{}
	for _, h := range e.Hosts {
		if aids[h.AID] || names[h.ComputerName] {
			t.Errorf("duplicate host %s / %s", h.AID, h.ComputerName)
		}
		aids[h.AID], names[h.ComputerName] = true, true
	}
	for _, p := range []Platform{Windows, Linux} {
		h := e.AttackHost(p)
		if h == nil || h.Platform != p || len(h.Users) == 0 {
			t.Fatalf("attack host for %s: %+v", p, h)
		}
		if slices.Contains(e.SOCHosts, h.ComputerName) || slices.Contains(e.ScannerHosts, h.ComputerName) {
			t.Errorf("attack host %s is a false-positive source", h.ComputerName)
		}
	}
	for _, name := range e.ScannerHosts {
		h := e.HostByName(name)
		if h == nil || h.Service == nil || !slices.Contains(e.ScannerAccounts, h.Service.Name) {
			t.Errorf("scanner %s does not run as a listed scanner account", name)
		}
	}
	sids := map[string]bool{}
	for _, a := range e.Accounts {
		if a.SID == "" || sids[a.SID] {
			t.Errorf("account %s: missing or duplicate SID %q", a.Name, a.SID)
		}
		sids[a.SID] = true
	}
	if _, err := DefaultEstate(1, MinHosts-1); err == nil {
		t.Errorf("an estate of %d hosts should be refused", MinHosts-1)
	}
}
