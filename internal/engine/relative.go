package engine

// ParseRelativeTime returns the length in milliseconds of a LogScale
// relative time ("15m", "24h", "7d", "2 hours"), for callers outside the
// engine that take the same syntax (search time ranges).
func ParseRelativeTime(s string) (int64, error) { return parseRelativeTime(s) }
