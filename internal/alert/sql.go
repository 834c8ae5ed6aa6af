package alert

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dialect is what differs between SQL backends: the schema and how
// placeholders are written. Every statement below is written once.
type Dialect struct {
	Name   string
	Schema []string // CREATE ... IF NOT EXISTS statements, run at open
	// Dollar rewrites '?' placeholders as $1, $2... (PostgreSQL).
	Dollar bool
}

// schema is portable SQL (SQLite and PostgreSQL accept it as written):
// times are epoch milliseconds, ids text, the event JSON text.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS alerts (
		seq INTEGER PRIMARY KEY %AUTO%,
		id TEXT NOT NULL UNIQUE,
		rule TEXT NOT NULL,
		title TEXT NOT NULL,
		branch TEXT NOT NULL,
		severity TEXT NOT NULL,
		tactic TEXT NOT NULL,
		technique TEXT NOT NULL,
		event_id TEXT NOT NULL,
		event_time BIGINT NOT NULL,
		body TEXT NOT NULL,
		first_seen BIGINT NOT NULL,
		last_seen BIGINT NOT NULL,
		count INTEGER NOT NULL,
		status TEXT NOT NULL,
		status_by TEXT NOT NULL,
		status_at BIGINT NOT NULL,
		status_note TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule, seq)`,
	`CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status, seq)`,
	`CREATE INDEX IF NOT EXISTS alerts_first ON alerts (first_seen)`,
	// folded: ids of throttled events, so a replay of one is a duplicate
	// and does not count twice.
	`CREATE TABLE IF NOT EXISTS folded (id TEXT PRIMARY KEY, alert_id TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS throttle (
		rule TEXT NOT NULL, tkey TEXT NOT NULL, alert_id TEXT NOT NULL, until BIGINT NOT NULL,
		PRIMARY KEY (rule, tkey))`,
	`CREATE TABLE IF NOT EXISTS deliveries (
		id INTEGER PRIMARY KEY %AUTO%,
		alert_id TEXT NOT NULL,
		action TEXT NOT NULL,
		attempts INTEGER NOT NULL,
		next_at BIGINT NOT NULL,
		last_error TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS deliveries_next ON deliveries (next_at)`,
}

// SQLiteDialect is the embedded default.
var SQLiteDialect = Dialect{Name: "sqlite", Schema: withAuto(schema, "AUTOINCREMENT")}

// PostgresDialect is for a pgx database/sql connection. The seq columns
// become identity columns.
var PostgresDialect = Dialect{Name: "postgres", Dollar: true, Schema: pgSchema()}

func withAuto(stmts []string, auto string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = strings.ReplaceAll(s, "%AUTO%", auto)
	}
	return out
}

func pgSchema() []string {
	out := withAuto(schema, "")
	for i, s := range out {
		out[i] = strings.ReplaceAll(s, "INTEGER PRIMARY KEY ", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY ")
	}
	return out
}

// Statements, each in one place.
const (
	qAlertExists  = `SELECT 1 FROM alerts WHERE id = ?`
	qFoldedExists = `SELECT 1 FROM folded WHERE id = ?`
	qThrottleGet  = `SELECT alert_id, until FROM throttle WHERE rule = ? AND tkey = ?`
	qThrottleDel  = `DELETE FROM throttle WHERE rule = ? AND tkey = ?`
	qThrottlePut  = `INSERT INTO throttle (rule, tkey, alert_id, until) VALUES (?, ?, ?, ?)`
	qFold         = `UPDATE alerts SET count = count + 1, last_seen = ? WHERE id = ?`
	qFoldedPut    = `INSERT INTO folded (id, alert_id) VALUES (?, ?)`
	qInsert       = `INSERT INTO alerts (id, rule, title, branch, severity, tactic, technique, event_id, event_time,
		body, first_seen, last_seen, count, status, status_by, status_at, status_note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, '', 0, '')`
	qEnqueue   = `INSERT INTO deliveries (alert_id, action, attempts, next_at, last_error) VALUES (?, ?, 0, ?, '')`
	alertCols  = `seq, id, rule, title, branch, severity, tactic, technique, event_id, event_time, body, first_seen, last_seen, count, status, status_by, status_at, status_note`
	qGet       = `SELECT ` + alertCols + ` FROM alerts WHERE id = ?`
	qSetStatus = `UPDATE alerts SET status = ?, status_by = ?, status_at = ?, status_note = ? WHERE id = ?`
	qDue       = `SELECT id, alert_id, action, attempts, next_at, last_error FROM deliveries WHERE next_at <= ? ORDER BY next_at, id LIMIT ?`
	qDelivered = `DELETE FROM deliveries WHERE id = ?`
	qClaim     = `UPDATE deliveries SET next_at = ? WHERE id = ? AND next_at = ?`
	qRetry     = `UPDATE deliveries SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`
	qCount     = `SELECT (SELECT COUNT(*) FROM alerts), (SELECT COUNT(*) FROM deliveries)`
)

// SQLStore implements Store over database/sql.
type SQLStore struct {
	db      *sql.DB
	dialect Dialect
	path    string     // database file, for Stats (SQLite)
	write   sync.Mutex // one writing transaction at a time
}

// OpenSQLite opens (creating) the SQLite alert store at path, in WAL mode
// with full fsync on commit: Record returning means durable.
func OpenSQLite(path string) (*SQLStore, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s, err := OpenSQL(db, SQLiteDialect)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("alert store %s: %w", path, err)
	}
	s.path = path
	return s, nil
}

// OpenSQL wraps an open database, creating the schema if needed.
func OpenSQL(db *sql.DB, d Dialect) (*SQLStore, error) {
	s := &SQLStore{db: db, dialect: d}
	for _, stmt := range d.Schema {
		if _, err := db.Exec(stmt); err != nil {
			return nil, fmt.Errorf("creating schema: %w", err)
		}
	}
	return s, nil
}

// q rewrites placeholders for the dialect.
func (s *SQLStore) q(stmt string) string {
	if !s.dialect.Dollar {
		return stmt
	}
	var b strings.Builder
	n := 0
	for _, r := range stmt {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func (s *SQLStore) exists(ctx context.Context, tx *sql.Tx, stmt, id string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, s.q(stmt), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Record implements Store.
func (s *SQLStore) Record(ctx context.Context, cands []Candidate, actions []string, now time.Time) (Result, error) {
	var res Result
	if len(cands) == 0 {
		return res, nil
	}
	s.write.Lock()
	defer s.write.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	for _, c := range cands {
		dup, err := s.exists(ctx, tx, qAlertExists, c.ID)
		if err == nil && !dup {
			dup, err = s.exists(ctx, tx, qFoldedExists, c.ID)
		}
		if err != nil {
			return Result{}, err
		}
		if dup {
			res.Duplicates++
			continue
		}
		if c.ThrottleFor > 0 {
			folded, err := s.throttle(ctx, tx, c, now)
			if err != nil {
				return Result{}, err
			}
			if folded {
				res.Throttled++
				continue
			}
		}
		a := c.Alert
		a.FirstSeen, a.LastSeen, a.Count, a.Status = now, now, 1, StatusNew
		if _, err := tx.ExecContext(ctx, s.q(qInsert), a.ID, a.Rule, a.Title, a.Branch, a.Severity, a.Tactic, a.Technique,
			a.EventID, a.EventTime, string(a.JSON), ms(now), ms(now), StatusNew); err != nil {
			return Result{}, fmt.Errorf("storing alert: %w", err)
		}
		acts := actions
		if c.Actions != nil {
			acts = c.Actions
		}
		for _, act := range acts {
			if _, err := tx.ExecContext(ctx, s.q(qEnqueue), a.ID, act, ms(now)); err != nil {
				return Result{}, fmt.Errorf("queueing delivery: %w", err)
			}
		}
		res.New = append(res.New, a)
	}
	if err := tx.Commit(); err != nil {
		return Result{}, err
	}
	return res, nil
}

// throttle folds c into the rule's open throttle window for its key, or
// opens a window for it (reporting false: c becomes a new alert).
func (s *SQLStore) throttle(ctx context.Context, tx *sql.Tx, c Candidate, now time.Time) (bool, error) {
	var alertID string
	var until int64
	err := tx.QueryRowContext(ctx, s.q(qThrottleGet), c.Rule, c.ThrottleKey).Scan(&alertID, &until)
	switch {
	case err == nil && ms(now) < until:
		if _, err := tx.ExecContext(ctx, s.q(qFold), ms(now), alertID); err != nil {
			return false, err
		}
		_, err := tx.ExecContext(ctx, s.q(qFoldedPut), c.ID, alertID)
		return true, err
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	if _, err := tx.ExecContext(ctx, s.q(qThrottleDel), c.Rule, c.ThrottleKey); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, s.q(qThrottlePut), c.Rule, c.ThrottleKey, c.ID, ms(now.Add(c.ThrottleFor)))
	return false, err
}

type scanner interface{ Scan(dest ...any) error }

func scanAlert(r scanner) (Alert, error) {
	var a Alert
	var body string
	var first, last, at int64
	err := r.Scan(&a.Seq, &a.ID, &a.Rule, &a.Title, &a.Branch, &a.Severity, &a.Tactic, &a.Technique, &a.EventID, &a.EventTime,
		&body, &first, &last, &a.Count, &a.Status, &a.StatusBy, &at, &a.StatusNote)
	a.JSON = []byte(body)
	a.FirstSeen, a.LastSeen, a.StatusAt = fromMS(first), fromMS(last), fromMS(at)
	return a, err
}

// Get implements Store.
func (s *SQLStore) Get(ctx context.Context, id string) (Alert, error) {
	a, err := scanAlert(s.db.QueryRowContext(ctx, s.q(qGet), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Alert{}, ErrNotFound
	}
	return a, err
}

// List implements Store.
func (s *SQLStore) List(ctx context.Context, f Filter) ([]Alert, error) {
	stmt := `SELECT ` + alertCols + ` FROM alerts WHERE seq > ?`
	args := []any{f.AfterID}
	add := func(cond string, v any) {
		stmt += " AND " + cond
		args = append(args, v)
	}
	if f.Rule != "" {
		add("rule = ?", f.Rule)
	}
	if f.Branch != "" {
		add("branch = ?", f.Branch)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if !f.Since.IsZero() {
		add("first_seen >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		add("first_seen < ?", ms(f.Until))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	stmt += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(stmt), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetStatus implements Store.
func (s *SQLStore) SetStatus(ctx context.Context, id, status, by, note string, at time.Time) (Alert, error) {
	if !ValidStatus(status) {
		return Alert{}, fmt.Errorf("unknown status %q (want new, acknowledged or closed)", status)
	}
	s.write.Lock()
	res, err := s.db.ExecContext(ctx, s.q(qSetStatus), status, by, ms(at), note, id)
	s.write.Unlock()
	if err != nil {
		return Alert{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Alert{}, ErrNotFound
	}
	return s.Get(ctx, id)
}

// Due implements Store.
func (s *SQLStore) Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, s.q(qDue), ms(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var next int64
		if err := rows.Scan(&d.ID, &d.AlertID, &d.Action, &d.Attempts, &next, &d.LastError); err != nil {
			return nil, err
		}
		d.NextAt = fromMS(next)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Claim implements Store: a conditional update, so of several instances
// sharing the queue exactly one wins a due delivery. The embedded SQLite
// store has one process and one dispatcher: nothing to claim from, and no
// lease to wait out after a crash.
func (s *SQLStore) Claim(ctx context.Context, d Delivery, until time.Time) (bool, error) {
	if s.path != "" {
		return true, nil
	}
	s.write.Lock()
	defer s.write.Unlock()
	res, err := s.db.ExecContext(ctx, s.q(qClaim), ms(until), d.ID, ms(d.NextAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Delivered implements Store.
func (s *SQLStore) Delivered(ctx context.Context, id int64) error {
	s.write.Lock()
	defer s.write.Unlock()
	_, err := s.db.ExecContext(ctx, s.q(qDelivered), id)
	return err
}

// Retry implements Store.
func (s *SQLStore) Retry(ctx context.Context, id int64, next time.Time, errText string) error {
	s.write.Lock()
	defer s.write.Unlock()
	_, err := s.db.ExecContext(ctx, s.q(qRetry), ms(next), errText, id)
	return err
}

// Stats implements Store.
func (s *SQLStore) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	if err := s.db.QueryRowContext(ctx, qCount).Scan(&st.Alerts, &st.PendingDeliveries); err != nil {
		return st, err
	}
	if s.path != "" {
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(s.path + suffix); err == nil {
				st.Bytes += fi.Size()
			}
		}
	}
	if s.dialect.Dollar {
		err := s.db.QueryRowContext(ctx, `SELECT pg_total_relation_size('alerts') + pg_total_relation_size('deliveries')`).Scan(&st.Bytes)
		return st, err
	}
	return st, nil
}

// Close implements Store.
func (s *SQLStore) Close() error { return s.db.Close() }
