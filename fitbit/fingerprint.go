package fitbit

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
)

// Fingerprint returns a SHA-256 over the names and contents of the files
// the export's data is read from (water logs, weight and body-fat logs,
// profile, app settings, readmes). Names are
// relative to what the user gave (zip entries, paths inside the folder), so
// the fingerprint is the same wherever the export lies and whether it is
// read zipped or unzipped, and changes when any of those files changes.
// Other files are not read.
func (e *Export) Fingerprint() (string, error) {
	// An export without weight files hashes exactly what it did before
	// weight was read, so journals made then still match: the app settings
	// (which only give the weight unit) count only beside weight files.
	files := slices.Concat(e.water, e.profiles, e.weightJSON, e.weightCSV)
	if len(e.weightJSON) > 0 || len(e.weightCSV) > 0 {
		files = append(files, e.settings...)
	}
	for _, f := range e.readmes {
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b file) int {
		return cmp.Or(cmp.Compare(a.rel, b.rel), compareSource(a.source(), b.source()))
	})
	h := sha256.New()
	for _, f := range files {
		sum, err := fileSum(f)
		if err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", f.source(), err)
		}
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f.rel)))
		h.Write(n[:])
		h.Write([]byte(f.rel))
		h.Write(sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileSum(f file) ([]byte, error) {
	rc, err := f.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
