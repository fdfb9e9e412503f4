package corpus

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	mdATX      = regexp.MustCompile(`^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$`)
	mdSetext   = regexp.MustCompile(`^ {0,3}(=+|-+)\s*$`)
	mdRule     = regexp.MustCompile(`^ {0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$`)
	mdList     = regexp.MustCompile(`^\s*(?:[-*+]|\d{1,9}[.)])\s+`)
	mdQuote    = regexp.MustCompile(`^\s*(?:>\s?)+`)
	mdFence    = regexp.MustCompile("^\\s*(?:```|~~~)")
	mdTableSep = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$`)
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdRefLink  = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	mdStrong   = regexp.MustCompile(`\*\*(.+?)\*\*|__(.+?)__`)
	mdEm       = regexp.MustCompile(`\*([^*\s][^*]*?)\*`)
	mdCode     = regexp.MustCompile("`+([^`]*)`+")
	mdTag      = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	mdRefDef   = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s+\S`)
)

// readMarkdown turns Markdown into blocks: # and setext headings keep their
// level, a paragraph's lines are joined, every list item and table row is a
// block, and inline markup is stripped to its text.
func readMarkdown(text string) document {
	var doc document
	var para []string
	item := false // para is a list item
	flush := func() {
		if len(para) > 0 {
			doc.blocks = append(doc.blocks, block{text: joinLines(para), body: item})
			para, item = nil, false
		}
	}
	fenced := false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if mdFence.MatchString(line) {
			flush()
			fenced = !fenced
			continue
		}
		if fenced {
			doc.blocks = append(doc.blocks, block{text: line})
			continue
		}
		if trimSpace(line) == "" {
			flush()
			continue
		}
		if m := mdATX.FindStringSubmatch(line); m != nil {
			flush()
			doc.blocks = append(doc.blocks, block{text: mdInline(m[2]), level: len(m[1])})
			continue
		}
		if m := mdSetext.FindStringSubmatch(line); m != nil && len(para) == 1 {
			level := 1
			if m[1][0] == '-' {
				level = 2
			}
			doc.blocks = append(doc.blocks, block{text: mdInline(para[0]), level: level})
			para = nil
			continue
		}
		if mdRule.MatchString(line) || mdTableSep.MatchString(line) && strings.Contains(line, "-") || mdRefDef.MatchString(line) {
			flush()
			continue
		}
		line = mdQuote.ReplaceAllString(line, "")
		if loc := mdList.FindStringIndex(line); loc != nil {
			flush()
			para, item = append(para, mdInline(line[loc[1]:])), true
			continue
		}
		if t := trimSpace(line); strings.HasPrefix(t, "|") {
			flush()
			cells := strings.Split(strings.Trim(t, "|"), "|")
			for i := range cells {
				cells[i] = trimSpace(mdInline(cells[i]))
			}
			doc.blocks = append(doc.blocks, block{text: strings.Join(cells, " "), body: true})
			continue
		}
		para = append(para, mdInline(line))
	}
	flush()
	return doc
}

// mdInline strips inline Markdown: links and images keep their text,
// emphasis and code marks go, HTML tags go.
func mdInline(s string) string {
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLink.ReplaceAllString(s, "$1")
	s = mdCode.ReplaceAllString(s, "$1")
	s = mdStrong.ReplaceAllString(s, "$1$2")
	s = mdEm.ReplaceAllString(s, "$1")
	s = mdTag.ReplaceAllString(s, "")
	s = strings.NewReplacer(`\*`, "*", `\_`, "_", `\#`, "#", `\[`, "[", `\]`, "]", `\\`, `\`).Replace(s)
	return trimSpace(s)
}

// joinLines joins wrapped lines of one paragraph: Chinese text wraps without
// a space, Latin text with one.
func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		l = trimSpace(l)
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(l)
			if last < 0x80 && first < 0x80 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
