package importer

import (
	"errors"
	"fmt"
	"time"
)

// The runner decides on errors by what they mean for a write, never by HTTP
// status: an adapter (package adapter) classifies its API's errors into
// these before they reach the runner. An error that is none of them is
// transient: a read is tried again after a backoff; a write whose error is
// not one of them is taken as not sent.

// ErrUnauthorized means Garmin refused the credentials even after a
// refresh. The run stops; nothing more is sent.
var ErrUnauthorized = errors.New("not authorized")

// ErrOutcomeUnknown means a write may or may not have landed (its answer
// was lost, or Garmin failed after taking it). It is settled by reading
// Garmin back, never by sending it again blindly.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// RejectedError is a request Garmin refused for good: it changed nothing,
// and sending it again would be refused again.
type RejectedError struct{ Err error }

func (e *RejectedError) Error() string { return "rejected: " + e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

// Rejected wraps err as a *RejectedError.
func Rejected(err error) error { return &RejectedError{Err: err} }

// RetryAfterError is Garmin asking the client to slow down (a 429). After
// is how long to wait, zero when Garmin did not say.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("rate limited (retry after %s): %v", e.After, e.Err)
	}
	return fmt.Sprintf("rate limited: %v", e.Err)
}
func (e *RetryAfterError) Unwrap() error { return e.Err }

// ErrAccountRefuses means Garmin refuses a kind of write for the whole
// account until its owner acts in Garmin Connect: an upload consent not
// given (HTTP 412, La0/garmin-uploader api.py). Every further write of
// the kind would be refused too, so the run stops; the refused write
// changed nothing and is journaled not sent, for the next run.
var ErrAccountRefuses = errors.New("refused for the whole account")

// AccountRefused marks err as an account-wide refusal: errors.Is(err,
// ErrAccountRefuses) holds, and its text stays err's.
func AccountRefused(err error) error { return accountRefusal{err} }

type accountRefusal struct{ error }

func (e accountRefusal) Unwrap() error        { return e.error }
func (e accountRefusal) Is(target error) bool { return target == ErrAccountRefuses }

// rejected reports whether err is a refusal for good.
func rejected(err error) bool {
	var re *RejectedError
	return errors.As(err, &re)
}

// retryAfter returns Garmin's request to wait, if err is one.
func retryAfterOf(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) {
		return ra.After, true
	}
	return 0, false
}
