package check

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

func TestZZDebug(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	f, _ := os.Open(corpusPath)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var r corpusRecord
		json.Unmarshal(sc.Bytes(), &r)
		if hasAny(r.Flags, skippedFlags) {
			continue
		}
		src := stripLeadingPipe(r.Query)
		q, pds := cql.Parse(src)
		if pds.HasErrors() {
			if os.Getenv("ZZ") == "parse" {
				for _, d := range pds {
					t.Log(r.ID + "\n" + d.Render("q", src))
				}
			}
			continue
		}
		for _, d := range Check(q, Options{}) {
			if d.Code != CodeUnsupportedFunction && (os.Getenv("ZZ") == "all" || d.Code == os.Getenv("ZZ")) {
				t.Log(r.ID + "\n" + d.Render("q", src))
			}
		}
	}
}
