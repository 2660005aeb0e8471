//go:build !linux

package state

import "os"

// datasync flushes f to disk (on macOS, os.File.Sync uses F_FULLFSYNC).
func datasync(f *os.File) error { return f.Sync() }
