//go:build unix

package identity

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used. Benchmarks report CPU
// per operation because wall-clock throughput on a shared machine says more
// about the neighbours than about the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
