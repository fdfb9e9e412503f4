package digest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

// MaxChars is the most characters (runes) a generated WeChat digest holds,
// head and hint included: one chat message, readable on a phone.
const MaxChars = 600

// maxBodyChars bounds what one item packs at build time, leaving room for
// the head, place, figures, source and hint lines.
const maxBodyChars = MaxChars - 200

// ErrNoDigest means there is no digest for the day: before start_date,
// after the last item with after_last = "stop", no reports, or an empty
// override file. The wrapping error says which.
var ErrNoDigest = errors.New("no digest")

// Digest is one day's digest in both forms.
type Digest struct {
	Day   string // YYYY-MM-DD
	Issue int    // the N of 第N期: days since start_date + 1
	// Item is the index of the item in the walk (0-based), -1 for an
	// override file.
	Item int
	// Text is the plain-text form, for WeChat groups.
	Text string
	// Markdown is the form for 企业微信 robots.
	Markdown string
	// Override is the path of the override file used, "" when generated.
	Override string
}

// item is one day's worth of a report: the headline targets, or one
// key-work item paragraph.
type item struct {
	report *corpus.Report
	// place says where in the report the item stands, as the chat answers
	// cite it (corpus.Paragraph.Place): 引领力 › 全面加强政治建设, or
	// 展望2022年 › 目标与数字 for the headline targets.
	place string
	// bullets: each part on its own line under its group (headline
	// targets); otherwise the parts run on as one paragraph.
	bullets bool
	parts   []part
}

// part is one sentence of an item.
type part struct {
	group   string // headline targets: the section it stands in (奋斗目标)
	text    string
	figures []string
}

// buildItems walks the reports in order: for each, the headline targets
// (packed into as few items as fit), then each key-work item paragraph
// (one with a non-empty Lead).
func buildItems(reports []*corpus.Report) []item {
	var items []item
	for _, r := range reports {
		items = append(items, headlineItems(r)...)
		for _, p := range r.Paragraphs {
			if p.Lead == "" {
				continue
			}
			if it, ok := keyWorkItem(r, p); ok {
				items = append(items, it)
			}
		}
	}
	return items
}

func headlineItems(r *corpus.Report) []item {
	var items []item
	var cur *item
	size := 0
	for _, s := range r.Highlights() {
		p := part{group: sectionName(s), text: s.Text}
		n := utf8.RuneCountInString(p.group) + utf8.RuneCountInString(p.text) + 4
		if cur == nil || size+n > maxBodyChars {
			items = append(items, item{report: r, place: headlinePlace(s), bullets: true})
			cur = &items[len(items)-1]
			size = 0
		}
		cur.parts = append(cur.parts, p)
		size += n
	}
	if len(items) > 1 {
		for i := range items {
			items[i].place += fmt.Sprintf("(%d/%d)", i+1, len(items))
		}
	}
	return items
}

// keyWorkItem is the paragraph's lead with the sentences carrying figures,
// or, when none does, its first sentences. Render cuts them to fit.
func keyWorkItem(r *corpus.Report, p *corpus.Paragraph) (item, bool) {
	it := item{report: r, place: p.Place()}
	var all, withFigures []part
	for _, s := range p.Sentences {
		if strings.TrimRight(s.Text, "。！!") == p.Lead {
			continue
		}
		pt := part{text: s.Text}
		for _, f := range s.Figures {
			pt.figures = append(pt.figures, f.Text)
		}
		all = append(all, pt)
		if len(pt.figures) > 0 {
			withFigures = append(withFigures, pt)
		}
	}
	it.parts = all
	if len(withFigures) > 0 {
		it.parts = withFigures
	}
	return it, len(it.parts) > 0
}

func sectionName(s *corpus.Sentence) string {
	if s.Paragraph == nil || s.Paragraph.Section == nil {
		return ""
	}
	return s.Paragraph.Section.Name
}

// headlinePlace is 展望2022年 › 目标与数字: the top-level section the
// headline targets stand in.
func headlinePlace(s *corpus.Sentence) string {
	const name = "目标与数字"
	if s.Paragraph == nil || s.Paragraph.Section == nil {
		return name
	}
	sec := s.Paragraph.Section
	for sec.Parent != nil {
		sec = sec.Parent
	}
	if sec == s.Paragraph.Section || sec.Name == "" {
		return name
	}
	return sec.Name + corpus.PlaceSep + name
}

// head is 每日一读 · 第N期 · 2026年12月1日.
func head(issue int, day time.Time) string {
	return fmt.Sprintf("每日一读 · 第%d期 · %d年%d月%d日", issue, day.Year(), int(day.Month()), day.Day())
}

