package rules

import (
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
)

func engineOptions() engine.Options {
	return engine.Options{Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// runEvents runs p over NDJSON lines through the test harness's path.
func runEvents(t *testing.T, p *Program, ndjson string) []Alert {
	t.Helper()
	tc := &TestCase{Name: "inline", Input: []byte(ndjson), InputLine: 1}
	alerts, err := evaluateProgram(p, tc)
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}
