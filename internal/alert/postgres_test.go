package alert

import (
	"testing"

	"github.com/tiercel/tiercel/internal/alert/pgtest"
)

// TestStoreOnPostgres runs the store's tests on a real PostgreSQL server:
// the same statements, the PostgreSQL dialect.
func TestStoreOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	testDSN = pgtest.Start(t)
	defer func() { testDSN = "" }()
	for name, test := range map[string]func(*testing.T){
		"RecordDedupAndQueue": TestRecordDedupAndQueue,
		"Throttle":            TestThrottle,
		"StatusAndList":       TestStatusAndList,
		"ClaimOneWinner":      TestClaimOneWinner,
	} {
		t.Run(name, test)
	}
}
