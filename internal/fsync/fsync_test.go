package fsync

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	for _, content := range []string{"first", "second, longer than the first"} {
		if err := WriteFile(path, ".tokens-*.tmp", []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Errorf("read back %q, %v; want %q", got, err, content)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("stat: %v, %v; want mode 600", fi, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file (no temporary left)", len(entries))
	}
}

func TestWriteFileFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	// A folder stands where the file should go: the rename fails, and the
	// temporary file is removed.
	path := filepath.Join(dir, "taken")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, ".tmp-*", []byte("x")); err == nil {
		t.Fatal("WriteFile over a non-empty folder succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want the folder only (temporary removed)", len(entries))
	}
	if err := Dir(filepath.Join(dir, "missing")); err == nil {
		t.Error("Dir of a missing folder succeeded")
	}
}
