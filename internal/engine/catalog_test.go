package engine

import (
	"sort"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/funcs"
)

// TestCatalogAgreesWithEngine keeps the catalog's Implemented flags (which
// `tiercel check` reports as unsupported-function) in step with the engine.
func TestCatalogAgreesWithEngine(t *testing.T) {
	var onlyCatalog, onlyEngine []string
	inCatalog := map[string]bool{}
	for _, s := range funcs.All() {
		name := strings.ToLower(s.Name)
		inCatalog[name] = true
		if s.Implemented && !Implemented(name) {
			onlyCatalog = append(onlyCatalog, s.Name)
		}
		if !s.Implemented && Implemented(name) {
			onlyEngine = append(onlyEngine, s.Name)
		}
	}
	for _, name := range ImplementedFuncs() {
		if !inCatalog[name] {
			t.Errorf("engine runs %s(), which the catalog does not list", name)
		}
	}
	sort.Strings(onlyCatalog)
	sort.Strings(onlyEngine)
	if len(onlyCatalog) > 0 {
		t.Errorf("catalog marks these implemented but the engine lacks them: %v", onlyCatalog)
	}
	if len(onlyEngine) > 0 {
		t.Errorf("engine runs these but the catalog marks them unimplemented: %v", onlyEngine)
	}
}
