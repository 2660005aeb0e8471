package garmin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recordedLocation is the status location of garth's recorded 202.
const recordedLocation = "https://connectapi.garmin.com/activity-service/activity/status/1695952699113/6e56051d1dd44f2cb8ba00a1a7d82eb3"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "activity", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uploadedPart returns the file name and bytes of the multipart field "file".
func uploadedPart(t *testing.T, r *http.Request) (string, []byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("content type %q: want multipart/form-data", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if p.FormName() != "file" || p.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("part %q with type %q, want field file, application/octet-stream", p.FormName(), p.Header.Get("Content-Type"))
	}
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	return p.FileName(), b
}

func TestImportActivity(t *testing.T) {
	fit, err := EncodeActivityFIT(testRun())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string // a testdata/activity file name, or a literal starting with "!"
		want    *ActivityUpload
		wantErr func(t *testing.T, err error)
	}{
		{
			name: "202 recorded", status: 202, body: "upload_202.json",
			header: map[string]string{"Location": recordedLocation, "location-in-milliseconds": "1000"},
			want:   &ActivityUpload{Location: "/activity-service/activity/status/1695952699113/6e56051d1dd44f2cb8ba00a1a7d82eb3", PollAfter: time.Second, UploadID: 212157427938},
		},
		{
			name: "201 synchronous", status: 201, body: "upload_201.json",
			want: &ActivityUpload{ActivityID: 3456789012, UploadID: 99},
		},
		{
			name: "200 synchronous", status: 200, body: "upload_201.json",
			want: &ActivityUpload{ActivityID: 3456789012, UploadID: 99},
		},
		{
			name: "409 duplicate recorded", status: 409, body: "upload_409.json",
			wantErr: func(t *testing.T, err error) {
				var dup *DuplicateActivityError
				if !errors.As(err, &dup) || !errors.Is(err, ErrDuplicateUpload) {
					t.Fatalf("error = %v, want *DuplicateActivityError matching ErrDuplicateUpload", err)
				}
				want := &DuplicateActivityError{ExistingID: 20242598711, ExternalID: "1064880658", Messages: []string{"Duplicate Activity."}}
				if diff := cmp.Diff(want, dup); diff != "" {
					t.Errorf("duplicate (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "409 garbled", status: 409, body: "!<html>conflict</html>",
			wantErr: func(t *testing.T, err error) {
				var dup *DuplicateActivityError
				if !errors.As(err, &dup) || dup.ExistingID != 0 {
					t.Fatalf("error = %v, want a *DuplicateActivityError naming no id", err)
				}
			},
		},
		{name: "failure 415 in a 200", status: 200, body: "upload_415.json", wantErr: wantRejected(200, 415, "The file is of a type we do not support.")},
		{name: "failure 415 in a 415", status: 415, body: "upload_415.json", wantErr: wantRejected(415, 415, "The file is of a type we do not support.")},
		{name: "failure 500 in a 200", status: 200, body: "upload_500.json", wantErr: wantRejected(200, 500, "An unexpected error occurred while processing the file.")},
		{
			name: "412 consent", status: 412, body: "!{}",
			wantErr: func(t *testing.T, err error) {
				var apiErr *APIError
				if !errors.Is(err, ErrUploadConsent) || !errors.As(err, &apiErr) || apiErr.Status != 412 {
					t.Fatalf("error = %v, want ErrUploadConsent with APIError 412", err)
				}
			},
		},
		{name: "200 without detailedImportResult", status: 200, body: "!{\"message\":\"ok\"}", wantErr: wantUnknown},
		{name: "200 empty", status: 200, body: "!", wantErr: wantUnknown},
		{name: "200 garbled", status: 200, body: "!{\"detailedImportResult\":", wantErr: wantUnknown},
		{name: "202 without location", status: 202, body: "upload_202.json", wantErr: wantUnknown},
		{name: "202 location elsewhere", status: 202, body: "upload_202.json", header: map[string]string{"Location": "https://connectapi.garmin.com/other/1"}, wantErr: wantUnknown},
		{name: "500", status: 500, body: "!{}", wantErr: wantUnknown},
		{name: "502 html", status: 502, body: "!<html>bad gateway</html>", wantErr: wantUnknown},
		{
			name: "429", status: 429, body: "!{}", header: map[string]string{"Retry-After": "30"},
			wantErr: func(t *testing.T, err error) {
				var rl *RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
					t.Fatalf("error = %v, want *RateLimitError 30s", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "imp", testNow.Add(time.Hour)))
			var calls atomic.Int32
			f.mux.HandleFunc("/upload-service/upload/.fit", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				testMethod(t, r, http.MethodPost)
				name, got := uploadedPart(t, r)
				if name != "run.fit" || string(got) != string(fit) {
					t.Errorf("uploaded %q (%d bytes), want run.fit with the FIT (%d bytes)", name, len(got), len(fit))
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				if body, ok := strings.CutPrefix(tt.body, "!"); ok {
					io.WriteString(w, body)
				} else {
					w.Write(readTestdata(t, tt.body))
				}
			})
			up, err := f.client.ImportActivity(context.Background(), "run.fit", fit)
			if n := calls.Load(); n != 1 {
				t.Errorf("%d requests, want 1 (an upload is never resent by the client)", n)
			}
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", up)
				}
				tt.wantErr(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, up); diff != "" {
				t.Errorf("upload (-want +got):\n%s", diff)
			}
		})
	}
}

