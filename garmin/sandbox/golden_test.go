package sandbox

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/muktihari/fit/profile/typedef"

	goldenfile "fitbit2garmin/internal/golden"
)

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
		if len(r.body) == 0 {
			out.WriteString("## " + name + " (" + strconv.Itoa(r.status) + ")\n(no body)\n\n")
			return
		}
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
	add("GET usersummary/daily", e.must("GET", "/usersummary-service/usersummary/daily/ann?calendarDate=2024-04-13", "", bearer(tok.AccessToken)))
	add("GET usersummary/daily, another account", e.must("GET", "/usersummary-service/usersummary/daily/someone?calendarDate=2024-04-13", "", bearer(tok.AccessToken)))
	add("GET usersummary/daily, no calendarDate", e.must("GET", "/usersummary-service/usersummary/daily/ann", "", bearer(tok.AccessToken)))
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
	addWeightReplies(t, e, tok.AccessToken, add)
	e.s.FailNext(1, Kind429Body, ScopeData)
	add("fault 429 in body", e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok.AccessToken)))

	goldenfile.Check(t, filepath.Join("testdata", "replies.golden"), out.Bytes())
}

// addWeightReplies adds the weight and upload replies to the golden file.
func addWeightReplies(t *testing.T, e *env, access string, add func(string, resp)) {
	t.Helper()
	if _, err := e.s.AddWeighIn(testEmail, WeighIn{
		Local: time.Date(2025, 6, 13, 7, 0, 0, 0, time.UTC), GMT: time.Date(2025, 6, 13, 5, 0, 0, 0, time.UTC),
		Kg: 60.2, FatPercent: fptr(22), SourceType: "INDEX_SCALE",
	}); err != nil {
		t.Fatal(err)
	}
	auth := bearer(access)
	add("POST user-weight", e.must("POST", weightPath, weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "kg", 59.5), auth))
	add("POST user-weight, bad unit", e.must("POST", weightPath, weightJSON("2025-06-14T08:13:00.000", "2025-06-14T06:13:00.000", "st", 9), auth))
	file := fitFile(t, typedef.FileWeight, measured.Add(time.Hour), scale{at: measured.Add(time.Hour), kg: 59.8, fat: fptr(21.3)})
	body, ct := form(t, "file", "body_composition.fit", file)
	add("POST upload, weight FIT", e.must("POST", uploadPath, body, auth, ct))
	add("POST upload, same FIT again", e.must("POST", uploadPath, body, auth, ct))
	notFIT, ct2 := form(t, "file", "a.fit", []byte("not a fit file"))
	add("POST upload, not FIT", e.must("POST", uploadPath, notFIT, auth, ct2))
	add("GET weight/dayview", e.must("GET", "/weight-service/weight/dayview/2025-06-14?includeAll=true", "", auth))
	add("GET weight/range", e.must("GET", "/weight-service/weight/range/2025-06-01/2025-06-30?includeAll=true", "", auth))
	add("DELETE weight byversion", e.must("DELETE", "/weight-service/weight/2025-06-13/byversion/1700000000001", "", auth))
	add("DELETE weight byversion, gone", e.must("DELETE", "/weight-service/weight/2025-06-13/byversion/1700000000001", "", auth))
}
