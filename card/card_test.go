package card

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
)

// bodyFace is the face of a card's passage, closed with the test.
func bodyFace(t *testing.T) *face {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	f, err := newFace(fs, bodySize)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.close)
	return f
}

func reports(t testing.TB) []*corpus.Report {
	t.Helper()
	rs, err := corpus.Default()
	if err != nil {
		t.Fatalf("load the embedded reports: %v", err)
	}
	if len(rs) == 0 {
		t.Fatal("no embedded reports")
	}
	return rs
}

// TestCardFontCoversReports reports every character of the embedded reports
// (and of the labels cards and digests print) that the embedded font lacks.
func TestCardFontCoversReports(t *testing.T) {
	var all strings.Builder
	for _, r := range reports(t) {
		all.WriteString(r.Title + r.Source + r.Date)
		for _, s := range r.Sections {
			all.WriteString(s.Name + s.Subtitle + s.Number)
		}
		for _, p := range r.Paragraphs {
			all.WriteString(p.Text + p.Place())
		}
	}
	all.WriteString("每日一读 · 第期年月日【】〔〕《》“”数读报告主要目标出处:回复问题可查询报告数字…〓")
	missing, err := Uncovered(all.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		var list []string
		for _, r := range missing {
			list = append(list, fmt.Sprintf("%c %U", r, r))
		}
		t.Errorf("the embedded font lacks %d characters of the reports (run card/font/subset.sh): %s", len(missing), strings.Join(list, ", "))
	}
}

// TestCardFallbackNeverEmptyBox: a character the CJK font lacks is drawn
// from its simplified or compatibility form, the Go font, or the geta mark;
// invisible characters are dropped. None is left to the font's .notdef box.
func TestCardFallbackNeverEmptyBox(t *testing.T) {
	f := bodyFace(t)
	cases := []struct {
		in      rune
		want    rune // the rune drawn; 0: nothing drawn
		fromCJK bool
	}{
		{'经', '经', true},
		{'為', '为', true},              // traditional → simplified
		{'ｱ', 'ア', true},              // half-width katakana → its compatibility form
		{'ő', 'ő', false},             // Latin with accent: the Go font
		{'\U0001F44D', Missing, true}, // 👍: no font has it
		{'\U00020000', Missing, true}, // 𠀀, CJK extension B
		{'\u200d', 0, false},          // zero-width joiner: dropped
		{'\ufe0f', 0, false},          // variation selector: dropped
	}
	for _, c := range cases {
		g, ok := f.glyph(c.in)
		if c.want == 0 {
			if ok {
				t.Errorf("%U: drawn as %q, want nothing", c.in, g.r)
			}
			continue
		}
		if !ok || g.r != c.want || (g.face == f.cjk) != c.fromCJK {
			t.Errorf("%U: drawn as %q (CJK font %v), want %q (CJK font %v)", c.in, g.r, g.face == f.cjk, c.want, c.fromCJK)
			continue
		}
		if g.face == f.cjk && !has(f.fonts.cjk, g.r) || g.face == f.latin && !has(f.fonts.latin, g.r) {
			t.Errorf("%U: the chosen font has no glyph for %q", c.in, g.r)
		}
		if g.adv <= 0 {
			t.Errorf("%U: zero advance", c.in)
		}
	}
}

