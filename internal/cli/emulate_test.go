package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmulateWritesNDJSONAndManifest(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.json")
	aidmaster := filepath.Join(dir, "aidmaster.ndjson")
	var out, errb bytes.Buffer
	code := Main([]string{"emulate", "--seed", "3", "--events", "5000", "--hosts", "12", "--tests", "2,3",
		"--platforms", "lin", "--view", "logscale", "--manifest", manifest, "--aidmaster", aidmaster}, nil, &out, &errb)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5000 {
		t.Fatalf("got %d lines, want 5000", len(lines))
	}
	for i, l := range lines {
		var e map[string]string
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if e["ComputerName"] == "" {
			t.Fatalf("line %d: --view logscale line without ComputerName", i+1)
		}
	}
	var m struct {
		Attacks []struct {
			Test     int
			Platform string
		}
	}
	raw, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Attacks) != 2 || m.Attacks[0].Platform != "Lin" {
		t.Errorf("manifest attacks = %+v, want tests 2 and 3 on Lin", m.Attacks)
	}
	if am, _ := os.ReadFile(aidmaster); bytes.Count(am, []byte("\n")) != 12 {
		t.Errorf("aidmaster has %d records, want 12", bytes.Count(am, []byte("\n")))
	}
}

func TestEmulateFDR(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main([]string{"emulate", "--events", "3000", "--fdr", dir}, nil, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.Len() != 0 {
		t.Errorf("--fdr also wrote %d bytes to stdout", out.Len())
	}
	for _, pattern := range []string{"manifest.json", "data/*/part-00000.gz", "data/*/_SUCCESS", "fdrv2/aidmaster/*/part-00000.gz", "fdrv2/userinfo/*/part-00000.gz"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) == 0 {
			t.Errorf("no %s under the FDR tree", pattern)
		}
	}
}

func TestEmulateUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--tests", "6"},
		{"--tests", "1,x"},
		{"--platforms", "mac"},
		{"--view", "splunk"},
		{"--start", "yesterday"},
		{"--hosts", "3"},
		{"--events", "0"},
		{"--duration", "10s"},
		{"--shuffle-window", "0"},
		{"--shuffle-window", "2000000"},
		{"extra-arg"},
	} {
		var out, errb bytes.Buffer
		code := Main(append([]string{"emulate"}, args...), nil, &out, &errb)
		if code != ExitUsage {
			t.Errorf("emulate %v: exit %d, want %d (stderr %q)", args, code, ExitUsage, errb.String())
		}
		if out.Len() != 0 {
			t.Errorf("emulate %v wrote to stdout", args)
		}
	}
}
