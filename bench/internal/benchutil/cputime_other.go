//go:build !unix

package benchutil

import "time"

// ProcessCPU is not measured off Unix.
func ProcessCPU() time.Duration { return 0 }