func wantRejected(status, code int, msg string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var rej *UploadRejectedError
		if !errors.As(err, &rej) {
			t.Fatalf("error = %v, want *UploadRejectedError", err)
		}
		if rej.Status != status || rej.Code != code || rej.Message != msg {
			t.Errorf("rejection = %+v, want status %d code %d %q", rej, status, code, msg)
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			t.Error("a rejection must not read as an unknown outcome")
		}
	}
}

func wantUnknown(t *testing.T, err error) {
	t.Helper()
	var unk *OutcomeUnknownError
	if !errors.As(err, &unk) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("error = %v, want *OutcomeUnknownError", err)
	}
	if unk.Path != "/upload-service/upload/.fit" {
		t.Errorf("unknown outcome path = %q", unk.Path)
	}
}

// TestImportActivityRequest pins the request line, headers the upload
// depends on, and the multipart part header, for each token family: with
// DI tokens the import headers of python-garminconnect's import_activity
// (NK: NT, Origin https://sso.garmin.com, User-Agent GCM-iOS-5.7.2.1).
func TestImportActivityRequest(t *testing.T) {
	fit, err := EncodeActivityFIT(testWalk())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		golden string
		tok    *Tokens
	}{
		{"activity/import_request.golden", webTokens(t, "req", testNow.Add(time.Hour))},
		{"activity/import_request_di.golden", diTokens(t, "req", testNow.Add(time.Hour))},
	} {
		t.Run(string(tt.tok.Family), func(t *testing.T) {
			f := setup(t, tt.tok)
			var got strings.Builder
			f.mux.HandleFunc("/upload-service/upload/.fit", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(&got, "%s %s\n", r.Method, r.URL.Path)
				for _, h := range []string{"Content-Type", "DI-Backend", "NK", "Origin", "User-Agent", "Accept"} {
					fmt.Fprintf(&got, "%s: %s\n", h, r.Header.Get(h))
				}
				body, _ := io.ReadAll(r.Body)
				head, _, _ := strings.Cut(string(body), "\r\n\r\n")
				fmt.Fprintf(&got, "\n%s\n", strings.ReplaceAll(head, "\r\n", "\n"))
				w.WriteHeader(http.StatusCreated)
				w.Write(readTestdata(t, "upload_201.json"))
			})
			if _, err := f.client.ImportActivity(context.Background(), "", fit); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, []byte(got.String()))
		})
	}
}

