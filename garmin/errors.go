// Package garmin is a client for Garmin Connect's unofficial web API: hosts,
// headers, endpoints, typed errors, the token store and its refresh, and login.
//
// It knows nothing of Fitbit or of the import journal.
package garmin

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors a caller decides on with errors.Is.
var (
	// ErrUnauthorized means the tokens were rejected even after a refresh,
	// or there are no tokens: the user must log in again.
	ErrUnauthorized = errors.New("garmin: not authorized")

	// ErrOutcomeUnknown means a write was sent but no answer came back
	// (timeout, connection reset, 5xx after sending): it may or may not have
	// been applied. Read the data back before sending it again.
	ErrOutcomeUnknown = errors.New("garmin: outcome of write unknown")

	// ErrMFARequired means the login needs a one-time code.
	ErrMFARequired = errors.New("garmin: multi-factor code required")

	// ErrCaptcha means Garmin asked for a CAPTCHA at login; the tool cannot
	// solve it. Wait, log in once in a browser, or import web tokens.
	ErrCaptcha = errors.New("garmin: login needs a CAPTCHA")

	// ErrBadCredentials means Garmin refused the email or password.
	ErrBadCredentials = errors.New("garmin: wrong email or password")

	// ErrNoTokens means no tokens are saved yet. errors.Is(ErrNoTokens,
	// ErrUnauthorized) is true.
	ErrNoTokens error = &kindError{msg: "garmin: no saved tokens", kind: ErrUnauthorized}
)

// kindError is a sentinel that also matches a broader sentinel.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// RateLimitError is returned when Garmin answers 429, as a status or in a
// JSON body ({"error":{"status-code":"429"}}).
type RateLimitError struct {
	// RetryAfter is the wait Garmin asked for; zero when it gave none.
	RetryAfter time.Duration
	// Login is true when the limit hit the login flow, which must not be retried.
	Login bool
}

func (e *RateLimitError) Error() string {
	what := "request"
	if e.Login {
		what = "login"
	}
	if e.RetryAfter > 0 {
		return fmt.Sprintf("garmin: %s rate limited (429), retry after %s", what, e.RetryAfter)
	}
	return fmt.Sprintf("garmin: %s rate limited (429)", what)
}

// APIError is an answer Garmin gave that is neither success nor one of the
// typed cases above. A write that got an APIError with a 4xx status was
// rejected and did not land.
type APIError struct {
	Method string
	Path   string // path only, never a query with secrets
	Status int
	Body   string // at most a short excerpt, with anything token-like removed
}

func (e *APIError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("garmin: %s %s: status %d", e.Method, e.Path, e.Status)
	}
	return fmt.Sprintf("garmin: %s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// OutcomeUnknownError wraps the cause of a write whose outcome is unknown.
// errors.Is(err, ErrOutcomeUnknown) is true for it.
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("garmin: %s %s: outcome unknown: %v", e.Method, e.Path, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() []error { return []error{ErrOutcomeUnknown, e.Err} }
