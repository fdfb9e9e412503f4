//go:build unix

package index

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"unsafe"

	"github.com/reportbot/reportbot/corpus"
)

// readUnitFile reads the front of an encoded unit (the numbers and short
// strings that decoding reads) into memory and maps the rest, the long
// strings, read-only for the life of the process: the text of a report
// takes memory only when a question or an answer reads it. Unit files are
// never written again once made (a changed report gets a file of another
// name, put in place by rename), and one removed stays mapped until the
// process ends, so the strings stay valid for anything still holding them.
func readUnitFile(path string) (front, long string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", "", err
	}
	size := info.Size()
	prefix := make([]byte, min(size, 32))
	if _, err := io.ReadFull(f, prefix); err != nil {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	n, err := corpus.FrontLen(string(prefix))
	if err != nil {
		return "", "", err
	}
	if int64(n) > size {
		return "", "", fmt.Errorf("%w: %s truncated", corpus.ErrCorrupt, path)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	front = unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	if int64(n) == size {
		return front, "", nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return "", "", fmt.Errorf("map %s: %w", path, err)
	}
	return front, unsafe.String(&data[n], len(data)-n), nil
}
