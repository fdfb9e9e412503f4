package card

import (
	"strings"
	"unicode"
)

// Chinese line-breaking rules (禁则): these never start a line, and these
// never end one. A closing mark that does not fit hangs past the margin
// rather than start the next line alone.
const (
	noLineStart = "，。、；：！？）》」』】〕’”…·%％,.;:!?)]}>"
	noLineEnd   = "（《「『【〔‘“([{<"
)

// wrap breaks text into lines no wider than width. Chinese breaks between
// any two characters (CJK text has no spaces to break at), except before a
// closing mark or after an opening one; a run of Latin letters and digits
// (5G, 200, 335+X) stays whole unless it alone is wider than a line.
// Newlines in text start new lines.
func wrap(f *face, text string, width int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapParagraph(f, para, width)...)
	}
	return lines
}

func wrapParagraph(f *face, para string, width int) []string {
	para = strings.TrimRight(para, " \t")
	if para == "" {
		return []string{""}
	}
	var lines []string
	var cur []rune
	curW := 0
	for _, tok := range tokens(para) {
		w := f.width(string(tok))
		switch {
		case curW+w <= width || len(cur) == 0:
		case len(tok) == 1 && strings.ContainsRune(noLineStart, tok[0]):
			// Hang the closing mark.
		default:
			// Carry an opening mark at the end of the line over.
			carry := 0
			for carry < len(cur)-1 && strings.ContainsRune(noLineEnd, cur[len(cur)-1-carry]) {
				carry++
			}
			lines = append(lines, strings.TrimRight(string(cur[:len(cur)-carry]), " "))
			cur = append([]rune(nil), cur[len(cur)-carry:]...)
			if len(cur) == 0 && tok[0] == ' ' {
				curW = 0
				continue // no space at the start of a line
			}
			curW = f.width(string(cur))
		}
		if w > width && len(cur) == 0 && len(tok) > 1 {
			// A Latin run wider than a line: break it by characters.
			for _, r := range tok {
				rw := f.width(string(r))
				if curW+rw > width && len(cur) > 0 {
					lines = append(lines, string(cur))
					cur, curW = nil, 0
				}
				cur = append(cur, r)
				curW += rw
			}
			continue
		}
		cur = append(cur, tok...)
		curW += w
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// tokens cuts a paragraph into unbreakable pieces: runs of Latin letters,
// digits and the marks inside numbers (3.5, 1,000, 335+X), and single
// other characters.
func tokens(s string) [][]rune {
	var out [][]rune
	var run []rune
	flush := func() {
		if len(run) > 0 {
			out = append(out, run)
			run = nil
		}
	}
	for _, r := range s {
		latin := r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".+-_/%", r) && len(run) > 0)
		if latin {
			run = append(run, r)
			continue
		}
		flush()
		out = append(out, []rune{r})
	}
	flush()
	return out
}
