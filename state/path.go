package state

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
)

// DefaultStateDir returns the folder that holds state for all XDG-aware
// tools: $XDG_STATE_HOME when it is set to an absolute path (the XDG spec
// says relative values are to be ignored), else ~/.local/state. It returns
// "" when neither is known (no home folder); callers should then ask for an
// explicit --state.
func DefaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state")
}

// DefaultPath returns where the journal of an export lives when --state is
// not given: <stateDir>/fitbit2garmin/journal-<first 12 of fingerprint>.jsonl.
// The same export therefore always resumes the same journal. Characters
// other than letters, digits, '-' and '_' are dropped from the fingerprint
// so that it cannot climb out of the folder.
func DefaultPath(stateDir, fingerprint string) string {
	name := make([]byte, 0, 12)
	for i := 0; i < len(fingerprint) && len(name) < 12; i++ {
		c := fingerprint[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' {
			name = append(name, c)
		}
	}
	file := "journal.jsonl"
	if len(name) > 0 {
		file = "journal-" + string(name) + ".jsonl"
	}
	return filepath.Join(stateDir, "fitbit2garmin", file)
}

// Fingerprint returns the SHA-256, in hex, of parts. Each part is length
// prefixed, so ("ab", "c") and ("a", "bc") differ. The importer feeds it
// what identifies an export (e.g. the names, sizes and hashes of its files)
// and stores the result in the journal header.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
