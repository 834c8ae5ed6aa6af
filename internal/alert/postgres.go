package alert

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// OpenPostgres opens the alert store in a PostgreSQL database, creating the
// schema if needed: the shared store several tiercel serve instances (a
// Kafka consumer group) point at, so an alert replayed on another instance
// after a rebalance is still one alert. dsn is a libpq URL or key=value
// string ("postgres://user:pass@host:5432/db?sslmode=require").
func OpenPostgres(dsn string) (*SQLStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("alert store (PostgreSQL): %w", err)
	}
	// Instances create the schema concurrently at start; one at a time.
	if _, err := db.ExecContext(ctx, `SELECT pg_advisory_lock(7361726)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("alert store (PostgreSQL): %w", err)
	}
	s, err := OpenSQL(db, PostgresDialect)
	_, _ = db.ExecContext(ctx, `SELECT pg_advisory_unlock(7361726)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("alert store (PostgreSQL): %w", err)
	}
	return s, nil
}
