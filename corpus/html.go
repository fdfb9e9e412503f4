package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Elements whose content is never report text.
var htmlSkip = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Nav: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Noscript: true, atom.Template: true, atom.Iframe: true, atom.Svg: true,
	atom.Form: true, atom.Select: true, atom.Button: true, atom.Object: true,
}

// Elements that end a line.
var htmlBlock = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Tr: true, atom.Table: true, atom.Section: true,
	atom.Article: true, atom.Main: true, atom.Blockquote: true, atom.Pre: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Center: true, atom.Figure: true, atom.Figcaption: true,
	atom.Address: true, atom.Hr: true, atom.Caption: true, atom.Body: true,
}

var htmlHeading = map[atom.Atom]int{atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4}

// Class or id words of site chrome (class="footer", id="share-box").
var chromeWords = map[string]bool{
	"nav": true, "navbar": true, "footer": true, "breadcrumb": true, "breadcrumbs": true, "share": true,
	"sidebar": true, "menu": true, "copyright": true, "crumb": true, "topbar": true,
}

// readHTML turns HTML into blocks. Site chrome (script, style, nav, header,
// footer, aside and elements classed like them) is dropped; block elements
// end lines; h1-h4 become headings. The first <h1> is the title, else the
// <title> without its site suffix.
func readHTML(text string) document {
	root, err := html.Parse(strings.NewReader(text))
	if err != nil { // html.Parse only fails on reader errors
		return readText(text)
	}
	w := &htmlWalker{}
	w.walk(root)
	w.flush()

	var doc document
	for i, b := range w.blocks {
		if b.level == 1 {
			doc.title = b.text
			doc.blocks = append(append(doc.blocks, w.blocks[:i]...), w.blocks[i+1:]...)
			return doc
		}
	}
	doc.blocks = w.blocks
	if w.title == "" {
		return doc
	}
	// The headline is often a styled <div>; the <title> repeats it with the
	// site name. Prefer the body line the <title> contains.
	for i := 0; i < len(doc.blocks) && i < 3; i++ {
		if t := squash(doc.blocks[i].text); runeLen(t) >= 4 && strings.Contains(squash(w.title), t) {
			doc.title = doc.blocks[i].text
			doc.blocks = append(doc.blocks[:i:i], doc.blocks[i+1:]...)
			return doc
		}
	}
	doc.title = stripSiteName(w.title)
	for i := 0; i < len(doc.blocks) && i < 3; i++ {
		if squash(doc.blocks[i].text) == squash(doc.title) {
			doc.blocks = append(doc.blocks[:i:i], doc.blocks[i+1:]...)
			break
		}
	}
	return doc
}

// stripSiteName keeps the longest part of "标题 - 站点" / "标题_站点" / "标题|站点".
func stripSiteName(title string) string {
	parts := strings.FieldsFunc(title, func(r rune) bool { return r == '_' || r == '|' || r == '｜' })
	var out []string
	for _, p := range parts {
		out = append(out, strings.Split(p, " - ")...)
	}
	best := ""
	for _, p := range out {
		if p = trimSpace(p); runeLen(p) > runeLen(best) {
			best = p
		}
	}
	return best
}

type htmlWalker struct {
	blocks  []block
	title   string
	line    strings.Builder
	level   int  // heading level of the line being built
	body    bool // the line is a list item or table row
	space   bool // white space pending before the next text
	newline bool // the pending white space held a line break
	pre     int  // depth inside <pre>
}

func (w *htmlWalker) flush() {
	if t := trimSpace(w.line.String()); t != "" {
		w.blocks = append(w.blocks, block{text: t, level: w.level, body: w.body && w.level == 0})
	}
	w.line.Reset()
	w.level, w.body, w.space, w.newline = 0, false, false, false
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if n.DataAtom == atom.Title && w.title == "" {
			w.title = trimSpace(textOf(n))
			return
		}
		if htmlSkip[n.DataAtom] || isChrome(n) {
			return
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	block := n.Type == html.ElementNode && htmlBlock[n.DataAtom]
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		w.space = true // a table row is one line, its cells spaced
	}
	lvl, isHeading := htmlHeading[n.DataAtom]
	isHeading = isHeading && n.Type == html.ElementNode
	if block {
		w.flush()
	}
	if isHeading {
		w.level = lvl
	}
	if n.DataAtom == atom.Li || n.DataAtom == atom.Tr {
		w.body = true
	}
	if n.DataAtom == atom.Pre {
		w.pre++
		defer func() { w.pre-- }()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if isHeading {
		w.level = lvl
	}
	if n.DataAtom == atom.Li || n.DataAtom == atom.Tr {
		w.body = true
	}
	if block {
		w.flush()
	}
}

// text appends character data, collapsing white space. A line break between
// two Chinese characters is dropped (HTML sources wrap Chinese text), other
// white space becomes one space (强堡垒 增强… keeps its space).
func (w *htmlWalker) text(s string) {
	for _, r := range s {
		if w.pre > 0 && r == '\n' {
			w.flush()
			continue
		}
		if isSpace(r) {
			w.space = true
			w.newline = w.newline || r == '\n' || r == '\r'
			continue
		}
		if w.space && w.line.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(w.line.String())
			if !(w.newline && last >= 0x80 && r >= 0x80) {
				w.line.WriteByte(' ')
			}
		}
		w.space, w.newline = false, false
		w.line.WriteRune(r)
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func isChrome(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(a.Val), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if chromeWords[w] {
				return true
			}
		}
	}
	return false
}
