package adapter

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"fitbit2garmin/garmin"
	"fitbit2garmin/importer"
)

func TestClassify(t *testing.T) {
	network := errors.New("dial tcp: connection refused")
	tests := []struct {
		name string
		in   error
		want func(error) bool
	}{
		{"nil", nil, func(err error) bool { return err == nil }},
		{"unauthorized", fmt.Errorf("refresh: %w", garmin.ErrUnauthorized), func(err error) bool {
			return errors.Is(err, importer.ErrUnauthorized) && errors.Is(err, garmin.ErrUnauthorized)
		}},
		{"429 with Retry-After", &garmin.RateLimitError{RetryAfter: 7 * time.Second}, func(err error) bool {
			var ra *importer.RetryAfterError
			var rl *garmin.RateLimitError
			return errors.As(err, &ra) && ra.After == 7*time.Second && errors.As(err, &rl)
		}},
		{"write cut after sending", &garmin.OutcomeUnknownError{Method: "PUT", Path: "/x", Err: network}, func(err error) bool {
			return errors.Is(err, importer.ErrOutcomeUnknown) && errors.Is(err, network)
		}},
		{"400", &garmin.APIError{Method: "PUT", Path: "/x", Status: 400}, func(err error) bool {
			var re *importer.RejectedError
			return errors.As(err, &re) && !errors.Is(err, importer.ErrOutcomeUnknown)
		}},
		{"404", &garmin.APIError{Method: "GET", Path: "/x", Status: 404}, func(err error) bool {
			var re *importer.RejectedError
			return errors.As(err, &re)
		}},
		{"a failure inside an upload's 200", &garmin.UploadRejectedError{Status: 200, Code: 500, Message: "An unexpected error occurred while processing the file."}, func(err error) bool {
			var re *importer.RejectedError
			var up *garmin.UploadRejectedError
			return errors.As(err, &re) && errors.As(err, &up) && !errors.Is(err, importer.ErrOutcomeUnknown)
		}},
		{"412: no upload consent", fmt.Errorf("%w: %w", garmin.ErrUploadConsent, &garmin.APIError{Method: "POST", Path: "/upload-service/upload/.fit", Status: 412}), func(err error) bool {
			var re *importer.RejectedError
			return errors.Is(err, importer.ErrAccountRefuses) && errors.Is(err, garmin.ErrUploadConsent) && !errors.As(err, &re)
		}},
		{"503 on a read is transient", &garmin.APIError{Method: "GET", Path: "/x", Status: 503}, func(err error) bool {
			var re *importer.RejectedError
			return !errors.As(err, &re) && !errors.Is(err, importer.ErrOutcomeUnknown)
		}},
		{"network error before sending is transient", network, func(err error) bool { return err == network }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.in); !tt.want(got) {
				t.Errorf("Classify(%v) = %#v", tt.in, got)
			}
		})
	}
}
