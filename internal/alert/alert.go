// Package alert is tiercel's alert store: the alerts of every rule with
// their status, deduplicated by a stable id, throttled as LogScale filter
// alerts are, and the queue of deliveries the actions still owe.
//
// The store is an interface (Store) with one SQL implementation over
// database/sql; every statement lives in sql.go, written once with '?'
// placeholders and rewritten per dialect, so a PostgreSQL backend (pgx's
// database/sql driver) needs a dialect value and its DDL, not a second
// store. OpenSQLite opens the embedded default.
package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// Statuses an alert moves through. New alerts are StatusNew.
const (
	StatusNew          = "new"
	StatusAcknowledged = "acknowledged"
	StatusClosed       = "closed"
)

// ValidStatus reports whether s is one of the three statuses.
func ValidStatus(s string) bool {
	return s == StatusNew || s == StatusAcknowledged || s == StatusClosed
}

// ErrNotFound is returned for an alert id the store does not hold.
var ErrNotFound = errors.New("alert not found")

// ID is the stable alert id of design §8: a hash of the rule id, the
// detection branch and the event's Falcon id, or, for an event without
// one, its raw line (callers that lack the raw line pass a canonical
// rendering of the event). The same event seen twice (replay, retry,
// Kafka rebalance) yields the same id, hence one alert.
func ID(rule, branch, eventID, raw string) string {
	h := sha256.New()
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(branch))
	h.Write([]byte{0})
	if eventID != "" {
		h.Write([]byte("id:"))
		h.Write([]byte(eventID))
	} else {
		h.Write([]byte("raw:"))
		h.Write([]byte(raw))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Alert is one stored alert.
type Alert struct {
	ID         string
	Rule       string
	Title      string
	Branch     string
	Severity   string
	Tactic     string
	Technique  string
	EventID    string // the Falcon id of the first event ("" when none)
	EventTime  int64  // @timestamp of that event, epoch ms
	JSON       []byte // the alert as `hunt --format json` prints it
	FirstSeen  time.Time
	LastSeen   time.Time
	Count      int // events folded into this alert (1, more when throttled)
	Status     string
	StatusBy   string
	StatusAt   time.Time
	StatusNote string
	Seq        int64 // insertion order, the paging cursor of List
}

// Candidate is an alert a detection produced, before dedup and throttling.
type Candidate struct {
	Alert
	// ThrottleKey, when not empty, throttles the rule as LogScale's
	// throttleField does: a candidate whose rule already alerted with the
	// same key less than ThrottleFor ago is folded into that alert (its
	// count and last seen grow) instead of making a new one. Key "" with
	// ThrottleFor > 0 throttles the whole rule (no throttleField).
	ThrottleKey string
	ThrottleFor time.Duration
	// Actions, when not nil, replaces Record's actions for this alert.
	Actions []string
}

// Result says what Record did with each candidate, in order.
type Result struct {
	New        []Alert // stored as new alerts (deliveries enqueued)
	Duplicates int     // already stored: the same id was recorded before
	Throttled  int     // folded into an earlier alert
}

// Filter selects alerts for List. Zero fields match everything.
type Filter struct {
	Rule    string
	Branch  string
	Status  string
	Since   time.Time // first seen at or after
	Until   time.Time // first seen before
	AfterID int64     // paging: only Seq > AfterID
	Limit   int       // 0: DefaultLimit
}

// DefaultLimit caps a List without Limit.
const DefaultLimit = 1000

// Delivery is one alert owed to one action.
type Delivery struct {
	ID        int64
	AlertID   string
	Action    string
	Attempts  int
	NextAt    time.Time
	LastError string
}

// Stats are store sizes for metrics.
type Stats struct {
	Alerts            int64
	PendingDeliveries int64
	Bytes             int64 // database file size (0 when unknown)
}

// Store is the alert store. Implementations are safe for concurrent use.
type Store interface {
	// Record stores candidates in one transaction: new ids become alerts
	// and get a delivery per action; known ids are duplicates; throttled
	// ones update the alert they fold into. When Record returns nil the
	// result is durable.
	Record(ctx context.Context, cands []Candidate, actions []string, now time.Time) (Result, error)
	// Get returns one alert or ErrNotFound.
	Get(ctx context.Context, id string) (Alert, error)
	// List returns alerts matching f in insertion order.
	List(ctx context.Context, f Filter) ([]Alert, error)
	// SetStatus changes an alert's status, recording who and when.
	SetStatus(ctx context.Context, id, status, by, note string, at time.Time) (Alert, error)
	// Due returns up to limit deliveries whose next attempt is due.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// Delivered removes a delivery from the queue.
	Delivered(ctx context.Context, deliveryID int64) error
	// Retry records a failed attempt and when to try next.
	Retry(ctx context.Context, deliveryID int64, next time.Time, errText string) error
	// Stats reports sizes.
	Stats(ctx context.Context) (Stats, error)
	Close() error
}