func TestCardWrapChinese(t *testing.T) {
	f := bodyFace(t)
	text := "加强与“一带一路”沿线国家主要口岸互联互通,加快与兰州国际陆港融合发展,提升“中吉乌”公铁联运班列运营水平,推动中欧、中亚及陆海新通道、中老经济走廊多向国际货运班列常态化发运,全年到发200列以上。建成5G基站335+X个。"
	const width = 600
	lines := wrap(f, text, width)
	if len(lines) < 3 {
		t.Fatalf("%d lines, want the text wrapped into several: %q", len(lines), lines)
	}
	if got := strings.Join(lines, ""); got != text {
		t.Errorf("wrapping lost or added text:\n got %q\nwant %q", got, text)
	}
	for i, line := range lines {
		first, _ := utf8.DecodeRuneInString(line)
		if i > 0 && strings.ContainsRune(noLineStart, first) {
			t.Errorf("line %d starts with the closing mark %q: %q", i+1, first, line)
		}
		last, _ := utf8.DecodeLastRuneInString(line)
		if i < len(lines)-1 && strings.ContainsRune(noLineEnd, last) {
			t.Errorf("line %d ends with the opening mark %q: %q", i+1, last, line)
		}
		hang := 0
		if strings.ContainsRune(noLineStart, last) {
			hang = f.width(string(last))
		}
		if w := f.width(line); w > width+hang {
			t.Errorf("line %d is %d px wide, over %d: %q", i+1, w, width, line)
		}
		for _, run := range []string{"200", "335+X", "5G"} {
			if strings.Contains(text, run) && !strings.Contains(strings.Join(lines, "\n"), run) {
				t.Errorf("the run %q was broken across lines", run)
			}
		}
	}
	if got := wrap(f, "", width); len(got) != 1 || got[0] != "" {
		t.Errorf("empty text wraps to %q, want one empty line", got)
	}
	long := strings.Repeat("x", 200)
	for _, line := range wrap(f, long, width) {
		if f.width(line) > width {
			t.Errorf("a Latin run wider than the line was not broken: %d px", f.width(line))
		}
	}
}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func TestCardPNG(t *testing.T) {
	r := reports(t)[0]
	hl, err := PNG(Highlights(r))
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, hl)
	if img.Bounds().Dx() != Width {
		t.Errorf("width %d, want %d", img.Bounds().Dx(), Width)
	}
	if len(hl) > 2<<20 {
		t.Errorf("%d bytes: over the 2 MB a 企业微信 image may have", len(hl))
	}
	short, err := PNG(Card{Kicker: "报告问答", Title: "短", Body: "一句。"})
	if err != nil {
		t.Fatal(err)
	}
	long, err := PNG(Card{Kicker: "报告问答", Title: "长", Body: strings.Repeat("推动中欧班列常态化发运,全年到发200列以上。", 60)})
	if err != nil {
		t.Fatal(err)
	}
	hs, hl2 := decode(t, short).Bounds().Dy(), decode(t, long).Bounds().Dy()
	if hs != Width*3/4 || hl2 <= hs || hl2 > MaxHeight {
		t.Errorf("heights: short %d (want %d), long %d (want taller, at most %d)", hs, Width*3/4, hl2, MaxHeight)
	}
	huge, err := PNG(Card{Body: strings.Repeat("很长的内容。", 5000)})
	if err != nil {
		t.Fatal(err)
	}
	if h := decode(t, huge).Bounds().Dy(); h > MaxHeight || h < MaxHeight-4*bodySize*2 {
		t.Errorf("huge card is %d px tall, want cut near %d", h, MaxHeight)
	}
	empty, err := PNG(Card{})
	if err != nil {
		t.Fatalf("empty card: %v", err)
	}
	decode(t, empty)
}

// TestCardAnswer: the 数读 answer becomes the highlights card; a search
// answer shows its first passage and figures; anything else its text.
func TestCardAnswer(t *testing.T) {
	r := reports(t)[0]
	var hits []corpus.Hit
	for _, s := range r.Highlights() {
		hits = append(hits, corpus.Hit{Report: r, Sentence: s})
	}
	if len(hits) < 2 {
		t.Fatalf("the embedded report has %d headline targets", len(hits))
	}
	if c := Answer("数读", bot.Answer{Hits: hits}); c.Kicker != Highlights(r).Kicker || len(c.Figures) == 0 {
		t.Errorf("数读 card: %+v", c)
	}
	one := Answer("目标", bot.Answer{Hits: hits[1:2]})
	if one.Body != hits[1].Sentence.Text || one.Source != Source(r) || !strings.Contains(one.Kicker, "目标") {
		t.Errorf("search card: %+v", one)
	}
	for _, f := range hits[1].Sentence.Figures {
		if !strings.Contains(strings.Join(one.Figures, "|"), f.Text) {
			t.Errorf("figure %q not set large: %q", f.Text, one.Figures)
		}
	}
	none := Answer("火星", bot.Answer{Text: "报告里没有找到"})
	if none.Body != "报告里没有找到" || none.Title != "火星" {
		t.Errorf("not-found card: %+v", none)
	}
}

func BenchmarkCard(b *testing.B) {
	c := Highlights(reports(b)[0])
	for b.Loop() {
		if _, err := PNG(c); err != nil {
			b.Fatal(err)
		}
	}
}
