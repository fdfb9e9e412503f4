//go:build unix

package index

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// mapFile maps a file read-only for the life of the process and returns
// its content as a string. Unit files are never written again once made
// (a changed report gets a file of another name, put in place by rename),
// and a removed one stays mapped until the process ends, so the strings
// stay valid for anything still holding them.
func mapFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", err
	}
	if info.Size() == 0 {
		return "", fmt.Errorf("%s: empty", path)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(info.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return "", fmt.Errorf("map %s: %w", path, err)
	}
	return unsafe.String(&data[0], len(data)), nil
}
