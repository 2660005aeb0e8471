package importer

import "strings"

// Sport is what a Fitbit activity type becomes on Garmin: the FIT
// sport/sub_sport pair of the uploaded file and the family by which a
// Garmin activity is recognised as the same kind of exercise.
type Sport struct {
	// Name is the Garmin-side name shown in plans ("running", "cycling").
	Name string `json:"name"`
	// FIT and Sub are FIT profile values (sport, sub_sport).
	FIT uint8 `json:"fit_sport"`
	Sub uint8 `json:"fit_sub_sport"`
	// Family groups Garmin's activity types for matching ("running" also
	// covers "treadmill_running"): running, cycling, walking, hiking,
	// swimming, fitness, training, mind or other.
	Family string `json:"family"`
	// Known is false for a type no table names: it goes up as generic and
	// is listed.
	Known bool `json:"known"`
}

// The FIT sport/sub_sport pairs are those Garmin devices themselves write
// (Gadgetbridge GarminSport.java, from a Venu 3; garmin-api.md "Sport /
// sub_sport"); eshirvana's mapping showed the right sport on a real account
// for one file per sport. The Fitbit ids are the ones seen in real exports
// (fitbit-formats.md §5 "activityTypeId"), plus eshirvana's four (Hike,
// Tennis, Warm It Up, CrossFit).
var (
	sportRunning   = Sport{Name: "running", FIT: 1, Sub: 0, Family: "running", Known: true}
	sportTreadmill = Sport{Name: "treadmill running", FIT: 1, Sub: 1, Family: "running", Known: true}
	sportCycling   = Sport{Name: "cycling", FIT: 2, Sub: 0, Family: "cycling", Known: true}
	sportIndoorCyc = Sport{Name: "indoor cycling", FIT: 2, Sub: 6, Family: "cycling", Known: true}
	sportWalking   = Sport{Name: "walking", FIT: 11, Sub: 0, Family: "walking", Known: true}
	sportHiking    = Sport{Name: "hiking", FIT: 17, Sub: 0, Family: "hiking", Known: true}
	sportPoolSwim  = Sport{Name: "pool swimming", FIT: 5, Sub: 17, Family: "swimming", Known: true}
	sportElliptic  = Sport{Name: "elliptical", FIT: 4, Sub: 15, Family: "fitness", Known: true}
	sportStrength  = Sport{Name: "strength training", FIT: 10, Sub: 20, Family: "training", Known: true}
	sportCardio    = Sport{Name: "cardio", FIT: 10, Sub: 26, Family: "training", Known: true}
	sportYoga      = Sport{Name: "yoga", FIT: 10, Sub: 43, Family: "training", Known: true}
	sportHIIT      = Sport{Name: "HIIT", FIT: 62, Sub: 0, Family: "training", Known: true}
	sportTennis    = Sport{Name: "tennis", FIT: 8, Sub: 0, Family: "other", Known: true}
	sportBoxing    = Sport{Name: "boxing", FIT: 47, Sub: 0, Family: "training", Known: true}
	sportMMA       = Sport{Name: "mixed martial arts", FIT: 80, Sub: 0, Family: "training", Known: true}
	sportMeditate  = Sport{Name: "meditation", FIT: 67, Sub: 0, Family: "mind", Known: true}
	sportGeneric   = Sport{Name: "generic", FIT: 0, Sub: 0, Family: "other"}
)

// SportOf maps a Fitbit activity type to its Garmin sport: by id first,
// then by name; an unknown type is generic (Known false).
func SportOf(typeID int64, name string) Sport {
	switch typeID {
	case 90009: // Run
		return sportRunning
	case 20049: // Treadmill
		return sportTreadmill
	case 90001, 1071: // Bike, Outdoor Bike
		return sportCycling
	case 55001: // Spinning
		return sportIndoorCyc
	case 90013: // Walk
		return sportWalking
	case 90012: // Hike
		return sportHiking
	case 90024: // Swim (pool: the logs carry swimLengths)
		return sportPoolSwim
	case 20047: // Elliptical
		return sportElliptic
	case 2131, 91044, 91046, 3101, 91045: // Weights, Powerlifting, Core training, 10 Minute Abs, CrossFit
		return sportStrength
	case 3000, 3001, 91047, 3102: // Workout, Aerobic Workout, Aerobics, Warm It Up
		return sportCardio
	case 20057: // Interval Workout
		return sportHIIT
	case 55002: // Kickboxing
		return sportBoxing
	case 15430: // Martial Arts
		return sportMMA
	case 15675: // Tennis
		return sportTennis
	case 7075: // Meditating
		return sportMeditate
	}
	return sportByName(name)
}

// sportByName is the fall-back on the type's name (either spelling: the
// JSON's "Run", the CSV's "Outdoor Run").
func sportByName(name string) Sport {
	n := strings.ToLower(name)
	for _, m := range []struct {
		words []string
		sport Sport
	}{
		{[]string{"treadmill"}, sportTreadmill},
		{[]string{"run", "jog"}, sportRunning},
		{[]string{"spinning", "indoor bike", "stationary"}, sportIndoorCyc},
		{[]string{"bike", "cycl", "biking"}, sportCycling},
		{[]string{"hike", "hiking"}, sportHiking},
		{[]string{"walk"}, sportWalking},
		{[]string{"swim"}, sportPoolSwim},
		{[]string{"elliptical"}, sportElliptic},
		{[]string{"yoga", "pilates"}, sportYoga},
		{[]string{"weight", "strength", "lifting", "core"}, sportStrength},
		{[]string{"interval", "hiit"}, sportHIIT},
		{[]string{"tennis"}, sportTennis},
		{[]string{"box"}, sportBoxing},
		{[]string{"martial"}, sportMMA},
		{[]string{"meditat", "breath"}, sportMeditate},
		{[]string{"workout", "aerobic", "cardio"}, sportCardio},
	} {
		for _, w := range m.words {
			if strings.Contains(n, w) {
				return m.sport
			}
		}
	}
	return sportGeneric
}

// FamilyOfType is the family of a Garmin activity type key
// ("treadmill_running" → running), for matching an activity Garmin holds
// with a planned one. Garmin's keys are not published as a list; these
// are the words its keys carry (garmin-api.md "Find": typeKey "running").
func FamilyOfType(typeKey string) string {
	k := strings.ToLower(typeKey)
	for _, m := range []struct{ word, family string }{
		{"running", "running"}, {"cycling", "cycling"}, {"biking", "cycling"}, {"walking", "walking"},
		{"hiking", "hiking"}, {"swimming", "swimming"}, {"elliptical", "fitness"}, {"stair", "fitness"},
		{"fitness_equipment", "fitness"}, {"strength", "training"}, {"cardio", "training"}, {"yoga", "training"},
		{"hiit", "training"}, {"boxing", "training"}, {"martial", "training"}, {"training", "training"},
		{"meditation", "mind"}, {"breathwork", "mind"},
	} {
		if strings.Contains(k, m.word) {
			return m.family
		}
	}
	return "other"
}

// sameFamily reports whether two families may be the same exercise: equal,
// or either is "other" (a generic upload, or a type this table lacks).
func sameFamily(a, b string) bool {
	return a == b || a == "other" || b == "other"
}
