package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/rules"
)

// Targets lists the languages export writes, in CLI order.
var Targets = []string{"sigma", "spl", "kql", "esql"}

// Output is one exported query or rule file and what it left out.
type Output struct {
	Text     string
	Warnings []string
}

// Rule exports a rule package's query.
func Rule(r *rules.Rule, target string) (Output, error) {
	return Query(r.Origin+"/query.cql", r.Query, MetaOf(r), target)
}

// Query exports one CQL query text. file names it in messages.
func Query(file, text string, m Meta, target string) (Output, error) {
	d, err := Lower(file, text)
	if err != nil {
		return Output{}, err
	}
	s := src{file: file, text: text}
	switch target {
	case "sigma":
		return Sigma(d, m, s)
	case "spl":
		return SPL(d, m, s)
	case "kql":
		return KQL(d, m, s)
	case "esql":
		return ESQL(d, m, s)
	}
	return Output{}, fmt.Errorf("unknown export target %q (want %s)", target, strings.Join(Targets, ", "))
}

// FileName is the name of a target's file in a rule package's exports/.
func FileName(ruleID, target string) string {
	switch target {
	case "sigma":
		return strings.ToLower(strings.NewReplacer(".", "_", "-", "_").Replace(ruleID)) + ".yml"
	case "spl":
		return "query.spl"
	case "kql":
		return "query.kql"
	case "esql":
		return "query.esql"
	}
	return ""
}

// header is the comment block on top of an SPL/KQL/ES|QL export.
func header(comment func(string) string, m Meta, target, platform string, warnings []string) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(comment(s)); b.WriteByte('\n') }
	line(fmt.Sprintf("%s: %s", m.RuleID, m.Title))
	line(fmt.Sprintf("Exported by tiercel from the LogScale (CQL) rule for %s.", platform))
	line(fmt.Sprintf("Regenerate with: tiercel export --to %s %s", target, m.RuleID))
	ws := append([]string(nil), warnings...)
	sort.SliceStable(ws, func(i, j int) bool { return false })
	for _, w := range ws {
		line("warning: " + w)
	}
	return b.String()
}
