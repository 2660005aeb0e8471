package fitbit

import (
	"archive/zip"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// kind is what a file of an export holds, decided from its name (or, for a
// loose .csv outside a Takeout tree, from its first line).
type kind int

const (
	kindOther        kind = iota
	kindDataExport        // fitbit.com Data Export CSV (sectioned)
	kindHydration         // Takeout Physical Activity_GoogleData/hydration_log*.csv
	kindGeneric           // date,time,amount,unit
	kindUnknownCSV        // a .csv given by itself whose header is not understood
	kindProfile           // Takeout Your Profile/Profile.csv
	kindReadme            // hydration_log_readme.txt
	kindWeightJSON        // weight-YYYY-MM-DD.json of a Takeout or account archive
	kindWeightCSV         // Takeout Physical Activity_GoogleData/weight*.csv
	kindBodyFatCSV        // Takeout Physical Activity_GoogleData/body_fat*.csv
	kindAppSettings       // Takeout Health Fitness Data_GoogleData/UserAppSettingData.csv
	kindExerciseJSON      // exercise-N.json of a Takeout or account archive
	kindExerciseCSV       // Takeout Health Fitness Data_GoogleData/UserExercises_*.csv
	kindGPS               // Takeout Physical Activity_GoogleData/gps_location_YYYY-MM-DD.csv
	kindTCX               // Takeout Activities/<logId>.tcx
	kindHeartRate         // Takeout Physical Activity_GoogleData/heart_rate_YYYY-MM-DD.csv (opened only when asked)
)

// root is one folder or one zip, seen as an fs.FS so both are read alike.
type root struct {
	fsys   fs.FS
	closer io.Closer
	// file is the path as the user knows it: the folder, or the .zip.
	file  string
	isZip bool
	// single is set when the user named one file: file is that file.
	single bool
}

// file is one relevant file of the export.
type file struct {
	root *root
	// name is the path inside root.fsys.
	name string
	// rel is the path relative to what the user gave (a zip entry, a path
	// inside a folder, a file's base name): the same file has the same rel
	// whether the export is read as a zip or unzipped.
	rel  string
	kind kind
}

func (f file) source() Source {
	if f.root.isZip {
		return Source{File: f.root.file, Entry: f.name}
	}
	if f.root.single {
		return Source{File: f.root.file}
	}
	return Source{File: filepath.Join(f.root.file, filepath.FromSlash(f.name))}
}

func (f file) open() (fs.File, error) { return f.root.fsys.Open(f.name) }

// Export is an opened Fitbit export: one or more folders, zips and CSV
// files read as one. It holds open zip files until Close.
type Export struct {
	roots    []*root
	water    []file
	profiles []file
	// readmes maps the relative folder of a readme to the file, so that a
	// hydration log finds the readme of its folder even in another part of a
	// split Takeout.
	readmes map[string]file
	// weightJSON, weightCSV (weight and body-fat logs) and settings are
	// the files weight is read from, besides the Data Export CSVs in water.
	weightJSON []file
	weightCSV  []file
	settings   []file
	// exerciseJSON and exerciseCSV are the activity lists; gps (by UTC
	// date) and tcx (by logId) their tracks, opened only when a track is
	// asked for (exercise.go, track.go).
	exerciseJSON, exerciseCSV []file
	gps                       map[string]file
	tcx                       map[string]file
	hr                        map[string]file // heart_rate day files by date
	// paths and seen describe what was given and found, for NoWaterError
	// and NoWeightError.
	paths []string
	seen  seenFiles
	wrap  func(fs.FS) fs.FS
}

// Open finds the files of an export. Each path is a folder (read
// recursively; any .zip inside it, such as the parts of a split Takeout, is
// read in place too), a .zip as downloaded, or a single .csv. Files are
// found by name from the folder listing or the zip's central directory: the
// thousands of other files of a Takeout are never opened. Only a .csv outside
// a Takeout tree with no telling name has its first lines read, to tell its
// format; a .csv named by itself is always kept, so that Water can report its
// header if it is no known format. Open fails with an *Error when a path is
// missing or unreadable, a zip is damaged, a folder is empty, or neither a
// water log nor a weight log is found anywhere (errors.Is: fs.ErrNotExist,
// ErrNotZip, ErrEmpty, ErrNoWater and ErrNoWeight together, ErrUnsupported).
// An export with weight but no water opens: HasWater tells, and
// NoWaterError gives the message for a caller that wanted water.
func Open(paths ...string) (*Export, error) {
	return openWith(nil, paths...)
}

// openWith is Open with every folder and zip seen through wrap (tests use it
// to watch which files are opened).
func openWith(wrap func(fs.FS) fs.FS, paths ...string) (*Export, error) {
	if wrap == nil {
		wrap = func(f fs.FS) fs.FS { return f }
	}
	e := &Export{readmes: map[string]file{}, wrap: wrap, paths: slices.Clone(paths)}
	seen := &e.seen
	if len(paths) == 0 {
		return nil, &Error{Found: "no export given", Expected: "a folder, a .zip or a .csv", Err: ErrUnsupported}
	}
	given := map[string]bool{}
	for _, p := range paths {
		// The same path given twice would read its records twice.
		if abs, err := filepath.Abs(p); err == nil {
			if given[abs] {
				continue
			}
			given[abs] = true
		}
		if err := e.add(p, seen); err != nil {
			e.Close()
			return nil, err
		}
	}
	if !e.HasWater() && !e.HasWeight() && !e.HasActivities() {
		e.Close()
		return nil, &Error{
			Source:   Source{File: strings.Join(paths, ", ")},
			Found:    seen.describe("water or weight logs"),
			Expected: expectWater + "; or weight logs: weight-*.json, weight*.csv or body_fat*.csv in a Takeout",
			Hint:     "check that the export includes water or weight (Takeout: Fitbit > Physical Activity; fitbit.com: Food Log, Body)",
			Err:      errors.Join(ErrNoWater, ErrNoWeight),
		}
	}
	bySource := func(a, b file) int { return compareSource(a.source(), b.source()) }
	for _, files := range [][]file{e.water, e.profiles, e.weightJSON, e.weightCSV, e.settings, e.exerciseJSON, e.exerciseCSV} {
		slices.SortStableFunc(files, bySource)
	}
	return e, nil
}

const expectWater = "hydration_log*.csv in a Takeout, fitbit_export_*.csv, or a CSV with header date,time,amount,unit"

// HasWater reports whether the export holds files water is read from.
func (e *Export) HasWater() bool { return len(e.water) > 0 }

// HasWeight reports whether the export holds files weight is read from:
// Takeout weight JSON or CSV, body-fat CSV, or a fitbit.com Data Export CSV
// (whose Body section is only seen when it is read, so such an export counts
// even when the section is empty).
func (e *Export) HasWeight() bool {
	if len(e.weightJSON) > 0 || len(e.weightCSV) > 0 {
		return true
	}
	for _, f := range e.water {
		if f.kind == kindDataExport {
			return true
		}
	}
	return false
}

// NoWaterError returns the *Error (errors.Is ErrNoWater) for a caller that
// wants water from an export that has none, or nil when it has some. Its
// message is the one Open gave before weight was read.
func (e *Export) NoWaterError() error {
	return e.noneError(e.HasWater(), "water logs", expectWater,
		"check that the export includes water (Takeout: Fitbit > Physical Activity; fitbit.com: Food Log)", ErrNoWater)
}

// NoWeightError returns the *Error (errors.Is ErrNoWeight) for a caller that
// wants weight from an export that has none, or nil when it has some.
func (e *Export) NoWeightError() error {
	return e.noneError(e.HasWeight(), "weight logs",
		"weight-*.json, weight*.csv or body_fat*.csv in a Takeout, or fitbit_export_*.csv",
		"check that the export includes weight (Takeout: Fitbit > Body or Personal & Account; fitbit.com: Body)", ErrNoWeight)
}

// noneError is nil when has, else the *Error saying that the export holds
// no files of what (err), with what it holds instead.
func (e *Export) noneError(has bool, what, expected, hint string, err error) error {
	if has {
		return nil
	}
	return &Error{Source: Source{File: strings.Join(e.paths, ", ")}, Found: e.seen.describe(what), Expected: expected, Hint: hint, Err: err}
}

func compareSource(a, b Source) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Entry, b.Entry), cmp.Compare(a.Line, b.Line))
}

