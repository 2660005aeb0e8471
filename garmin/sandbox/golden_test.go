package sandbox

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestReplyShapes pins the exact bodies the fake answers, under a fixed
// seed and clock, in testdata/replies.golden.
func TestReplyShapes(t *testing.T) {
	e := setup(t, Options{Seed: 42})
	if err := e.s.AddAccount(Account{Email: "mfa@example.com", Password: "pw", MFACode: "1", ProfileID: 7}); err != nil {
		t.Fatal(err)
	}
	tok := e.di()
	if err := e.s.SetTotal(testEmail, "2024-04-13", 1200); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	add := func(name string, r resp) {
		var v any
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatalf("%s: %v (%s)", name, err, r.body)
		}
		b, _ := json.MarshalIndent(v, "", "  ")
		out.WriteString("## " + name + " (" + strconv.Itoa(r.status) + ")\n")
		out.Write(b)
		out.WriteString("\n\n")
	}
	add("PUT hydration/log", e.must("PUT", logPath, `{"calendarDate":"2024-04-13","timestampLocal":"2024-04-13T12:37:25.679","valueInML":500.0}`, bearer(tok.AccessToken)))
	add("GET hydration/daily, nothing logged", e.must("GET", "/usersummary-service/usersummary/hydration/daily/2024-04-14", "", bearer(tok.AccessToken)))
	add("GET stats/hydration/daily range", e.must("GET", "/usersummary-service/stats/hydration/daily/2024-04-12/2024-04-14", "", bearer(tok.AccessToken)))
	add("GET stats/hydration/daily over 28 days", e.must("GET", "/usersummary-service/stats/hydration/daily/2024-04-01/2024-04-29", "", bearer(tok.AccessToken)))
	add("GET socialProfile", e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok.AccessToken)))
	add("GET socialProfile, no token", e.must("GET", "/userprofile-service/socialProfile", ""))
	login := e.must("POST", loginPath, loginBody(testEmail, testPassword))
	add("POST login, SUCCESSFUL", login)
	add("POST login, MFA_REQUIRED", e.must("POST", loginPath, loginBody("mfa@example.com", "pw")))
	add("POST login, INVALID_USERNAME_PASSWORD", e.must("POST", loginPath, loginBody(testEmail, "x")))
	add("POST oauth/token, service ticket", e.exchange(tok.ClientID, login.json(t)["serviceTicketId"].(string), service))
	add("POST oauth/token, used refresh token", func() resp {
		e.refreshDI(tok.ClientID, tok.RefreshToken)
		return e.refreshDI(tok.ClientID, tok.RefreshToken)
	}())
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}
	add("POST oauth/token, unknown client", e.must("POST", tokenPath, form.Encode(), basic("NOPE"), formCT))
	e.s.FailNext(1, Kind429Body, ScopeData)
	add("fault 429 in body", e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok.AccessToken)))

	path := filepath.Join("testdata", "replies.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("replies differ from %s (-want +got):\n%s", path, diff)
	}
}
