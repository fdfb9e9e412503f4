package card

import (
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"github.com/reportbot/reportbot/corpus"
)

// cjkFont is a subset of Noto Sans CJK SC Regular (SIL OFL 1.1, see
// font/LICENSE): ASCII, GB2312 and every character of the embedded reports
// and of the Go sources, 1.5 MB. font/subset.sh rebuilds it.
//
//go:embed font/NotoSansCJKsc-Regular-subset.otf
var cjkFont []byte

// Missing is drawn for a character no font has: the geta mark, the sign
// Chinese typesetting has long used for a missing character, never an empty
// box.
const Missing = '〓'

// fonts are the parsed fonts, shared: sfnt.Font is safe for concurrent use
// once parsed; faces are not, so each drawing makes its own.
type fonts struct {
	cjk, latin *sfnt.Font
}

var loadFonts = sync.OnceValues(func() (*fonts, error) {
	cjk, err := opentype.Parse(cjkFont)
	if err != nil {
		return nil, fmt.Errorf("card: parse the embedded CJK font: %w", err)
	}
	latin, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("card: parse the Go font: %w", err)
	}
	return &fonts{cjk: cjk, latin: latin}, nil
})

func has(f *sfnt.Font, r rune) bool {
	var buf sfnt.Buffer
	i, err := f.GlyphIndex(&buf, r)
	return err == nil && i != 0
}

// Uncovered returns the characters of s, in order of first appearance, that
// the embedded CJK font lacks (spaces and invisible format characters
// aside). Cards still draw them, through the fallbacks of glyph.
func Uncovered(s string) ([]rune, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	seen := map[rune]bool{}
	var out []rune
	for _, r := range s {
		if seen[r] || invisible(r) || unicode.IsSpace(r) {
			continue
		}
		seen[r] = true
		if !has(f.cjk, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// invisible runes are dropped when drawn: they have no shape of their own
// (zero-width joiners, variation selectors, combining marks with nothing to
// combine in a font without them, control characters).
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Cc, unicode.Mn, unicode.Me, unicode.Variation_Selector) && r != '\n'
}

// face is a font at one size, with its fallback.
type face struct {
	fonts      *fonts
	cjk, latin font.Face
	size       float64
	cache      map[rune]glyph
}

// glyph is how one character is drawn: which rune in which face.
type glyph struct {
	r    rune
	face font.Face
	adv  int // advance in pixels (26.6 rounded)
}

func newFace(fs *fonts, size float64) (*face, error) {
	opts := &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}
	cjk, err := opentype.NewFace(fs.cjk, opts)
	if err != nil {
		return nil, fmt.Errorf("card: CJK face at %v px: %w", size, err)
	}
	latin, err := opentype.NewFace(fs.latin, opts)
	if err != nil {
		return nil, fmt.Errorf("card: Go face at %v px: %w", size, err)
	}
	return &face{fonts: fs, cjk: cjk, latin: latin, size: size, cache: map[rune]glyph{}}, nil
}

// glyph picks how to draw r: the CJK font; else its compatibility form
// (full-width letters, ligatures) or its simplified form (traditional
// characters) in the CJK font; else the Go font (Latin, Greek, Cyrillic
// letters with accents); else nothing, for an invisible rune; else Missing.
func (f *face) glyph(r rune) (glyph, bool) {
	if g, ok := f.cache[r]; ok {
		return g, g.face != nil
	}
	g := f.pick(r)
	if g.face != nil {
		adv, _ := g.face.GlyphAdvance(g.r)
		g.adv = adv.Round()
	}
	f.cache[r] = g
	return g, g.face != nil
}

func (f *face) pick(r rune) glyph {
	if has(f.fonts.cjk, r) {
		return glyph{r: r, face: f.cjk}
	}
	if invisible(r) {
		return glyph{}
	}
	for _, alt := range []string{norm.NFKC.String(string(r)), corpus.Fold(string(r))} {
		rs := []rune(alt)
		if len(rs) == 1 && rs[0] != r && has(f.fonts.cjk, rs[0]) {
			return glyph{r: rs[0], face: f.cjk}
		}
	}
	if has(f.fonts.latin, r) {
		return glyph{r: r, face: f.latin}
	}
	return glyph{r: Missing, face: f.cjk}
}

// width is the drawn width of s in pixels.
func (f *face) width(s string) int {
	w := 0
	for _, r := range s {
		if g, ok := f.glyph(r); ok {
			w += g.adv
		}
	}
	return w
}

func (f *face) close() {
	f.cjk.Close()
	f.latin.Close()
}