// Close releases the open zip files.
func (e *Export) Close() error {
	var errs []error
	for _, r := range e.roots {
		if r.closer != nil {
			errs = append(errs, r.closer.Close())
		}
	}
	e.roots = nil
	return errors.Join(errs...)
}

// WaterFiles lists the files water is read from, in the order Water reads them.
func (e *Export) WaterFiles() []Source {
	out := make([]Source, len(e.water))
	for i, f := range e.water {
		out[i] = f.source()
	}
	return out
}

const expectExport = "a Fitbit export: a folder, a .zip as downloaded, or a .csv"

func (e *Export) add(p string, seen *seenFiles) error {
	st, err := os.Stat(p)
	if err != nil {
		found := "cannot be read"
		if errors.Is(err, fs.ErrNotExist) {
			found = "no such file or folder"
		}
		return &Error{Source: Source{File: p}, Found: found, Expected: expectExport, Err: err}
	}
	switch {
	case st.IsDir():
		return e.addDir(p, seen)
	case strings.EqualFold(filepath.Ext(p), ".zip"):
		return e.addZip(p, seen)
	case strings.EqualFold(filepath.Ext(p), ".json") && classify(filepath.Base(p), true) != kindWeightJSON &&
		classify(filepath.Base(p), true) != kindExerciseJSON:
		return &Error{Source: Source{File: p}, Found: "a .json that is not a Takeout weight or exercise file",
			Expected: "weight-YYYY-MM-DD.json, exercise-N.json, or " + expectExport, Err: ErrUnsupported}
	case strings.EqualFold(filepath.Ext(p), ".csv"), strings.EqualFold(filepath.Ext(p), ".json"):
		dir, base := filepath.Split(p)
		if dir == "" {
			dir = "."
		}
		r := &root{fsys: e.wrap(os.DirFS(dir)), file: p, single: true}
		e.roots = append(e.roots, r)
		f := file{root: r, name: base, rel: base, kind: classify(base, true)}
		if f.kind == kindOther {
			f.kind = sniffKind(f, true)
		}
		e.addFile(f, seen)
		return nil
	default:
		return &Error{Source: Source{File: p}, Found: "not a folder, .zip, .csv or weight-*.json", Expected: expectExport, Err: ErrUnsupported}
	}
}

