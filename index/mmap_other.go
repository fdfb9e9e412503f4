//go:build !unix

package index

import (
	"fmt"
	"os"

	"github.com/reportbot/reportbot/corpus"
)

// readUnitFile reads the whole file: where mapping is not available, the
// text of the reports is held in memory.
func readUnitFile(path string) (front, long string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	n, err := corpus.FrontLen(string(data))
	if err != nil {
		return "", "", err
	}
	if n > len(data) {
		return "", "", fmt.Errorf("%w: %s truncated", corpus.ErrCorrupt, path)
	}
	return string(data[:n]), string(data[n:]), nil
}
