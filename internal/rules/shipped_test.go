package rules

import (
	"testing"
)

// TestShippedRuleTests runs every shipped rule's tests/*.txtar, as
// `tiercel test` does, so CI checks the shipped content.
func TestShippedRuleTests(t *testing.T) {
	set, err := Shipped()
	if err != nil {
		t.Fatalf("shipped rules do not load:\n%v", err)
	}
	total := 0
	for _, r := range set {
		cases, err := r.TestCases()
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		for _, tc := range cases {
			total++
			t.Run(tc.Name, func(t *testing.T) {
				res := RunTest(r, tc)
				if !res.Passed {
					t.Errorf("%s", res.Diff)
				}
			})
		}
	}
	if total < 30 {
		t.Errorf("shipped rules have %d test cases, want at least 30", total)
	}
}
