package mapping

import (
	"strings"
	"testing"
)

func TestDefaultTable(t *testing.T) {
	m := Default()
	for _, c := range []struct{ cat, product, sigma, falcon string }{
		{"process_creation", "windows", "Image", "ImageFileName"},
		{"process_creation", "linux", "ParentImage", "ParentBaseFileName"},
		{"process_creation", "macos", "User", "UserName"},
		{"dns_query", "windows", "QueryName", "DomainName"},
		{"network_connection", "windows", "DestinationPort", "RemotePort"},
		{"network_connection", "linux", "DestinationIp", "RemoteAddressIP4"},
		{"file_event", "windows", "TargetFilename", "TargetFileName"},
		{"image_load", "windows", "ImageLoaded", "ImageFileName"},
		{"registry_set", "windows", "TargetObject", "TargetObject"},
		{"registry_delete", "windows", "Computer", "ComputerName"},
	} {
		ls := m.Lookup(c.cat, c.product)
		if ls == nil {
			t.Fatalf("no logsource %s/%s", c.cat, c.product)
		}
		f := m.Field(ls, c.sigma)
		if f == nil || f.Field != c.falcon {
			t.Errorf("%s/%s %s = %+v, want %s", c.cat, c.product, c.sigma, f, c.falcon)
		}
	}
	ls := m.Lookup("process_creation", "windows")
	if f := m.Field(ls, "CurrentDirectory"); f == nil || f.Unsupported == "" {
		t.Errorf("CurrentDirectory should be unsupported, got %+v", f)
	}
	if f := m.Field(ls, "ParentImage"); f.PathField != "ParentImageFileName" || !f.Basename {
		t.Errorf("ParentImage = %+v", f)
	}
	if f := m.Field(ls, "IntegrityLevel"); f.Values["high"] != "12288" {
		t.Errorf("IntegrityLevel High = %q", f.Values["high"])
	}
	if m.Lookup("ps_script", "windows") != nil {
		t.Error("unexpected logsource match")
	}
	// No product means every product (Sigma spec): the category's entry.
	if ls := m.Lookup("process_creation", ""); ls == nil || ls.Category != "process_creation" {
		t.Errorf("process_creation without product = %+v", ls)
	}
	net := m.Lookup("network_connection", "windows")
	if got := m.Field(net, "Initiated").EventTypes["true"]; len(got) == 0 || got[0] != "NetworkConnectIP4" {
		t.Errorf("Initiated true → %v", got)
	}
	if reg := m.Lookup("registry_set", "windows"); len(reg.Derive) != 3 {
		t.Errorf("registry derive steps: %v", reg.Derive)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"platforms: {windows: Win}\nbogus: 1\n", "x.yaml:2:8: unknown key \"bogus\""},
		{"logsources:\n  - category: a\n    products: [windows]\n    events: [E]\n    fields:\n      Image: {basename: true}\n", "x.yaml:6:14: field Image needs `field`, `hashes` or `unsupported`"},
		{"logsources:\n  - category: a\n    products: [windows]\n", "x.yaml:2:5: a logsource needs category, products and events"},
		{"logsources:\n  - category: a\n    products: [windows]\n    events: [E]\n    match_platform: true\n", "x.yaml:2: product \"windows\" has no entry under platforms"},
		{"logsources:\n  - category: a\n    products: [w]\n    events: [E]\n    fields: {A: {field: x, basename: maybe}}\n", "x.yaml:5:38: want true or false"},
	} {
		_, err := Parse("x.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want %q", c.src, err, c.want)
		}
	}
}
