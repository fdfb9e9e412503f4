package corpus

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParserVersion changes whenever parsing output may change, so that
// Fingerprint changes and indexes built from older output are rebuilt.
const ParserVersion = "corpus/1"

// block is one line of body text before structure is recovered: a text
// line, a Markdown paragraph or list item, or an HTML block element.
type block struct {
	text  string
	level int // heading level given by markup (#, <h2>); 0 for none
	// body marks list items and table rows: text, never a heading, however
	// short.
	body bool
}

// document is what a format reader hands to the common pipeline.
type document struct {
	title  string // title given by markup (<h1>, <title>); "" to take the first block
	blocks []block
}

// Parse reads one report. name is its file name (or path): the extension
// picks the format (.md/.markdown, .html/.htm, anything else is plain text)
// and the base name without extension becomes Report.ID. Errors name the file
// and wrap ErrEmpty, ErrBinary, ErrEncoding or ErrTooLarge.
func Parse(name string, data []byte) (*Report, error) {
	text, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	if strings.TrimFunc(text, isSpace) == "" {
		return nil, fmt.Errorf("corpus: %s: %w", name, ErrEmpty)
	}
	var doc document
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		doc = readMarkdown(text)
	case ".html", ".htm":
		doc = readHTML(text)
	default:
		doc = readText(text)
	}
	base := filepath.Base(name)
	r := &Report{ID: strings.TrimSuffix(base, filepath.Ext(base))}
	if err := r.fill(doc); err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	return r, nil
}

// readText makes every non-blank line a block: reports published as text put
// one paragraph on a line.
func readText(text string) document {
	var doc document
	for _, line := range strings.Split(text, "\n") {
		doc.blocks = append(doc.blocks, block{text: line})
	}
	return doc
}

// fill runs the format-independent pipeline: clean lines, drop boilerplate,
// take title and dateline, recover structure, split sentences.
func (r *Report) fill(doc document) error {
	var blocks []block
	for _, b := range doc.blocks {
		b.text = trimSpace(b.text)
		if b.text == "" || isBoilerplate(b.text) {
			continue
		}
		blocks = append(blocks, b)
	}
	r.Title = trimSpace(doc.title)
	if r.Title == "" {
		if len(blocks) == 0 {
			return ErrEmpty
		}
		r.Title, blocks = blocks[0].text, blocks[1:]
	}
	blocks = r.takeDateline(blocks)
	blocks = dropTrailer(blocks)
	if len(blocks) == 0 {
		return fmt.Errorf("%w: nothing below the title", ErrEmpty)
	}
	r.build(blocks)
	if len(r.Paragraphs) == 0 {
		return fmt.Errorf("%w: headings but no body text", ErrEmpty)
	}
	r.Year = r.planYear()
	return nil
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' }

// trimSpace trims ASCII and Unicode space (U+3000, U+00A0, BOM, ZWSP).
func trimSpace(s string) string { return strings.TrimFunc(s, isSpace) }

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// squash removes all white space, for comparing lines that scrapers spaced
// out ("返 回").
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Boilerplate of Chinese government and news sites. Whole short lines only:
// a real paragraph may mention 版权 or 打印.
var (
	boilerExact = map[string]bool{
		"官方微信": true, "官方微博": true, "微信": true, "微博": true, "返回顶部": true, "返回": true,
		"顶部": true, "首页": true, "返回首页": true, "上一篇": true, "下一篇": true, "打印": true,
		"关闭": true, "打印本页": true, "关闭窗口": true, "关闭本页": true, "【打印】": true, "【关闭】": true,
		"【打印本页】": true, "【关闭窗口】": true, "网站地图": true, "联系我们": true, "扫一扫": true,
		"分享": true, "收藏": true, "字号大中小": true, "【大中小】": true, "[打印]": true, "[关闭]": true,
	}
	boilerPrefix = regexp.MustCompile(`^(?:上一篇|下一篇|分享到|责任编辑|编辑|审核|校对|版权所有|主办单位|主办|承办|协办|技术支持|浏览次数|点击数|阅读次数|访问量|当前位置|您现在的位置|您的位置|【字体|字体[:：]|字号[:：]|Copyright|copyright|COPYRIGHT|©)`)
	boilerAny    = regexp.MustCompile(`ICP备|ICP证|公网安备|网站标识码`)
	breadcrumb   = regexp.MustCompile(`^(?:[^\s\p{Zs}>›»]{1,12}[\s\p{Zs}]*[>›»][\s\p{Zs}]*)+[^\s\p{Zs}>›»]{1,20}$`)
)

func isBoilerplate(line string) bool {
	if runeLen(line) > 60 {
		return false
	}
	s := squash(line)
	return boilerExact[s] || boilerPrefix.MatchString(s) || boilerAny.MatchString(s) || breadcrumb.MatchString(line)
}

// dropTrailer removes the run of short non-sentence lines after the last real
// paragraph: site names, link lists and channel names left by scraping.
func dropTrailer(blocks []block) []block {
	for i := len(blocks) - 1; i >= 0; i-- {
		if isRealParagraph(blocks[i].text) {
			return blocks[:i+1]
		}
	}
	return blocks
}

// isRealParagraph: ends like a sentence, is too long to be a link or label,
// or states a figure (target lines such as 进出口贸易额增长50%以上 have no
// full stop).
func isRealParagraph(s string) bool {
	if runeLen(s) > 20 || len(ExtractFigures(s)) > 0 {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, closers))
	return strings.ContainsRune(terminators, last) || last == '…'
}

