// Package card draws picture cards: a 1080-pixel-wide PNG for a digest day,
// for the headline targets (数读/目标) or for an answer, with the title, the
// report and its date, the figures set large, the passage wrapped for
// Chinese and a footer naming the source. It is pure Go (x/image's
// opentype) with an embedded subset of Noto Sans CJK SC; a character that
// font lacks is drawn from a fallback (see face.glyph), never as an empty
// box.
package card

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Width is the width of every card, in pixels: WeChat and 企业微信 show it
// full width on a phone without scaling it up.
const Width = 1080

// MaxHeight bounds a card: longer content is cut with an ellipsis.
const MaxHeight = 4 * Width

// Card is what a card shows, top to bottom.
type Card struct {
	Kicker  string   // the band at the top: 每日一读 · 第2期 · 2026年12月2日
	Title   string   // the heading: 引领力 › 全面加强政治建设
	Figures []string // set large: 200列以上, 8%
	Body    string   // the passage; newlines start new lines
	Source  string   // the report and its date: 《…》 兰州新区报 2022-01-14
	Footer  string   // the last line, small: 回复“@reportbot 问题”可查询报告
}

// Sizes and colours of the layout.
const (
	margin      = 72
	kickerSize  = 34
	titleSize   = 54
	figureSize  = 84
	bodySize    = 40
	sourceSize  = 30
	lineSpacing = 1.55
)

var (
	paper  = color.RGBA{0xFB, 0xF8, 0xF1, 0xFF}
	accent = color.RGBA{0xB3, 0x1B, 0x1B, 0xFF} // the red of official publicity
	ink    = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	muted  = color.RGBA{0x6B, 0x6B, 0x6B, 0xFF}
	white  = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	tint   = color.RGBA{0xF6, 0xE7, 0xE4, 0xFF}
)

// PNG draws c and encodes it as PNG.
func PNG(c Card) ([]byte, error) {
	img, err := Draw(c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("card: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// Draw draws c on an image Width pixels wide and as tall as its content
// needs (at least 3/4 of the width, at most MaxHeight).
func Draw(c Card) (*image.RGBA, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	var faces [5]*face
	for i, size := range []float64{kickerSize, titleSize, figureSize, bodySize, sourceSize} {
		if faces[i], err = newFace(fs, size); err != nil {
			return nil, err
		}
		defer faces[i].close()
	}
	l := layout{kicker: faces[0], title: faces[1], figure: faces[2], body: faces[3], source: faces[4]}
	h := l.run(nil, c)
	h = min(max(h, Width*3/4), MaxHeight)
	img := image.NewRGBA(image.Rect(0, 0, Width, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(paper), image.Point{}, draw.Src)
	l.run(img, c)
	return img, nil
}

// layout places the parts of a card. run with a nil image only measures:
// it returns the height the card needs.
type layout struct {
	kicker, title, figure, body, source *face
}

func (l layout) run(img *image.RGBA, c Card) int {
	inner := Width - 2*margin
	y := 0

	// The band.
	band := margin + kickerSize + 40
	if img != nil {
		fill(img, image.Rect(0, 0, Width, band), accent)
	}
	text(img, l.kicker, white, margin, margin+kickerSize-4, fit(l.kicker, c.Kicker, inner))
	y = band + 56

	// The title, with a rule under it.
	for _, line := range wrap(l.title, strings.TrimSpace(c.Title), inner) {
		y += titleSize
		text(img, l.title, ink, margin, y, line)
		y += titleSize * 2 / 5
	}
	if c.Title != "" {
		if img != nil {
			fill(img, image.Rect(margin, y+8, margin+120, y+16), accent)
		}
		y += 48
	}

	// The figures: each on a tinted chip, as many on a line as fit.
	if len(c.Figures) > 0 {
		x, rowTop := margin, y
		pad := 24
		chipH := figureSize + 2*pad
		for _, f := range c.Figures {
			lines := wrap(l.figure, f, inner-2*pad)
			w := 0
			for _, line := range lines {
				w = max(w, l.figure.width(line))
			}
			w += 2 * pad
			h := chipH + (len(lines)-1)*(figureSize+12)
			if x > margin && x+w > margin+inner {
				x, rowTop = margin, y+16
			}
			if img != nil {
				fill(img, image.Rect(x, rowTop, x+w, rowTop+h), tint)
			}
			ly := rowTop + pad + figureSize - 10
			for _, line := range lines {
				text(img, l.figure, accent, x+pad, ly, line)
				ly += figureSize + 12
			}
			x += w + 20
			y = max(y, rowTop+h)
		}
		y += 48
	}

	// The passage.
	step := int(bodySize * lineSpacing)
	limit := MaxHeight - margin - 3*step
	lines := wrap(l.body, strings.TrimSpace(c.Body), inner)
	for i, line := range lines {
		if y+step > limit && i < len(lines)-1 {
			text(img, l.body, ink, margin, y+bodySize, "……")
			y += step
			break
		}
		text(img, l.body, ink, margin, y+bodySize, line)
		y += step
	}

	// The footer: a rule, the source, the last line.
	y += 24
	if img != nil {
		fill(img, image.Rect(margin, y, Width-margin, y+2), muted)
	}
	y += 24
	for _, line := range wrap(l.source, strings.TrimSpace(c.Source), inner) {
		y += sourceSize + 8
		text(img, l.source, muted, margin, y, line)
	}
	if c.Footer != "" {
		y += sourceSize + 16
		text(img, l.source, accent, margin, y, fit(l.source, c.Footer, inner))
	}
	return y + margin
}

// fit cuts s to one line of width, ending in … when it cut.
func fit(f *face, s string, width int) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	if f.width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && f.width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// text draws s with its baseline at y, character by character so that each
// takes its own fallback; nothing is drawn when img is nil.
func text(img *image.RGBA, f *face, c color.Color, x, y int, s string) {
	if img == nil || s == "" {
		return
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Dot: fixed.P(x, y)}
	for _, r := range s {
		g, ok := f.glyph(r)
		if !ok {
			continue
		}
		d.Face = g.face
		d.DrawString(string(g.r))
		x += g.adv
		d.Dot.X = fixed.I(x)
	}
}
