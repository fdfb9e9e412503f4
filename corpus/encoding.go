package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Errors Parse wraps with the file name ("corpus: a.txt: binary file, not a
// report"); test for them with errors.Is.
var (
	ErrEmpty    = errors.New("no report text")
	ErrBinary   = errors.New("binary file, not a report")
	ErrEncoding = errors.New("unknown text encoding (want UTF-8, GB18030/GBK or UTF-16 with BOM)")
	ErrTooLarge = fmt.Errorf("file too large for a report (the limit is %d MiB)", MaxSize>>20)
)

// MaxSize is the largest file Parse accepts. Work reports are tens of
// kilobytes; anything this big is not one, and refusing it keeps a stray
// file in a corpus folder from eating memory.
const MaxSize = 16 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decode returns data as UTF-8 text. Government files are often GBK, so
// invalid UTF-8 is retried as GB18030 (a superset of GBK and GB2312) and
// accepted only when the result looks like text.
func decode(data []byte) (string, error) {
	if len(data) > MaxSize {
		return "", ErrTooLarge
	}
	if len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
		// ExpectBOM lets the BOM pick the byte order.
		out, err := xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil || !plausible(out) {
			return "", ErrEncoding
		}
		return string(bytes.TrimPrefix(out, utf8BOM)), nil
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if isBinary(data) {
		return "", ErrBinary
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !plausible(out) {
		return "", ErrEncoding
	}
	return string(out), nil
}

// isBinary reports NUL bytes or more than 1% control bytes. Neither GBK nor
// UTF-8 text ever uses bytes below 0x20 other than layout whitespace.
func isBinary(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return true
	}
	ctrl := 0
	for _, b := range data {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' || b == 0x7F {
			ctrl++
		}
	}
	return ctrl*100 > len(data)
}

// plausible reports whether decoded text is text: no replacement or control
// characters, and at least 95% ASCII, CJK or CJK punctuation. Decoding
// arbitrary bytes as GB18030 "succeeds" with rare characters; this catches it.
func plausible(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	good, total := 0, 0
	for _, r := range string(b) {
		total++
		switch {
		case r == utf8.RuneError:
			return false
		case unicode.IsControl(r) && !unicode.IsSpace(r):
			return false
		case r < 0x80,
			unicode.Is(unicode.Han, r),
			r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
			r >= 0xFF00 && r <= 0xFFEF, // full-width forms
			r >= 0x2000 && r <= 0x206F, // general punctuation: “” — …
			r == 0xFEFF:
			good++
		}
	}
	return good*100 >= total*95
}