func TestPollUpload(t *testing.T) {
	const status = "/activity-service/activity/status/1695952699113/6e56051d1dd44f2cb8ba00a1a7d82eb3"
	tests := []struct {
		name    string
		answers []func(w http.ResponseWriter)
		want    []*ActivityUpload
		wantErr func(t *testing.T, err error)
	}{
		{
			name: "202 then 201 with location",
			answers: []func(http.ResponseWriter){
				func(w http.ResponseWriter) {
					w.Header().Set("location-in-milliseconds", "1500")
					w.WriteHeader(http.StatusAccepted)
				},
				func(w http.ResponseWriter) {
					w.Header().Set("Location", "https://connectapi.garmin.com/activity-service/activity/21522899847")
					w.WriteHeader(http.StatusCreated)
				},
			},
			want: []*ActivityUpload{{Location: status, PollAfter: 1500 * time.Millisecond}, {ActivityID: 21522899847}},
		},
		{
			name: "200 with successes",
			answers: []func(http.ResponseWriter){func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusOK)
				w.Write(readTestdata(t, "upload_201.json"))
			}},
			want: []*ActivityUpload{{ActivityID: 3456789012, UploadID: 99}},
		},
		{
			name: "409",
			answers: []func(http.ResponseWriter){func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusConflict)
				w.Write(readTestdata(t, "upload_409.json"))
			}},
			wantErr: func(t *testing.T, err error) {
				var dup *DuplicateActivityError
				if !errors.As(err, &dup) || dup.ExistingID != 20242598711 {
					t.Fatalf("error = %v, want duplicate of 20242598711", err)
				}
			},
		},
		{
			name:    "404",
			answers: []func(http.ResponseWriter){func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }},
			wantErr: func(t *testing.T, err error) {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Status != 404 || errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("error = %v, want APIError 404 (a read)", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, diTokens(t, "poll", testNow.Add(time.Hour)))
			var n atomic.Int32
			f.mux.HandleFunc(status, func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				i := int(n.Add(1)) - 1
				if i >= len(tt.answers) {
					t.Errorf("poll %d: no answer planned", i)
					w.WriteHeader(500)
					return
				}
				tt.answers[i](w)
			})
			loc := recordedLocation
			for i := range tt.answers {
				up, err := f.client.PollUpload(context.Background(), loc)
				if tt.wantErr != nil && i == len(tt.answers)-1 {
					tt.wantErr(t, err)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want[i], up); diff != "" {
					t.Errorf("poll %d (-want +got):\n%s", i, diff)
				}
				loc = up.Location
			}
		})
	}
}

