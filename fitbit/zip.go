package fitbit

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// zipOpenError turns archive/zip's terse "zip: not a valid zip file" into a
// message that says what is wrong with the download and what to do.
func zipOpenError(p string, err error) error {
	found := fmt.Sprintf("not a readable .zip (truncated download?): %v", err)
	hint := "download it again, or unzip it and give the folder"
	if head, ok := readHead(p, 512); ok {
		switch {
		case len(head) == 0:
			found = "not a readable .zip: the file is empty (interrupted download?)"
		case bytes.HasPrefix(head, []byte("PK\x03\x04")):
			found = fmt.Sprintf("not a readable .zip: it starts like one but its end is missing or damaged (truncated download?): %v", err)
		case bytes.Contains(bytes.ToLower(head), []byte("<html")) || bytes.Contains(bytes.ToLower(head), []byte("<!doctype")):
			found = "not a .zip but a web page (a login or error page saved instead of the archive?)"
		default:
			found = fmt.Sprintf("not a .zip file (it does not start with the zip signature PK): %v", err)
		}
	}
	return &Error{
		Source:   Source{File: p},
		Found:    found,
		Expected: "a .zip as downloaded from Google Takeout or fitbit.com",
		Hint:     hint,
		Err:      fmt.Errorf("%w: %w", ErrNotZip, err),
	}
}

func readHead(p string, n int64) ([]byte, bool) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n))
	return b, err == nil
}
