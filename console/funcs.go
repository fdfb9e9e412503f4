package console

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"regexp"
	"strings"
)

var funcs = template.FuncMap{
	"wecom": wecomHTML,
	// rows is what the "targets" table needs: a day's targets and the
	// session's CSRF token for its send forms.
	"rows": func(d dayView, csrf string) any {
		return struct {
			Date, CSRF string
			Targets    []targetView
		}{d.Date, csrf, d.Targets}
	},
	"firstLines": func(s string, n int) string {
		lines := strings.SplitN(s, "\n", n+1)
		if len(lines) > n {
			lines = append(lines[:n], "…")
		}
		return strings.Join(lines, "\n")
	},
}

func contentHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

var (
	fontTag = regexp.MustCompile(`<font color="(info|comment|warning)">(.*?)</font>`)
	bold    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	heading = regexp.MustCompile(`^#{1,6}\s+`)
)

// wecomHTML shows 企业微信 Markdown roughly as the 企业微信 client does:
// headings, bold, quotes and the three font colours; everything else is
// text, escaped.
func wecomHTML(md string) template.HTML {
	var b strings.Builder
	for _, line := range strings.Split(md, "\n") {
		quote := strings.HasPrefix(line, "> ")
		line = strings.TrimPrefix(line, "> ")
		head := heading.MatchString(line)
		line = heading.ReplaceAllString(line, "")
		var inner strings.Builder
		last := 0
		for _, m := range fontTag.FindAllStringSubmatchIndex(line, -1) {
			inner.WriteString(inline(line[last:m[0]]))
			inner.WriteString(`<span class="wc-` + line[m[2]:m[3]] + `">` + inline(line[m[4]:m[5]]) + `</span>`)
			last = m[1]
		}
		inner.WriteString(inline(line[last:]))
		switch {
		case quote:
			b.WriteString(`<div class="wc-quote">` + inner.String() + `</div>`)
		case head:
			b.WriteString(`<div class="wc-head">` + inner.String() + `</div>`)
		case line == "":
			b.WriteString(`<div class="wc-gap"></div>`)
		default:
			b.WriteString(`<div>` + inner.String() + `</div>`)
		}
	}
	return template.HTML(b.String())
}

// inline escapes s and turns **bold** into <b>.
func inline(s string) string {
	return bold.ReplaceAllString(template.HTMLEscapeString(s), "<b>$1</b>")
}
