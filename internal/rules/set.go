package rules

import (
	"strings"
)

// LoadSet loads the shipped rules plus every rule under extraDirs, later
// directories overriding earlier ones (and the shipped rules) by id. It
// returns the rules that loaded and every load problem; callers decide
// whether problems are fatal.
func LoadSet(extraDirs []string) ([]*Rule, Errors) {
	var all Errors
	set, err := Shipped()
	all = append(all, errorsOf(err)...)
	for _, dir := range extraDirs {
		more, err := LoadPath(dir)
		all = append(all, errorsOf(err)...)
		set = Merge(set, more)
	}
	return set, all
}

func errorsOf(err error) Errors {
	if err == nil {
		return nil
	}
	return asErrors(err)
}

// Select returns the rules a name designates: an exact rule id, a rule
// directory name, or an ATT&CK technique or sub-technique id (T1590 selects
// every T1590.* rule). Matching ignores case.
func Select(set []*Rule, name string) []*Rule {
	var out []*Rule
	for _, r := range set {
		if strings.EqualFold(r.ID, name) || strings.EqualFold(lastElem(r.Dir), name) {
			return []*Rule{r}
		}
	}
	for _, r := range set {
		if strings.EqualFold(r.Attack.Subtechnique.ID, name) || strings.EqualFold(r.Attack.Technique.ID, name) {
			out = append(out, r)
		}
	}
	return out
}

func lastElem(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
