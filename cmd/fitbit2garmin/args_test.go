package main

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInterspersed(t *testing.T) {
	tests := []struct{ in, want string }{
		{"f2g import X --dry-run", "f2g import --dry-run X"},
		{"f2g import X --rate 2 Y -q", "f2g -q import --rate 2 X Y"},
		{"f2g --config-dir D import X --state S", "f2g --config-dir D import --state S X"},
		{"f2g import X --garmin-url U --json", "f2g --garmin-url U import --json X"},
		{"f2g import X -- --weird-name.csv", "f2g import X -- --weird-name.csv"},
		{"f2g auth import --curl - -v", "f2g -v auth import --curl -"},
		{"f2g auth login --email E", "f2g auth login --email E"},
		{"f2g status", "f2g status"},
		{"f2g nosuch --x", "f2g nosuch --x"},
	}
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	for _, tt := range tests {
		got := strings.Join(interspersed(app, strings.Fields(tt.in)), " ")
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}
