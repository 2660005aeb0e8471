package fitbit

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConversions(t *testing.T) {
	tests := []struct {
		name      string
		got, want float64
	}{
		{"64 fl oz", FlOzToML(64), 1892.7058920},
		{"1 cup", CupsToML(1), 236.5882365},
		{"1.5 l", LitresToML(1.5), 1500},
		{"190.9 lb", LbToKg(190.9), 86.590783433},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-6 {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		bad  bool
	}{
		{"64", 64, false},
		{"101.5", 101.5, false},
		{"1,893", 1893, false},
		{"2,635", 2635, false},
		{"1,234,567", 1234567, false},
		{"1,5", 1.5, false},
		{"0,500", 0.5, false},
		{"1.893,5", 1893.5, false},
		{"1,893.5", 1893.5, false},
		{"1 893", 1893, false},
		{"1\u00a0893,25", 1893.25, false},
		{"1'893", 1893, false},
		{"1.234.567", 1234567, false},
		{".5", 0.5, false},
		{"-250", -250, false},
		{"+250", 250, false},
		{"", 0, true},
		{"abc", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"0x10", 0, true},
		{"1e3", 0, true},
		{"1,2,3", 0, true},
		{"1.2,3.4", 0, true},
		{"12,34,567", 0, true},
		{",", 0, true},
		{"--1", 0, true},
	}
	for _, tt := range tests {
		got, err := parseNumber(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && math.Abs(got-tt.want) > 1e-9) {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, bad=%v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestParseVolume(t *testing.T) {
	tests := []struct {
		in, unit string
		want     float64
		err      error
	}{
		{"64 fl oz", "", 64 * MLPerFlOz, nil},
		{"64 fl. oz.", "", 64 * MLPerFlOz, nil},
		{"1,893 ml", "", 1893, nil},
		{"250ml", "", 250, nil},
		{"8 cups", "", 8 * MLPerCup, nil},
		{"1 cup", "", MLPerCup, nil},
		{"1,5 l", "", 1500, nil},
		{"2 Liters", "", 2000, nil},
		{"330", "milliliters", 330, nil},
		{"12", "fl oz", 12 * MLPerFlOz, nil},
		{"0", "", 0, nil},
		{"0 fl oz", "", 0, nil},
		{"250", "", 0, errNoUnit},
		{"64 Unzen", "", 0, &unknownUnitError{}},
		{"abc", "ml", 0, errors.New("not a number")},
	}
	for _, tt := range tests {
		got, err := parseVolume(tt.in, tt.unit)
		switch {
		case tt.err == nil && err != nil:
			t.Errorf("parseVolume(%q, %q): %v", tt.in, tt.unit, err)
		case tt.err == nil && math.Abs(got-tt.want) > 1e-9:
			t.Errorf("parseVolume(%q, %q) = %v, want %v", tt.in, tt.unit, got, tt.want)
		case tt.err != nil && err == nil:
			t.Errorf("parseVolume(%q, %q) = %v, want an error", tt.in, tt.unit, got)
		case errors.Is(tt.err, errNoUnit) && !errors.Is(err, errNoUnit):
			t.Errorf("parseVolume(%q, %q) error %v, want errNoUnit", tt.in, tt.unit, err)
		}
		var uu *unknownUnitError
		if _, want := tt.err.(*unknownUnitError); want && !errors.As(err, &uu) {
			t.Errorf("parseVolume(%q) error %v, want unknown unit", tt.in, err)
		}
	}
}

func TestSplitCSVLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`"","Water","64 fl oz"`, []string{"", "Water", "64 fl oz"}},
		{`"","Meatballs, Italian Style","520"`, []string{"", "Meatballs, Italian Style", "520"}},
		{`Daily Totals`, []string{"Daily Totals"}},
		{`"Daily Totals"`, []string{"Daily Totals"}},
		{`a,"b ""c""",d`, []string{"a", `b "c"`, "d"}},
		{`a,"unterminated`, []string{"a", "unterminated"}},
		{`a,,`, []string{"a", "", ""}},
		{``, []string{""}},
		{`x"y,z`, []string{`x"y`, "z"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitCSVLine(tt.in)); diff != "" {
			t.Errorf("splitCSVLine(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFoodLogDate(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Food Log 20180426", "2018-04-26"},
		{"Ernährungsprotokoll 20180426", "2018-04-26"},
		{"Food Log 2018-04-26", "2018-04-26"},
		{"Food Log 20181345", ""},
		{"20180426", ""},
		{"Foods", ""},
		{"Daily Totals", ""},
	}
	for _, tt := range tests {
		got, ok := foodLogDate(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("foodLogDate(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestHydrationColumns(t *testing.T) {
	tests := []struct {
		header       []string
		time, amount int
		unit         string
		unitCol      int
		bad          bool
	}{
		{[]string{"timestamp", "amount milliliters", "data source"}, 0, 1, "milliliters", -1, false},
		{[]string{"start time", "end time", "volume (ml)", "data source"}, 0, 2, "ml", -1, false},
		{[]string{"data source", "Time", "Water_fl_oz"}, 1, 2, "fl oz", -1, false},
		{[]string{"end time", "start time", "milliliters"}, 1, 2, "milliliters", -1, false},
		{[]string{"timestamp", "amount", "unit", "data source"}, 0, 1, "", 2, false},
		{[]string{"\ufefftimestamp", "hydration liters"}, 0, 1, "liters", -1, false},
		{[]string{"timestamp", "beats per minute", "data source"}, 0, -1, "", -1, true},
		{[]string{"amount", "data source"}, -1, 0, "", -1, true},
	}
	for _, tt := range tests {
		c, err := hydrationColumns(tt.header)
		if (err != nil) != tt.bad {
			t.Errorf("hydrationColumns(%q) error %v, want bad=%v", tt.header, err, tt.bad)
			continue
		}
		if c.time != tt.time || c.amount != tt.amount || c.headerUnit != tt.unit || c.unit != tt.unitCol {
			t.Errorf("hydrationColumns(%q) = %+v, want time %d amount %d unit %q unit column %d", tt.header, c, tt.time, tt.amount, tt.unit, tt.unitCol)
		}
	}
}

func TestReadmeUnit(t *testing.T) {
	tests := []struct {
		name, text, column, want string
	}{
		{"column line", "timestamp - UTC\namount - the amount of water logged, in milliliters\n", "amount", "milliliters"},
		{"only unit in text", "Volumes are in liters.\n", "volume", "liters"},
		{"column line wins", "Older files used fl oz.\nvolume - in ml\n", "volume", "ml"},
		{"ambiguous", "Values in ml or fl oz depending on locale.\n", "amount", ""},
		{"none", "Nothing useful here, l'eau.\n", "amount", ""},
	}
	for _, tt := range tests {
		if got := readmeUnit(tt.text, tt.column); got != tt.want {
			t.Errorf("%s: readmeUnit = %q, want %q", tt.name, got, tt.want)
		}
	}
}