func (e *Export) addDir(dir string, seen *seenFiles) error {
	r := &root{fsys: e.wrap(os.DirFS(dir)), file: dir}
	e.roots = append(e.roots, r)
	n := 0
	err := fs.WalkDir(r.fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		n++
		if strings.EqualFold(path.Ext(name), ".zip") {
			return e.addZip(filepath.Join(dir, filepath.FromSlash(name)), seen)
		}
		// Files at the top of the folder given were chosen by the user:
		// known by their names like a file given by itself.
		e.addFile(file{root: r, name: name, rel: name, kind: classify(name, path.Dir(name) == ".")}, seen)
		return nil
	})
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return err
		}
		return &Error{Source: Source{File: dir}, Found: "cannot list the folder", Expected: expectExport, Err: err}
	}
	if n == 0 {
		return &Error{Source: Source{File: dir}, Found: "the folder is empty", Expected: expectExport, Err: ErrEmpty}
	}
	return nil
}

func (e *Export) addZip(p string, seen *seenFiles) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return zipOpenError(p, err)
	}
	r := &root{fsys: e.wrap(zr), closer: zr, file: p, isZip: true}
	e.roots = append(e.roots, r)
	for _, zf := range zr.File {
		name := zf.Name
		if strings.HasSuffix(name, "/") || !fs.ValidPath(name) || zf.FileInfo().IsDir() {
			continue
		}
		e.addFile(file{root: r, name: name, rel: name, kind: classify(name, false)}, seen)
	}
	return nil
}

