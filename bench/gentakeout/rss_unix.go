//go:build unix

package main

import (
	"fmt"
	"runtime"
	"syscall"
)

// peakRSS returns the process's peak resident set size.
func peakRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "unknown"
	}
	kb := ru.Maxrss
	if runtime.GOOS == "darwin" {
		kb /= 1024 // bytes there
	}
	return fmt.Sprintf("%d MB", kb/1024)
}
