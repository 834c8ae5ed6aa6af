package sensor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// samplesDir holds real EVTX files with reference exports written by
// python-evtx (make_reference.py beside them).
const samplesDir = "../../../shared/samples/evtx"

func sampleFiles(t testing.TB) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.evtx"))
	if len(files) == 0 {
		t.Skipf("no EVTX samples in %s (the shared folder is not beside the clone)", samplesDir)
	}
	return files
}

// referenceShape renders a record the way make_reference.py does, so both
// can be compared value by value.
func referenceShape(r *EVTXRecord) map[string]any {
	ev := r.Event
	sys := ev.Child("System")
	out := map[string]any{"record": float64(r.Number), "chunk": float64(r.Chunk)}
	text := func(name string) any {
		if c := sys.Child(name); c != nil {
			return c.Text
		}
		return nil
	}
	num := func(v any) any {
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return float64(n)
			}
		}
		return v
	}
	out["EventRecordID"] = num(text("EventRecordID"))
	out["EventID"] = num(text("EventID"))
	out["Channel"] = text("Channel")
	out["Computer"] = text("Computer")
	out["timestamp"] = nil
	if tc := sys.Child("TimeCreated"); tc != nil {
		if v, ok := tc.Attr("SystemTime"); ok {
			out["timestamp"] = v
		}
	}
	out["Provider"] = nil
	if p := sys.Child("Provider"); p != nil {
		if v, ok := p.Attr("Name"); ok {
			out["Provider"] = v
		}
	}
	data := map[string]any{}
	var unnamed []any
	if ed := ev.Child("EventData"); ed != nil {
		for _, c := range ed.Children {
			switch c.Name {
			case "Data":
				if name, ok := c.Attr("Name"); ok {
					put(data, name, value(c))
				} else if c.IsArray {
					for _, s := range c.Array {
						unnamed = append(unnamed, s)
					}
				} else {
					unnamed = append(unnamed, c.Text)
				}
			case "Binary":
				out["Binary"] = c.Text
			}
		}
	}
	out["EventData"] = data
	if len(unnamed) > 0 {
		out["EventDataUnnamed"] = unnamed
	}
	if ud := ev.Child("UserData"); ud != nil {
		u := map[string]any{}
		for _, w := range ud.Children {
			leaves := map[string]any{}
			for _, c := range w.Children {
				collectLeaves(c, leaves)
			}
			put(u, w.Name, leaves)
		}
		out["UserData"] = u
	}
	return out
}

func value(n *Node) any {
	if n.IsArray {
		out := make([]any, len(n.Array))
		for i, s := range n.Array {
			out[i] = s
		}
		return out
	}
	return n.Text
}

func collectLeaves(n *Node, out map[string]any) {
	if len(n.Children) == 0 {
		put(out, n.Name, value(n))
	}
	for _, c := range n.Children {
		collectLeaves(c, out)
	}
}

func put(m map[string]any, k string, v any) {
	old, ok := m[k]
	if !ok {
		m[k] = v
		return
	}
	if l, isList := old.([]any); isList {
		m[k] = append(l, v)
		return
	}
	m[k] = []any{old, v}
}

// TestEVTXMatchesReference reads every sample file and compares every
// record, field by field, with the python-evtx reference export.
func TestEVTXMatchesReference(t *testing.T) {
	for _, path := range sampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := os.Open(path + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			sc := bufio.NewScanner(ref)
			sc.Buffer(nil, 1<<24)
			var problems []string
			n, mismatches := 0, 0
			st, err := ReadEVTX(data, func(r *EVTXRecord) error {
				n++
				if !sc.Scan() {
					return fmt.Errorf("record %d: reference export has no more lines", r.Number)
				}
				var want map[string]any
				if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
					return err
				}
				got := referenceShape(r)
				if diff := cmp.Diff(want, got); diff != "" {
					mismatches++
					if mismatches <= 3 {
						t.Errorf("record %d differs from the reference (-want +got):\n%s", r.Number, diff)
					}
				}
				return nil
			}, func(p EVTXProblem) { problems = append(problems, p.Error()) })
			if err != nil {
				t.Fatal(err)
			}
			if sc.Scan() {
				t.Errorf("reference has more records than the %d read; next: %.200s", n, sc.Text())
			}
			if len(problems) > 0 {
				t.Errorf("problems reported on an intact file: %s", strings.Join(problems, "; "))
			}
			if mismatches > 0 {
				t.Errorf("%d of %d records differ", mismatches, n)
			}
			if st.Records != n {
				t.Errorf("stats say %d records, %d delivered", st.Records, n)
			}
		})
	}
}