func TestPollUploadLocation(t *testing.T) {
	f := setup(t, diTokens(t, "loc", testNow.Add(time.Hour)))
	var paths []string
	f.mux.HandleFunc("/activity-service/activity/status/", func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	})
	ctx := context.Background()
	// Another host's URL: only its path is used, on our own host.
	if _, err := f.client.PollUpload(ctx, "https://evil.example.com/activity-service/activity/status/1/abc"); err != nil {
		t.Fatal(err)
	}
	// Our own base URL (the sandbox's form) and a bare path.
	if _, err := f.client.PollUpload(ctx, f.server.URL+baseURLPath+"/activity-service/activity/status/2/def"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.PollUpload(ctx, "/activity-service/activity/status/3/ghi"); err != nil {
		t.Fatal(err)
	}
	want := []string{"/activity-service/activity/status/1/abc", "/activity-service/activity/status/2/def", "/activity-service/activity/status/3/ghi"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("polled paths (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "/userprofile-service/socialProfile", "/activity-service/activity/status/../../x", "https://x/"} {
		if _, err := f.client.PollUpload(ctx, bad); err == nil || !strings.Contains(err.Error(), "want a path under") {
			t.Errorf("PollUpload(%q) error = %v, want a refusal", bad, err)
		}
	}
	if len(paths) != 3 {
		t.Errorf("%d requests, want none for refused locations", len(paths)-3)
	}
}

// searchServer serves n activities, one a day from 2024-01-01, in pages,
// as a bare array or wrapped in activityList.
func searchServer(t *testing.T, f *fixture, n int, wrapped bool) *[]string {
	var queries []string
	f.mux.HandleFunc("/activitylist-service/activities/search/activities", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		q := r.URL.Query()
		queries = append(queries, r.URL.RawQuery)
		start, _ := strconv.Atoi(q.Get("start"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		var items []string
		for i := start; i < n && i < start+limit; i++ {
			day := time.Date(2024, 1, 1, 7, 30, 0, 0, time.UTC).AddDate(0, 0, n-1-i) // newest first, as Garmin
			items = append(items, fmt.Sprintf(`{"activityId":%d,"activityName":"Run %d","startTimeLocal":%q,"startTimeGMT":%q,"activityType":{"typeId":1,"typeKey":"running","parentTypeId":17},"distance":%d.5,"duration":1800.25,"elapsedDuration":1900.0,"averageHR":140.0,"manufacturer":"DEVELOPMENT","deviceId":null}`,
				1000+i, i, day.Format("2006-01-02 15:04:05"), day.Add(-2*time.Hour).Format("2006-01-02 15:04:05"), 5000+i))
		}
		list := "[" + strings.Join(items, ",") + "]"
		if wrapped {
			list = `{"activityList":` + list + `}`
		}
		io.WriteString(w, list)
	})
	return &queries
}

func TestSearchActivitiesPages(t *testing.T) {
	for _, wrapped := range []bool{false, true} {
		t.Run(fmt.Sprintf("wrapped=%v", wrapped), func(t *testing.T) {
			f := setup(t, diTokens(t, "s", testNow.Add(time.Hour)))
			queries := searchServer(t, f, 250, wrapped)
			got, err := f.client.SearchActivities(context.Background(), "2024-01-01", "2024-12-31")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"endDate=2024-12-31&limit=100&start=0&startDate=2024-01-01",
				"endDate=2024-12-31&limit=100&start=100&startDate=2024-01-01",
				"endDate=2024-12-31&limit=100&start=200&startDate=2024-01-01",
			}
			if diff := cmp.Diff(want, *queries); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
			if len(got) != 250 {
				t.Fatalf("%d activities, want 250", len(got))
			}
			first := got[0]
			wantFirst := Activity{
				ID: 1249, Name: "Run 249", StartLocal: time.Date(2024, 1, 1, 7, 30, 0, 0, time.UTC),
				StartGMT: time.Date(2024, 1, 1, 5, 30, 0, 0, time.UTC), TypeKey: "running", TypeID: 1, ParentTypeID: 17,
				DistanceM: 5249.5, Duration: 1800*time.Second + 250*time.Millisecond, Elapsed: 1900 * time.Second,
				AverageHR: 140, Manufacturer: "DEVELOPMENT",
			}
			if diff := cmp.Diff(wantFirst, first); diff != "" {
				t.Errorf("oldest activity (-want +got):\n%s", diff)
			}
			for i := 1; i < len(got); i++ {
				if !got[i-1].StartGMT.Before(got[i].StartGMT) {
					t.Fatalf("activities %d and %d out of order", i-1, i)
				}
			}
		})
	}
}

func TestSearchActivitiesExactPage(t *testing.T) {
	f := setup(t, diTokens(t, "e", testNow.Add(time.Hour)))
	queries := searchServer(t, f, 100, false)
	got, err := f.client.SearchActivities(context.Background(), "2024-01-01", "2024-06-30")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100 || len(*queries) != 2 {
		t.Errorf("%d activities in %d requests, want 100 in 2 (a full page asks for the next)", len(got), len(*queries))
	}
}

func TestSearchActivitiesRecorded(t *testing.T) {
	f := setup(t, diTokens(t, "r", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/activitylist-service/activities/search/activities", func(w http.ResponseWriter, r *http.Request) {
		w.Write(readTestdata(t, "search_page.json"))
	})
	got, err := f.client.SearchActivities(context.Background(), "2026-01-07", "2026-01-09")
	if err != nil {
		t.Fatal(err)
	}
	want := []Activity{{
		ID: 21482825013, Name: "Cuajimalpa de Morelos - Base",
		StartLocal: time.Date(2026, 1, 8, 8, 10, 21, 0, time.UTC), StartGMT: time.Date(2026, 1, 8, 14, 10, 21, 0, time.UTC),
		TypeKey: "trail_running", TypeID: 6, ParentTypeID: 1, DistanceM: 4261.18994140625,
		Duration: seconds(2223.326904296875), Elapsed: seconds(2225.44091796875), Moving: 2216 * time.Second,
		Calories: 390, AverageHR: 142, MaxHR: 162, Steps: 5310, Manufacturer: "GARMIN", DeviceID: 3618356072,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("activities (-want +got):\n%s", diff)
	}
}

func TestSearchActivitiesBadInput(t *testing.T) {
	f := setup(t, diTokens(t, "b", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/activitylist-service/activities/search/activities", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"activityId":5,"startTimeGMT":"yesterday"}]`)
	})
	ctx := context.Background()
	if _, err := f.client.SearchActivities(ctx, "2024-02-01", "2024-01-01"); err == nil || !strings.Contains(err.Error(), "before start") {
		t.Errorf("reversed range error = %v", err)
	}
	if _, err := f.client.SearchActivities(ctx, "2024-1-1", "2024-01-02"); err == nil {
		t.Error("bad date accepted")
	}
	_, err := f.client.SearchActivities(ctx, "2024-01-01", "2024-01-02")
	if err == nil || !strings.Contains(err.Error(), `activity 5: startTimeGMT: "yesterday"`) {
		t.Errorf("garbled time error = %v", err)
	}
}

func TestGetActivity(t *testing.T) {
	f := setup(t, diTokens(t, "g", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/activity-service/activity/21482825013", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		w.Write(readTestdata(t, "get.json"))
	})
	f.mux.HandleFunc("/activity-service/activity/7", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	})
	got, err := f.client.GetActivity(context.Background(), 21482825013)
	if err != nil {
		t.Fatal(err)
	}
	want := &Activity{
		ID: 21482825013, Name: "Cuajimalpa de Morelos - Base",
		StartLocal: time.Date(2026, 1, 8, 8, 10, 21, 0, time.UTC), StartGMT: time.Date(2026, 1, 8, 14, 10, 21, 0, time.UTC),
		TypeKey: "trail_running", TypeID: 6, ParentTypeID: 1, DistanceM: 4261.19,
		Duration: seconds(2223.327), Elapsed: seconds(2225.441), Moving: 2216 * time.Second,
		Calories: 390, AverageHR: 142, MaxHR: 162, Steps: 5310, Manufacturer: "GARMIN", DeviceID: 3618356072,
		TimeZone: "America/Costa_Rica", FileFormat: "fit",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("activity (-want +got):\n%s", diff)
	}
	_, err = f.client.GetActivity(context.Background(), 7)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("missing activity error = %v, want APIError 404", err)
	}
}

