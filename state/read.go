package state

import (
	"context"
	"fmt"
	"os"
)

// Read returns the events of the journal at path without taking its lock or
// changing the file: for `status` and `verify`, which may look while an
// import runs. A torn last line is ignored, as Open would.
func Read(ctx context.Context, path string) ([]Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	events, _, err := parse(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	return events, nil
}
