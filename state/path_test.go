package state

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		dir, fp, want string
	}{
		{"/s", "0123456789abcdef0123", "/s/fitbit2garmin/journal-0123456789ab.jsonl"},
		{"/s", "abc", "/s/fitbit2garmin/journal-abc.jsonl"},
		{"/s", "", "/s/fitbit2garmin/journal.jsonl"},
		{"/s", "../../etc/passwd", "/s/fitbit2garmin/journal-etcpasswd.jsonl"},
		{"", "ff", "fitbit2garmin/journal-ff.jsonl"},
	}
	for _, tt := range tests {
		if got := DefaultPath(tt.dir, tt.fp); got != filepath.FromSlash(tt.want) {
			t.Errorf("DefaultPath(%q, %q) = %q, want %q", tt.dir, tt.fp, got, tt.want)
		}
	}
}

func TestDefaultStateDir(t *testing.T) {
	tests := []struct {
		name, xdg, home, want string
	}{
		{"XDG_STATE_HOME wins", "/xdg/state", "/home/u", "/xdg/state"},
		{"relative XDG_STATE_HOME is ignored", "rel/state", "/home/u", "/home/u/.local/state"},
		{"home fallback", "", "/home/u", "/home/u/.local/state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := DefaultStateDir(); got != filepath.FromSlash(tt.want) {
				t.Errorf("DefaultStateDir() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint("export.zip", "1234")
	if len(a) != 64 {
		t.Fatalf("Fingerprint length %d, want 64 hex digits", len(a))
	}
	if a != Fingerprint("export.zip", "1234") {
		t.Error("Fingerprint is not deterministic")
	}
	for _, other := range [][]string{
		{"export.zi", "p1234"},
		{"export.zip1234"},
		{"export.zip", "1234", ""},
		{"1234", "export.zip"},
	} {
		if Fingerprint(other...) == a {
			t.Errorf("Fingerprint(%q) collides with Fingerprint(export.zip, 1234)", other)
		}
	}
	// Pinned: a change would orphan every existing journal's default path.
	if got, want := Fingerprint(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("Fingerprint() = %s, want %s", got, want)
	}
	if got, want := Fingerprint("a")[:12], "3b196fd4907b"; got != want { // sha256(be64(1) || "a")
		t.Errorf("Fingerprint(a) = %s..., want %s...", got, want)
	}
}
