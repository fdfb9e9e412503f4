//go:build !unix

package index

import "os"

// mapFile reads the file: where mapping is not available, the text of the
// reports is held in memory.
func mapFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	return string(data), err
}
