package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/garmin/sandbox"
)

// fake is a fake Garmin on loopback with one account whose tokens are saved
// in a config folder, as `auth import` would leave them.
type fake struct {
	srv       *sandbox.Server
	url       string
	email     string
	configDir string
}

func newFake(t *testing.T, opts sandbox.Options) *fake {
	t.Helper()
	f := &fake{srv: sandbox.New(opts), email: "user@example.com", configDir: t.TempDir()}
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	f.url = ts.URL
	f.addAccount(t, f.email, 4242)
	f.login(t, f.email, garmin.FamilyDI)
	return f
}

func (f *fake) addAccount(t *testing.T, email string, id int64) {
	t.Helper()
	if err := f.srv.AddAccount(sandbox.Account{Email: email, Password: "pw", ProfileID: id, DisplayName: strings.Split(email, "@")[0]}); err != nil {
		t.Fatal(err)
	}
}

// login saves fresh tokens of the family for email in the config folder.
func (f *fake) login(t *testing.T, email string, family garmin.Family) *garmin.Tokens {
	t.Helper()
	var tok *garmin.Tokens
	switch family {
	case garmin.FamilyDI:
		di, err := f.srv.IssueDI(email)
		if err != nil {
			t.Fatal(err)
		}
		tok = &garmin.Tokens{Family: family, AccessToken: garmin.Secret(di.AccessToken), RefreshToken: garmin.Secret(di.RefreshToken), ClientID: di.ClientID}
	case garmin.FamilyWeb:
		web, err := f.srv.IssueWeb(email)
		if err != nil {
			t.Fatal(err)
		}
		tok = &garmin.Tokens{Family: family, AccessToken: garmin.Secret(web.AccessToken), RefreshToken: garmin.Secret(web.RefreshToken), JWTFGP: garmin.Secret(web.JWTFGP)}
	}
	if err := garmin.NewFileTokenStore(f.configDir).Save(tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// args returns the global flags that point the tool at the fake.
func (f *fake) args() []string {
	return []string{"--config-dir", f.configDir, "--garmin-url", f.url}
}

func (f *fake) total(date string) float64 {
	v, _ := f.srv.Total(f.email, date)
	return v
}

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in this process.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"fitbit2garmin"}, args...), strings.NewReader(""), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// genExport writes a generic CSV export of days days from 2021-01-01, with
// perDay drinks a day, and returns its path and each day's total in ml.
func genExport(t *testing.T, days, perDay int) (string, map[string]float64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("date,time,amount,unit\n")
	want := map[string]float64{}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range days {
		date := start.AddDate(0, 0, d).Format(time.DateOnly)
		for k := range perDay {
			ml := float64(100 + (d*7+k*13)%400)
			fmt.Fprintf(&b, "%s,%02d:%02d,%g,ml\n", date, 7+k, (d+k)%60, ml)
			want[date] += ml
		}
	}
	path := filepath.Join(t.TempDir(), "water.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, want
}

// checkTotals fails the test for every day the fake holds a total other than want's.
func (f *fake) checkTotals(t *testing.T, want map[string]float64) {
	t.Helper()
	got := f.srv.Totals(f.email)
	bad := 0
	for date, w := range want {
		if g := got[date]; g < w-0.01 || g > w+0.01 {
			if bad++; bad <= 10 {
				t.Errorf("%s: fake Garmin holds %v ml, want %v", date, g, w)
			}
		}
	}
	for date, g := range got {
		if _, ok := want[date]; !ok && g != 0 {
			t.Errorf("%s: fake Garmin holds %v ml, want nothing", date, g)
		}
	}
	if bad > 10 {
		t.Errorf("... %d days wrong in all", bad)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the command once per test run, for tests that need a real
// process to kill or interrupt.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "f2g-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fitbit2garmin")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
