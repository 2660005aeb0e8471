// Package fsync makes file changes durable: a folder's entries flushed after
// a create or rename, and a whole file replaced atomically.
package fsync

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Dir flushes a folder's entries, so a file just created or renamed in it
// survives a crash. File systems that cannot sync a folder (EINVAL,
// ENOTSUP, as on some network mounts and on Windows) are not an error.
func Dir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// WriteFile replaces path with b, readable by the owner only (0600): it
// writes a temporary file named by pattern (see os.CreateTemp) in the same
// folder, syncs it, renames it over path and syncs the folder. A crash
// leaves the old file or the new one, never a mix.
func WriteFile(path, pattern string, b []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// CreateTemp already uses 0600; say so explicitly whatever the umask.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return Dir(dir)
}
