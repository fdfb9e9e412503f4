package corpus

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

//go:embed data/t2s.txt
var t2sData string

// t2s maps traditional characters to simplified ones. Reports and questions
// are folded the same way, so 經濟 finds 经济 and the other way round.
var t2s = func() map[rune]rune {
	m := make(map[rune]rune, 3000)
	for _, line := range strings.Split(t2sData, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		t, n := utf8.DecodeRuneInString(line)
		s, _ := utf8.DecodeRuneInString(line[n:])
		m[t] = s
	}
	return m
}()

// Fold normalises text for matching: full-width ASCII to half-width, the
// ideographic space to a space, ASCII to lower case and traditional
// characters to simplified ones. It keeps one rune for one rune, so offsets
// in runes are preserved.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000 || r == 0x00A0:
		return ' '
	case r < 0x3400:
		return r
	}
	if s, ok := t2s[r]; ok {
		return s
	}
	return r
}
