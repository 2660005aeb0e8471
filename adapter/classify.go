package adapter

import (
	"errors"
	"fmt"

	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
)

// Classify turns an error of the Garmin client into the importer's
// behaviour classes, keeping the original in the chain (errors.Is and
// errors.As still find garmin's types, so cmd can give its hints):
//   - garmin.ErrUnauthorized (a refresh did not help) → importer.ErrUnauthorized
//   - *garmin.RateLimitError (a 429, in any of its forms) → *importer.RetryAfterError
//   - garmin.ErrOutcomeUnknown (a write cut after sending, a 5xx) → importer.ErrOutcomeUnknown
//   - garmin.ErrUploadConsent (412: the account has not accepted uploads) → importer.ErrAccountRefuses
//   - any other 4xx, and *garmin.UploadRejectedError (a failure inside an
//     upload's answer, even a 2xx) → *importer.RejectedError: it is refused
//     again if sent again, and uploads reported as failed have been seen to
//     land (garmin-uploader issue #39), so a resend risks a duplicate.
//
// Anything else (a network error before sending, a 5xx on a read) passes
// unchanged: the runner treats it as transient.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var rl *garmin.RateLimitError
	var apiErr *garmin.APIError
	var refused *garmin.UploadRejectedError
	switch {
	case errors.Is(err, garmin.ErrUnauthorized):
		return fmt.Errorf("%w: %w", importer.ErrUnauthorized, err)
	case errors.As(err, &rl):
		return &importer.RetryAfterError{After: rl.RetryAfter, Err: err}
	case errors.Is(err, garmin.ErrOutcomeUnknown):
		return fmt.Errorf("%w: %w", importer.ErrOutcomeUnknown, err)
	case errors.Is(err, garmin.ErrUploadConsent):
		return importer.AccountRefused(err)
	case errors.As(err, &apiErr) && apiErr.Status >= 400 && apiErr.Status < 500,
		errors.As(err, &refused):
		return importer.Rejected(err)
	}
	return err
}

// notFound reports whether err is Garmin answering 404.
func notFound(err error) bool {
	var apiErr *garmin.APIError
	return errors.As(err, &apiErr) && apiErr.Status == 404
}
