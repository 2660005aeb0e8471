package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		kind       Kind
		status     int // 0: the client gets a transport error
		retryAfter string
		applied    bool
	}{
		{Kind429RetryAfter, 429, "3", false},
		{Kind429, 429, "", false},
		{Kind429Body, 200, "", false},
		{Kind500, 500, "", false},
		{Kind502, 502, "", false},
		{Kind503, 503, "", false},
		{KindReset, 0, "", false},
		{KindDropAfterCommit, 0, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.kind.String(), func(t *testing.T) {
			e := setup(t, Options{})
			tok := e.di().AccessToken
			e.s.SetFaults(Faults{RetryAfter: 2500 * time.Millisecond})
			e.s.FailNext(1, tc.kind, ScopeWrites)
			r, err := e.do("PUT", logPath, water("2024-05-15", 300), bearer(tok))
			if tc.status == 0 {
				if err == nil {
					t.Fatalf("got status %d, want a transport error", r.status)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if r.status != tc.status {
					t.Fatalf("status %d, want %d", r.status, tc.status)
				}
				if got := r.header.Get("Retry-After"); got != tc.retryAfter {
					t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
				}
			}
			if tc.kind == Kind429Body {
				inner, _ := r.json(t)["error"].(map[string]any)
				if inner["status-code"] != "429" {
					t.Errorf("body %s, want the JSON 429 form", r.body)
				}
			}
			ml, ok := e.s.Total(testEmail, "2024-05-15")
			if ok != tc.applied || (tc.applied && ml != 300) {
				t.Errorf("total %v, %v after the fault; applied should be %v", ml, ok, tc.applied)
			}
			log := e.s.Requests()
			if len(log) != 1 || log[0].Fault != tc.kind || log[0].Status != tc.status || log[0].Applied != tc.applied {
				t.Errorf("request log %+v", log)
			}
			// The next request goes through.
			if r := e.must("PUT", logPath, water("2024-05-15", 1), bearer(tok)); r.status != 200 {
				t.Errorf("after the fault: status %d", r.status)
			}
		})
	}
}

func TestFaultScopes(t *testing.T) {
	read := func(e *env, tok string) (resp, error) {
		return e.do("GET", "/usersummary-service/usersummary/hydration/daily/2024-05-15", "", bearer(tok))
	}
	write := func(e *env, tok string) (resp, error) {
		return e.do("PUT", logPath, water("2024-05-15", 1), bearer(tok))
	}
	auth := func(e *env, _ string) (resp, error) {
		return e.do("POST", loginPath, loginBody(testEmail, testPassword))
	}
	cases := []struct {
		scope                 Scope
		read, write, authFail bool
	}{
		{ScopeData, true, true, false},
		{ScopeReads, true, false, false},
		{ScopeWrites, false, true, false},
		{ScopeAuth, false, false, true},
		{ScopeAll, true, true, true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.scope), func(t *testing.T) {
			e := setup(t, Options{})
			tok := e.di().AccessToken
			e.s.SetFaults(Faults{Only: tc.scope, Rate: map[Kind]float64{Kind503: 1}})
			for name, c := range map[string]struct {
				call func(*env, string) (resp, error)
				fail bool
			}{"read": {read, tc.read}, "write": {write, tc.write}, "auth": {auth, tc.authFail}} {
				r, err := c.call(e, tok)
				if err != nil {
					t.Fatal(err)
				}
				if (r.status == 503) != c.fail {
					t.Errorf("%s: status %d, fault expected %v", name, r.status, c.fail)
				}
			}
		})
	}
}

func TestFaultEveryNth(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	e.s.SetFaults(Faults{Every: map[Kind]int{Kind500: 3, Kind503: 2}})
	var got []int
	for range 7 {
		got = append(got, e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok)).status)
	}
	// Request 6 is due for both; the lower kind wins.
	want := []int{200, 503, 500, 503, 200, 500, 200}
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func TestFailNextOnlyHitsItsScope(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	e.s.FailNext(2, Kind502, ScopeWrites)
	if r := e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok)); r.status != 200 {
		t.Errorf("read: status %d, want 200", r.status)
	}
	for i := range 2 {
		if r := e.must("PUT", logPath, water("2024-05-15", 1), bearer(tok)); r.status != 502 {
			t.Errorf("write %d: status %d, want 502", i, r.status)
		}
	}
	if r := e.must("PUT", logPath, water("2024-05-15", 1), bearer(tok)); r.status != 200 {
		t.Errorf("third write: status %d, want 200", r.status)
	}
}

func TestLatencyUsesTheInjectedSleep(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	e := setup(t, Options{Sleep: func(_ context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		return nil
	}})
	tok := e.di().AccessToken
	e.s.SetFaults(Faults{Only: ScopeReads, Latency: 250 * time.Millisecond})
	e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok))
	e.must("PUT", logPath, water("2024-05-15", 1), bearer(tok))
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(slept, []time.Duration{250 * time.Millisecond}) {
		t.Errorf("slept %v, want one 250ms sleep for the read only", slept)
	}
}

