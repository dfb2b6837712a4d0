package benchutil

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"time"
)

// RSS is this process's resident set size in bytes (Linux; 0 elsewhere).
func RSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return pages * int64(os.Getpagesize())
}

// PeakRSS samples RSS every interval until the returned function is
// called, which reports the largest sample.
func PeakRSS(interval time.Duration) func() int64 {
	var mu sync.Mutex
	peak := RSS()
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r := RSS()
				mu.Lock()
				peak = max(peak, r)
				mu.Unlock()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		if r := RSS(); r > peak {
			peak = r
		}
		return peak
	}
}