// render writes the item as plain text and Markdown, keeping as many of
// its parts as fit in MaxChars (at least the start of the first).
func (it item) render(issue int, day time.Time, botName string) (text, markdown string) {
	parts := it.fit(issue, day, botName)
	return it.text(issue, day, botName, parts), it.markdown(issue, day, parts)
}

// fit returns the parts kept in MaxChars, the last one cut when even the
// first does not fit.
func (it item) fit(issue int, day time.Time, botName string) []part {
	n := 0
	for n < len(it.parts) && runes(it.text(issue, day, botName, it.parts[:n+1])) <= MaxChars {
		n++
	}
	parts := it.parts[:n]
	if n == 0 && len(it.parts) > 0 {
		// Even the first sentence is too long: cut it.
		first := it.parts[0]
		room := MaxChars - runes(it.text(issue, day, botName, []part{{group: first.group}})) - 1
		first.text = cut(first.text, room)
		first.figures = nil
		parts = []part{first}
	}
	return parts
}

func (it item) text(issue int, day time.Time, botName string, parts []part) string {
	var b strings.Builder
	b.WriteString(head(issue, day))
	b.WriteString("\n【")
	b.WriteString(it.heading())
	b.WriteString("】\n")
	it.writeBody(&b, parts, "", "")
	if figs := figuresOf(parts); figs != "" && !it.bullets {
		b.WriteString("数字:")
		b.WriteString(figs)
		b.WriteString("\n")
	}
	if src := source(it.report); src != "" {
		b.WriteString("出处:")
		b.WriteString(src)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "回复“@%s 问题”可查询报告", botName)
	return b.String()
}

// markdown is the 企业微信 form. It has no reply hint: the bot answers in
// WeChat groups, not in the 企业微信 group the robot posts to.
func (it item) markdown(issue int, day time.Time, parts []part) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**每日一读 · 第%d期** · %d年%d月%d日\n", issue, day.Year(), int(day.Month()), day.Day())
	fmt.Fprintf(&b, "> **%s**\n\n", it.heading())
	it.writeBody(&b, parts, "**", "**")
	if figs := figuresOf(parts); figs != "" && !it.bullets {
		fmt.Fprintf(&b, "数字:<font color=\"warning\">%s</font>\n", figs)
	}
	if src := source(it.report); src != "" {
		fmt.Fprintf(&b, "<font color=\"comment\">出处:%s</font>\n", src)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (it item) writeBody(b *strings.Builder, parts []part, groupOpen, groupClose string) {
	if !it.bullets {
		for _, p := range parts {
			b.WriteString(p.text)
		}
		if len(parts) > 0 {
			b.WriteString("\n")
		}
		return
	}
	group := ""
	for i, p := range parts {
		if p.group != "" && (i == 0 || p.group != group) {
			b.WriteString(groupOpen + p.group + groupClose + "\n")
		}
		group = p.group
		if p.text != "" {
			b.WriteString("· " + p.text + "\n")
		}
	}
}

func figuresOf(parts []part) string {
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		for _, f := range p.figures {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return strings.Join(out, "、")
}

// heading is the item's place, after the year of the report it quotes: a
// digest sent years later must not read an old plan as this year's.
func (it item) heading() string {
	if it.report == nil {
		return it.place
	}
	year := it.report.Year
	if year == 0 && len(it.report.Date) >= 4 {
		year, _ = strconv.Atoi(it.report.Date[:4])
	}
	if year == 0 {
		return it.place
	}
	return fmt.Sprintf("%d年报告%s%s", year, corpus.PlaceSep, it.place)
}

// source is the report cited as chat answers cite it (《title》source date),
// with the title cut to keep the digest short.
func source(r *corpus.Report) string {
	if r == nil {
		return ""
	}
	s := "《" + cut(r.Title, 40) + "》" + r.Source
	if r.Date != "" {
		s += " " + r.Date
	}
	return strings.TrimSpace(s)
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// cut shortens s to at most n runes, ending in … when it cut.
func cut(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// readOverride returns the text of the day's override file and its path;
// path is "" when there is none.
func readOverride(dir, day string) (text, path string, err error) {
	if dir == "" {
		return "", "", nil
	}
	for _, ext := range []string{".md", ".txt"} {
		p := filepath.Join(dir, day+ext)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("read override %s: %w", p, err)
		}
		if !utf8.Valid(data) {
			return "", "", fmt.Errorf("read override %s: not UTF-8 text", p)
		}
		return strings.TrimSpace(strings.TrimPrefix(string(data), "\uFEFF")), p, nil
	}
	return "", "", nil
}
