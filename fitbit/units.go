package fitbit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Unit conversions. Every reader turns amounts into SI units through these,
// so a unit is defined in one place only.
const (
	// MLPerFlOz is millilitres in one US fluid ounce.
	MLPerFlOz = 29.5735295625
	// MLPerCup is millilitres in one US cup (8 fl oz).
	MLPerCup = 8 * MLPerFlOz
	// MLPerLitre is millilitres in one litre.
	MLPerLitre = 1000
	// KgPerLb is kilograms in one pound.
	KgPerLb = 0.45359237
)

// FlOzToML converts US fluid ounces to millilitres.
func FlOzToML(v float64) float64 { return v * MLPerFlOz }

// CupsToML converts US cups to millilitres.
func CupsToML(v float64) float64 { return v * MLPerCup }

// LitresToML converts litres to millilitres.
func LitresToML(v float64) float64 { return v * MLPerLitre }

// LbToKg converts pounds to kilograms.
func LbToKg(v float64) float64 { return v * KgPerLb }

// volumeUnits maps a unit as written (lower case, spaces and dots removed)
// to millilitres per unit.
var volumeUnits = map[string]float64{
	"ml": 1, "milliliter": 1, "milliliters": 1, "millilitre": 1, "millilitres": 1, "mls": 1,
	"cl": 10, "centiliter": 10, "centiliters": 10, "centilitre": 10, "centilitres": 10,
	"dl": 100, "deciliter": 100, "deciliters": 100, "decilitre": 100, "decilitres": 100,
	"l": MLPerLitre, "liter": MLPerLitre, "liters": MLPerLitre, "litre": MLPerLitre, "litres": MLPerLitre, "lt": MLPerLitre,
	"floz": MLPerFlOz, "oz": MLPerFlOz, "fluidounce": MLPerFlOz, "fluidounces": MLPerFlOz, "ounce": MLPerFlOz, "ounces": MLPerFlOz,
	"cup": MLPerCup, "cups": MLPerCup,
}

// volumeFactor returns millilitres per unit for a unit name such as "fl oz",
// "fl. oz.", "ml", "Milliliters" or "cups".
func volumeFactor(unit string) (float64, bool) {
	key := strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '.' || r == '_' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
			return -1
		default:
			return unicode.ToLower(r)
		}
	}, unit)
	f, ok := volumeUnits[key]
	return f, ok
}

var errNoUnit = errors.New("no unit")

// unknownUnitError is a unit that is not a volume unit this package knows.
type unknownUnitError struct{ unit string }

func (e *unknownUnitError) Error() string { return fmt.Sprintf("unknown unit %q", e.unit) }

// parseVolume reads an amount such as `64 fl oz`, `1,893 ml`, `2 cups` or
// `1,5 l` and returns millilitres. defaultUnit is used when the value has no
// unit of its own; when both are missing the error is errNoUnit (except for
// zero, which is zero in any unit).
func parseVolume(s, defaultUnit string) (float64, error) {
	num, unit := splitAmount(s)
	v, err := parseNumber(num)
	if err != nil {
		return 0, err
	}
	if unit == "" {
		unit = defaultUnit
	}
	if unit == "" {
		if v == 0 {
			return 0, nil
		}
		return 0, errNoUnit
	}
	f, ok := volumeFactor(unit)
	if !ok {
		return 0, &unknownUnitError{unit}
	}
	return v * f, nil
}

// splitAmount splits "64 fl oz" into "64" and "fl oz": the unit starts at
// the first letter.
func splitAmount(s string) (num, unit string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsLetter)
	if i < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
}

// parseNumber reads a decimal number written by people in any common locale:
// "1,893" and "1.893,5" and "1 893" and "1,5". A single comma followed by
// exactly three digits is a thousands separator (the fitbit.com exports
// write "2,635"); otherwise a lone comma is a decimal comma. When both
// separators appear, the last one is the decimal point.
func parseNumber(s string) (float64, error) {
	orig := s
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '\u2019':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], s[1:]
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != ',' && r != '.' {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
	}
	lastComma, lastDot := strings.LastIndexByte(s, ','), strings.LastIndexByte(s, '.')
	var intPart, frac string
	switch {
	case lastComma >= 0 && lastDot >= 0:
		dec := max(lastComma, lastDot)
		intPart, frac = s[:dec], s[dec+1:]
		if strings.ContainsAny(frac, ",.") {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
		decimal, thousands := s[dec:dec+1], ","
		if decimal == "," {
			thousands = "."
		}
		if strings.Contains(intPart, decimal) {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
		var ok bool
		if intPart, ok = ungroup(intPart, thousands); !ok {
			return 0, fmt.Errorf("%q is not a number: separators in odd places", orig)
		}
	case lastComma >= 0:
		if strings.Count(s, ",") > 1 || isThousandsGroup(s, lastComma) {
			var ok bool
			if intPart, ok = ungroup(s, ","); !ok {
				return 0, fmt.Errorf("%q is not a number: separators in odd places", orig)
			}
		} else {
			intPart, frac = s[:lastComma], s[lastComma+1:]
		}
	case lastDot >= 0:
		if strings.Count(s, ".") > 1 {
			var ok bool
			if intPart, ok = ungroup(s, "."); !ok {
				return 0, fmt.Errorf("%q is not a number: separators in odd places", orig)
			}
		} else {
			intPart, frac = s[:lastDot], s[lastDot+1:]
		}
	default:
		intPart = s
	}
	if intPart == "" && frac == "" {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	if intPart == "" {
		intPart = "0"
	}
	txt := sign + intPart
	if frac != "" {
		txt += "." + frac
	}
	v, err := strconv.ParseFloat(txt, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	return v, nil
}

// isThousandsGroup reports whether the comma at i in s (its only separator)
// groups thousands: 1 to 3 leading digits not starting with 0, then exactly 3.
func isThousandsGroup(s string, i int) bool {
	return len(s)-i-1 == 3 && i >= 1 && i <= 3 && s[0] != '0'
}

// ungroup removes thousands separators sep from s, checking that the groups
// after the first have exactly three digits.
func ungroup(s, sep string) (string, bool) {
	parts := strings.Split(s, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return "", false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}
