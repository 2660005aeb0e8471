package fitbittest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestWriteTakeoutZip(t *testing.T) {
	var a, b bytes.Buffer
	cfg := TakeoutConfig{Years: 1, DrinksPerDay: 8, NoiseBytes: 2 << 20, Seed: 7}
	st, err := WriteTakeoutZip(&a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteTakeoutZip(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Error("same config, different bytes")
	}
	var c bytes.Buffer
	cfg.Seed = 8
	if _, err := WriteTakeoutZip(&c, cfg); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("another seed wrote the same bytes")
	}
	if st.Days != 365 || st.WaterFiles != 12 || st.NoiseBytes < 2<<20 || st.Drinks < 365*6 || st.Drinks > 365*10 {
		t.Errorf("stats %+v", st)
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var hyd, rows int
	for _, f := range zr.File {
		if strings.Contains(f.Name, "hydration_log_2") {
			hyd++
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			body.ReadFrom(rc)
			rc.Close()
			rows += strings.Count(body.String(), "\n") - 1
		}
	}
	if hyd != 12 || rows != st.Drinks || len(zr.File) != st.Members {
		t.Errorf("%d hydration files with %d rows in %d members; stats %+v", hyd, rows, len(zr.File), st)
	}
}