var (
	reDate   = regexp.MustCompile(`((?:19|20)\d{2})[\s\p{Zs}]*[-/.年][\s\p{Zs}]*(\d{1,2})[\s\p{Zs}]*[-/.月][\s\p{Zs}]*(\d{1,2})`)
	reSource = regexp.MustCompile(`来源[\s\p{Zs}]*[:：][\s\p{Zs}]*([^\s\p{Zs}|｜/]+)`)
	reTime   = regexp.MustCompile(`\d{1,2}:\d{2}(?::\d{2})?`)
)

// takeDateline finds the dateline among the first blocks
// (2022/01/14/ 11:03 来源:兰州新区报 记者 魏晓倩), sets Date and Source from
// it and removes it from the body.
func (r *Report) takeDateline(blocks []block) []block {
	for i := 0; i < len(blocks) && i < 4; i++ {
		line := blocks[i].text
		if runeLen(line) > 80 || blocks[i].level > 0 {
			continue
		}
		src := reSource.FindStringSubmatch(line)
		date := reDate.FindStringSubmatch(line)
		if src == nil && date == nil {
			continue
		}
		if src == nil && !looksLikeDateline(line, date[0]) {
			continue
		}
		if date != nil {
			y, _ := strconv.Atoi(date[1])
			m, _ := strconv.Atoi(date[2])
			d, _ := strconv.Atoi(date[3])
			if m >= 1 && m <= 12 && d >= 1 && d <= 31 {
				r.Date = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
			}
		}
		if src != nil {
			r.Source = src[1]
		}
		return append(blocks[:i:i], blocks[i+1:]...)
	}
	return blocks
}

// looksLikeDateline: a line with a date but no 来源 is a dateline only when
// the date is most of it (发布时间：2022-01-14 10:00, not a sentence).
func looksLikeDateline(line, date string) bool {
	rest := reTime.ReplaceAllString(strings.Replace(line, date, "", 1), "")
	rest = strings.NewReplacer("发布时间", "", "发布日期", "", "时间", "", "日期", "", "日", "", ":", "", "：", "", "/", "").Replace(rest)
	return !strings.ContainsAny(line, "。，,") && runeLen(squash(rest)) <= 12
}

var reYear = regexp.MustCompile(`((?:19|20)\d{2})[\s\p{Zs}]*年`)

// planYear: the first 20xx年 in the title, else in a heading (展望2022年),
// else in the body, else the publication year.
func (r *Report) planYear() int {
	find := func(s string) int {
		if m := reYear.FindStringSubmatch(s); m != nil {
			y, _ := strconv.Atoi(m[1])
			return y
		}
		return 0
	}
	if y := find(r.Title); y != 0 {
		return y
	}
	for _, s := range r.Sections {
		if y := find(s.Name); y != 0 {
			return y
		}
	}
	for _, p := range r.Paragraphs {
		if y := find(p.Text); y != 0 {
			return y
		}
	}
	if len(r.Date) >= 4 {
		y, _ := strconv.Atoi(r.Date[:4])
		return y
	}
	return 0
}
