//go:build unix

package cli

import "syscall"

// addressSpaceLimit is the process's RLIMIT_AS (ulimit -v) in bytes, or 0
// when there is none (RLIM_INFINITY is all ones).
func addressSpaceLimit() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &rl); err != nil || rl.Cur > 1<<50 {
		return 0
	}
	return int64(rl.Cur)
}