func TestLatencyRealSleep(t *testing.T) {
	e := setup(t, Options{})
	tok := e.di().AccessToken
	e.s.SetFaults(Faults{Latency: 50 * time.Millisecond})
	start := time.Now()
	e.must("GET", "/userprofile-service/socialProfile", "", bearer(tok))
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered after %v, want at least 50ms", d)
	}
}

// faultRun sends a fixed sequence of requests to a fresh server and
// returns the faults it injected.
func faultRun(t *testing.T, opts Options) []Kind {
	e := setup(t, opts)
	tok := e.di().AccessToken
	e.s.SetFaults(Faults{Rate: map[Kind]float64{
		Kind429RetryAfter: 0.1, Kind429: 0.05, Kind500: 0.1, Kind503: 0.05, KindReset: 0.05, KindDropAfterCommit: 0.1,
	}})
	for i := range 60 {
		if i%3 == 0 {
			_, _ = e.do("GET", "/userprofile-service/socialProfile", "", bearer(tok))
		} else {
			_, _ = e.do("PUT", logPath, water("2024-05-15", 10), bearer(tok))
		}
	}
	var kinds []Kind
	for _, r := range e.s.Requests() {
		kinds = append(kinds, r.Fault)
	}
	return kinds
}

func TestFaultsAreDeterministicUnderASeed(t *testing.T) {
	a := faultRun(t, Options{Seed: 7})
	b := faultRun(t, Options{Seed: 7})
	c := faultRun(t, Options{Seed: 8})
	d := faultRun(t, Options{Source: rand.NewPCG(7, 7^0x9e3779b97f4a7c15)})
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if !slices.Equal(a, d) {
		t.Errorf("the same source given as Source gave other faults:\n%v\n%v", a, d)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 gave the same faults %v", a)
	}
	n := 0
	for _, k := range a {
		if k != KindNone {
			n++
		}
	}
	if n < 10 || n > 40 {
		t.Errorf("%d of %d requests faulted at a 45%% rate", n, len(a))
	}
}

func TestConcurrentWritersKeepExactTotals(t *testing.T) {
	e := setup(t, Options{})
	e.hc = &http.Client{} // keep-alive on: many requests share connections
	tok := e.di().AccessToken
	const workers, each = 16, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			date := fmt.Sprintf("2024-05-%02d", 10+w%4)
			for range each {
				r, err := e.do("PUT", logPath, water(date, 12.5), bearer(tok))
				if err != nil || r.status != 200 {
					t.Errorf("PUT %s: %v %d", date, err, r.status)
					return
				}
			}
		})
	}
	wg.Wait()
	totals := e.s.Totals(testEmail)
	for d := 10; d < 14; d++ {
		date := fmt.Sprintf("2024-05-%02d", d)
		if want := float64(workers/4*each) * 12.5; totals[date] != want {
			t.Errorf("%s: total %v, want %v", date, totals[date], want)
		}
	}
}

func TestConcurrentWritersUnderFaults(t *testing.T) {
	e := setup(t, Options{Seed: 3})
	tok := e.di().AccessToken
	e.s.SetFaults(Faults{Only: ScopeWrites, Rate: map[Kind]float64{Kind500: 0.2, KindReset: 0.1, KindDropAfterCommit: 0.2}})
	const workers, each = 8, 20
	var mu sync.Mutex
	answered := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				r, err := e.do("PUT", logPath, water("2024-05-15", 7), bearer(tok))
				if err == nil && r.status == 200 {
					mu.Lock()
					answered++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	applied, dropped := 0, 0
	for _, r := range e.s.Requests() {
		if r.Applied {
			applied++
		}
		if r.Fault == KindDropAfterCommit {
			dropped++
		}
	}
	if applied != answered+dropped {
		t.Errorf("applied %d, want %d answered + %d dropped", applied, answered, dropped)
	}
	if ml, _ := e.s.Total(testEmail, "2024-05-15"); ml != float64(7*applied) {
		t.Errorf("total %v, want %d applied × 7", ml, applied)
	}
	if dropped == 0 || answered == 0 {
		t.Errorf("answered %d, dropped %d: the fault mix did not run", answered, dropped)
	}
}

func TestStart(t *testing.T) {
	s := New(Options{})
	if err := s.AddAccount(Account{Email: testEmail}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	base, err := s.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := s.IssueDI(testEmail)
	get := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/userprofile-service/socialProfile", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		return (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	}
	res, err := get()
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("status %d", res.StatusCode)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := get()
		if err != nil {
			break
		}
		res.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still answering after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
