package garmin

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeUploadAnswer feeds the upload-answer decoder any status,
// location and body: it must not panic, and a success must name either the
// activity or a location to poll.
func FuzzDecodeUploadAnswer(f *testing.F) {
	for _, name := range []string{"upload_202.json", "upload_409.json", "upload_415.json", "upload_500.json", "upload_201.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "activity", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(202, recordedLocation, "1000", b)
		f.Add(200, "", "", b)
	}
	f.Add(201, "https://connectapi.garmin.com/activity-service/activity/21522899847", "", []byte(nil))
	f.Add(202, "", "", []byte(`{"detailedImportResult":{"uploadId":1e400}}`))
	f.Add(200, "", "", []byte(`{"detailedImportResult":{"successes":[{"internalId":"12"}]}}`))
	f.Fuzz(func(t *testing.T, status int, location, ms string, body []byte) {
		h := http.Header{}
		h.Set("Location", location)
		h.Set("location-in-milliseconds", ms)
		up, err := decodeUploadAnswer(status, h, body)
		if err != nil {
			return
		}
		if up.ActivityID < 0 || (up.ActivityID == 0 && up.Location == "") {
			t.Fatalf("success without activity or location: %+v", up)
		}
		if up.PollAfter < 0 {
			t.Fatalf("negative PollAfter %v", up.PollAfter)
		}
		if dup := duplicateFrom(body); dup == nil {
			t.Fatal("duplicateFrom returned nil")
		}
		_, _ = decodeActivityList(body)
	})
}