func TestRenameActivity(t *testing.T) {
	f := setup(t, diTokens(t, "n", testNow.Add(time.Hour)))
	f.mux.HandleFunc("/activity-service/activity/21522899847", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"activityId":21522899847,"activityName":"Évening \"Run\""}`)
		w.WriteHeader(http.StatusNoContent)
	})
	if err := f.client.RenameActivity(context.Background(), 21522899847, `Évening "Run"`); err != nil {
		t.Fatal(err)
	}
	if err := f.client.RenameActivity(context.Background(), 21522899847, " "); err == nil {
		t.Error("empty name accepted")
	}
}

func TestDeleteActivity(t *testing.T) {
	f := setup(t, diTokens(t, "d", testNow.Add(time.Hour)))
	deleted := false
	f.mux.HandleFunc("/activity-service/activity/42", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		if deleted {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		deleted = true
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := context.Background()
	if err := f.client.DeleteActivity(ctx, 42); err != nil {
		t.Fatal(err)
	}
	err := f.client.DeleteActivity(ctx, 42)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("second delete error = %v, want APIError 404", err)
	}
	if err := f.client.DeleteActivity(ctx, 0); err == nil {
		t.Error("id 0 accepted")
	}
}

func TestStatusPath(t *testing.T) {
	c, err := NewClient(Options{})
	if err != nil {
		t.Fatal(err)
	}
	const status = "/activity-service/activity/status/1695952699113/6e56051d1dd44f2cb8ba00a1a7d82eb3"
	tests := []struct {
		loc, want string
		ok        bool
	}{
		{"https://connectapi.garmin.com" + status, status, true},
		{"https://connect.garmin.com/gc-api" + status, status, true}, // the web app's cookie session
		{status, status, true},
		{"https://evil.example" + status, status, true}, // only the path is kept: tokens go to our host
		{"https://connectapi.garmin.com/activity-service/activity/status/../../userprofile-service/x", "", false},
		{"https://connectapi.garmin.com/userprofile-service/socialProfile", "", false},
	}
	for _, tt := range tests {
		got, err := c.statusPath(tt.loc)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("statusPath(%q) = %q, %v; want %q, ok %v", tt.loc, got, err, tt.want, tt.ok)
		}
	}
}