// addFile records a file in its list; loose CSVs outside a Takeout tree are
// sniffed by their first line.
func (e *Export) addFile(f file, seen *seenFiles) {
	if f.kind == kindOther && looseCSV(f.name) {
		f.kind = sniffKind(f, false)
	}
	seen.add(f.name, f.kind)
	switch f.kind {
	case kindDataExport, kindHydration, kindGeneric, kindUnknownCSV:
		e.water = append(e.water, f)
	case kindProfile:
		e.profiles = append(e.profiles, f)
	case kindWeightJSON:
		e.weightJSON = append(e.weightJSON, f)
	case kindWeightCSV, kindBodyFatCSV:
		e.weightCSV = append(e.weightCSV, f)
	case kindAppSettings:
		e.settings = append(e.settings, f)
	case kindExerciseJSON:
		e.exerciseJSON = append(e.exerciseJSON, f)
	case kindExerciseCSV:
		e.exerciseCSV = append(e.exerciseCSV, f)
	case kindGPS, kindTCX, kindHeartRate:
		e.addTrackFile(f)
	case kindReadme:
		dir := path.Dir(f.rel)
		if _, dup := e.readmes[dir]; !dup {
			e.readmes[dir] = f
		}
	}
}

// classify decides a file's kind from its name alone.
func classify(name string, given bool) kind {
	base := strings.ToLower(path.Base(name))
	dir := strings.ToLower(path.Base(path.Dir(name)))
	switch {
	case strings.HasPrefix(base, "__macosx") || strings.HasPrefix(base, "._") || strings.Contains(name, "__MACOSX/"):
		return kindOther
	case base == "hydration_log_readme.txt" || (strings.HasPrefix(base, "hydration_log") && strings.HasSuffix(base, ".txt") && strings.Contains(base, "readme")):
		return kindReadme
	case strings.HasPrefix(base, "hydration_log") && strings.HasSuffix(base, ".csv"):
		return kindHydration
	case strings.HasPrefix(base, "fitbit_export") && strings.HasSuffix(base, ".csv"):
		return kindDataExport
	case base == "profile.csv" && (dir == "your profile" || given):
		return kindProfile
	case strings.HasPrefix(base, "weight") && strings.HasSuffix(base, ".json") &&
		(dir == "global export data" || dir == "personal & account" || dir == "user-site-export"):
		return kindWeightJSON
	case strings.HasPrefix(base, "weight-") && strings.HasSuffix(base, ".json") && given:
		// A Takeout weight file given by itself, or lying at the top of a
		// folder given: known by its name, like a loose .csv.
		return kindWeightJSON
	case strings.HasPrefix(base, "weight") && strings.HasSuffix(base, ".csv") && (dir == "physical activity_googledata" || given):
		return kindWeightCSV
	case strings.HasPrefix(base, "body_fat") && strings.HasSuffix(base, ".csv") && (dir == "physical activity_googledata" || given):
		return kindBodyFatCSV
	case base == "userappsettingdata.csv" && strings.HasSuffix(dir, "_googledata"):
		return kindAppSettings
	}
	return classifyExercise(base, dir, given)
}

