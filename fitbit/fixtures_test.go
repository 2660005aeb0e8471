package fitbit

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	goldenfile "fitbit2garmin/internal/golden"
)

// exports is the repository's shared fixture folder.
var exports = filepath.Join("..", "testdata", "exports")

func fixture(parts ...string) string {
	return filepath.Join(append([]string{exports}, parts...)...)
}

// zipFixtures maps each committed zip to the folder it is made from.
var zipFixtures = []struct{ zip, src string }{
	{"takeout.zip", "takeout"},
	{"sample.zip", "sample"},
	{"split/takeout-20200301T000000Z-001.zip", "zipsrc/split-001"},
	{"split/takeout-20200301T000000Z-002.zip", "zipsrc/split-002"},
}

// readTree returns the files under dir, by slash path, with their contents.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readZip returns the members of a zip with their contents.
func readZip(t testing.TB, p string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
	}
	return out
}

// writeZip zips the tree under dir into dst, entries named by slash path
// relative to dir, with a fixed time so that the bytes depend on the
// contents only.
func writeZip(t testing.TB, dst, dir string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := readTree(t, dir)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFixtureZipsMatchTheirFolders keeps the committed zips in step with the
// folders they are made from (go test -update rewrites them), and the
// truncated zip a true prefix of takeout.zip.
func TestFixtureZipsMatchTheirFolders(t *testing.T) {
	for _, z := range zipFixtures {
		t.Run(z.zip, func(t *testing.T) {
			if goldenfile.Update() {
				writeZip(t, fixture(z.zip), fixture(z.src))
			}
			if diff := cmp.Diff(readTree(t, fixture(z.src)), readZip(t, fixture(z.zip))); diff != "" {
				t.Errorf("%s differs from %s (-folder +zip); run go test ./fitbit -update:\n%s", z.zip, z.src, diff)
			}
		})
	}
	t.Run("malformed/truncated.zip", func(t *testing.T) {
		full, err := os.ReadFile(fixture("takeout.zip"))
		if err != nil {
			t.Fatal(err)
		}
		if goldenfile.Update() {
			if err := os.WriteFile(fixture("malformed", "truncated.zip"), full[:len(full)*2/3], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cut, err := os.ReadFile(fixture("malformed", "truncated.zip"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cut) >= len(full) || !bytes.Equal(cut, full[:len(cut)]) {
			t.Errorf("truncated.zip (%d bytes) is not a strict prefix of takeout.zip (%d bytes); run go test ./fitbit -update", len(cut), len(full))
		}
	})
}
