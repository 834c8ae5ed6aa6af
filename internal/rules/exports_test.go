package rules

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestShippedExportsShown(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	r := Select(set, "T1590.005")[0]
	files := r.Source.LinkFiles["Download portable Sigma rule (.yml)"]
	if len(files) != 1 || !strings.HasPrefix(files[0], "exports/") || !strings.HasSuffix(files[0], ".yml") {
		t.Fatalf("Sigma download link points at %v, want one exports/*.yml", files)
	}
	exps := r.Exports()
	var titles []string
	for _, e := range exps {
		titles = append(titles, e.Lang)
		if strings.TrimSpace(e.Text) == "" {
			t.Errorf("%s is empty", e.Path)
		}
	}
	if got := strings.Join(titles, ","); got != "yaml,spl,kql,esql" {
		t.Fatalf("exports in order %s, want yaml,spl,kql,esql", got)
	}
	md := r.ExportsMarkdown()
	for _, want := range []string{"## Other platforms", "rules/" + r.Dir + "/" + files[0], "```kql\n", "FROM logs-crowdstrike.fdr-*"} {
		if !strings.Contains(md, want) {
			t.Errorf("exports section lacks %q", want)
		}
	}
	if strings.Contains(r.Markdown(), "Download portable Sigma rule") {
		t.Error("the Sigma download is still listed as not in the package")
	}
}

func TestLinkWithoutFile(t *testing.T) {
	d := &yamlDecoder{file: "r/rule.yaml"}
	root := d.parse([]byte("links:\n  - text: Download\n"))
	var s Source
	d.mapping(root, "source", []field{{"links", false, d.seq("source links", func(v *yaml.Node) { d.decodeLink(v, &s, &decodedRule{}) })}})
	if len(d.errs) != 1 || !strings.Contains(d.errs[0].Error(), `source link "Download" names no file`) {
		t.Fatalf("errors %v, want one about the missing file", d.errs)
	}
}