// classifyExercise knows the files of the exercise history by name
// (fitbit-formats.md §5 "Where the files are").
func classifyExercise(base, dir string, given bool) kind {
	switch {
	case strings.HasPrefix(base, "exercise-") && strings.HasSuffix(base, ".json") &&
		(dir == "global export data" || dir == "user-site-export" || dir == "physical activity" || given):
		return kindExerciseJSON
	case strings.HasPrefix(base, "userexercises_") && strings.HasSuffix(base, ".csv") && (strings.HasSuffix(dir, "_googledata") || given):
		return kindExerciseCSV
	case strings.HasPrefix(base, "gps_location_") && strings.HasSuffix(base, ".csv") && !strings.Contains(base, "readme"):
		return kindGPS
	case strings.HasSuffix(base, ".tcx") && (dir == "activities" || given):
		return kindTCX
	case strings.HasPrefix(base, "heart_rate_") && strings.HasSuffix(base, ".csv") && dir == "physical activity_googledata":
		return kindHeartRate
	}
	return kindOther
}

// looseCSV reports whether a .csv that classify did not recognise should be
// sniffed: one that is not inside a Takeout or account-archive tree, where
// thousands of per-day files live and are known by name.
func looseCSV(name string) bool {
	if !strings.EqualFold(path.Ext(name), ".csv") {
		return false
	}
	for _, part := range strings.Split(path.Dir(name), "/") {
		p := strings.ToLower(part)
		if p == "takeout" || p == "myfitbitdata" || p == "__macosx" || strings.HasSuffix(p, "_googledata") {
			return false
		}
	}
	return true
}

// sniffKind reads the first lines of a CSV to tell a Data Export from a
// generic or Takeout-style water log. given is true for a .csv the user named
// directly: an unrecognised one is then kept, to report its header.
func sniffKind(f file, given bool) kind {
	unknown := kindOther
	if given {
		unknown = kindUnknownCSV
	}
	rc, err := f.open()
	if err != nil {
		return unknown
	}
	defer rc.Close()
	lr := newLineReader(io.LimitReader(rc, 64<<10))
	var first, second string
	for first == "" {
		if first, err = lr.next(); err != nil {
			return unknown
		}
		first = strings.TrimSpace(first)
	}
	second, _ = lr.next()
	h := splitCSVLine(first)
	if len(h) == 1 && len(splitCSVLine(second)) > 1 {
		return kindDataExport
	}
	if _, ok := genericColumns(h); ok == nil {
		return kindGeneric
	}
	if _, ok := hydrationColumns(h); ok == nil {
		return kindHydration
	}
	if c, ok := weightColumns(h); ok == nil {
		if c.weight >= 0 {
			return kindWeightCSV
		}
		return kindBodyFatCSV
	}
	return unknown
}

// seenFiles counts the files looked at, by extension, for the message
// given when no water or weight log is found.
type seenFiles struct {
	n     int
	byExt map[string]int
}

func (s *seenFiles) add(name string, _ kind) {
	s.n++
	if s.byExt == nil {
		s.byExt = map[string]int{}
	}
	ext := strings.ToLower(path.Ext(name))
	if ext == "" {
		ext = "no extension"
	}
	s.byExt[ext]++
}

// describe says how many files were seen, ending "none of them <what>".
func (s *seenFiles) describe(what string) string {
	if s.n == 0 {
		return "found no files"
	}
	exts := make([]string, 0, len(s.byExt))
	for ext := range s.byExt {
		exts = append(exts, ext)
	}
	sort.Slice(exts, func(i, j int) bool {
		a, b := s.byExt[exts[i]], s.byExt[exts[j]]
		return a > b || (a == b && exts[i] < exts[j])
	})
	parts := make([]string, 0, len(exts))
	for i, ext := range exts {
		if i == 5 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%d %s", s.byExt[ext], ext))
	}
	files := "files"
	if s.n == 1 {
		files = "file"
	}
	return fmt.Sprintf("found %d %s (%s), none of them %s", s.n, files, strings.Join(parts, ", "), what)
}
