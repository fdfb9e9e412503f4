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
const ParserVersion = "corpus/3"

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
// picks the format (.md/.markdown, .html/.htm, .docx, anything else is plain text)
// and the base name without extension becomes Report.ID. Errors name the file
// and wrap ErrEmpty, ErrBinary, ErrEncoding, ErrTooLarge or ErrDocx.
func Parse(name string, data []byte) (*Report, error) {
	r, err := parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	return r, nil
}

// parse is Parse with errors that do not name the file.
func parse(name string, data []byte) (*Report, error) {
	doc, err := read(name, data)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(name)
	r := &Report{ID: strings.TrimSuffix(base, filepath.Ext(base))}
	if err := r.fill(doc); err != nil {
		return nil, err
	}
	return r, nil
}

// read picks the format reader by extension.
func read(name string, data []byte) (document, error) {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".docx" {
		doc, err := readDocx(data)
		if err == nil && len(doc.blocks) == 0 {
			err = ErrEmpty
		}
		return doc, err
	}
	text, err := decode(data)
	if err != nil {
		return document{}, err
	}
	if strings.TrimFunc(text, isSpace) == "" {
		return document{}, ErrEmpty
	}
	switch ext {
	case ".md", ".markdown":
		return readMarkdown(text), nil
	case ".html", ".htm":
		return readHTML(text), nil
	}
	return readText(text), nil
}

// readText makes every non-blank line a block: reports published as text put
// one paragraph on a line. A file that separates its paragraphs by blank
// lines (pages saved from a browser) breaks lines only where the page had a
// link or a layout break (政府工作报 / 告, 本作品是…的 / 法律 / 、): there a line that
// does not end a sentence is joined with the next one.
func readText(text string) document {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var doc document
	if !blankSeparated(lines) {
		for _, line := range lines {
			doc.blocks = append(doc.blocks, block{text: line})
		}
		return doc
	}
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			doc.blocks = append(doc.blocks, block{text: cur.String()})
			cur.Reset()
		}
	}
	for _, raw := range lines {
		line := trimSpace(raw)
		switch {
		case line == "" && strings.ContainsRune(raw, '\u200B'):
			// A line holding only a zero-width space is where a page broke a
			// paragraph around a link (…国内生产总值达74.4 / ​ / 万亿元…).
		case line == "" || isBoilerplate(line):
			flush() // chrome is dropped line by line, before any joining
		case cur.Len() == 0:
			cur.WriteString(line)
		case endsSentence(cur.String()) || numbered(line) != nil:
			flush()
			cur.WriteString(line)
		default:
			cur.WriteString(line)
		}
	}
	flush()
	return doc
}

// blankSeparated: most non-blank lines are followed by a blank one.
func blankSeparated(lines []string) bool {
	text, followed := 0, 0
	for i, l := range lines {
		if trimSpace(l) == "" {
			continue
		}
		text++
		if i+1 < len(lines) && trimSpace(lines[i+1]) == "" {
			followed++
		}
	}
	return text >= 10 && followed*10 >= text*6
}

// endsSentence: the text ends with a sentence terminator or a colon (各位代表：),
// possibly followed by closing quotes or brackets.
func endsSentence(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, closers))
	return strings.ContainsRune(terminators+"：:…", last)
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
		if looksLikeTitle(blocks[0].text) {
			r.Title, blocks = blocks[0].text, blocks[1:]
		} else {
			// A file that starts with its text: the file name is the best
			// title there is, and the paragraph stays text.
			r.Title = r.ID
		}
	}
	blocks = r.takeDateline(blocks)
	blocks = dropFrontMatter(blocks, r.Title)
	blocks = dropLicence(blocks)
	blocks = dropTrailer(blocks)
	if len(blocks) == 0 {
		return fmt.Errorf("%w: nothing below the title", ErrEmpty)
	}
	r.build(blocks)
	if len(r.Paragraphs) == 0 {
		return fmt.Errorf("%w: headings but no body text", ErrEmpty)
	}
	r.Year = r.planYear()
	r.Region = regionOf(r.Title)
	r.assignPeriods()
	return nil
}

// looksLikeTitle: a first line short enough to be a title and not a
// sentence of the text (a title does not end in 。, or is short).
func looksLikeTitle(s string) bool {
	n := runeLen(s)
	return n <= 60 && (n <= 30 || !strings.ContainsAny(strings.TrimRight(s, closers), "。！？!?；;"))
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
		"我的收藏": true, "加入收藏": true, "收藏本页": true, "我要纠错": true, "【我要纠错】": true, "纠错": true,
		"大中小": true, "字体大中小": true, "视力保护色": true, "默认": true, "护眼": true, "分享至": true,
		"扫码分享": true, "手机版": true, "无障碍": true, "无障碍浏览": true, "繁體": true, "简体": true,
		"打印本文": true, "【打印本文】": true, "【关闭本页】": true, "相关链接": true, "相关阅读": true,
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

var (
	// A salutation on its own line (各位代表：) is no content and no heading.
	reSalutation = regexp.MustCompile(`^各位(?:代表|委员)[，,：:！!]?$`)
	// The speaker's line under a title (国务院总理 李强, 市长 殷勇同志).
	reSignature = regexp.MustCompile(`^(?:[\p{Han}]{0,12}?)(?:总理|副总理|省长|代省长|副省长|市长|代市长|区长|代区长|县长|代县长|州长|旗长|主席|主任)[\s\p{Zs}]*[\p{Han}·]{2,4}(?:同志)?$`)
	// Licence trailers of saved pages (Wikisource: 本作品是…公有领域).
	reLicence = regexp.MustCompile(`^本作品|公有领域|Public ?domain|知识共享|CC[ -]BY|著作权法》?第五条|维基文库`)
)

// dropFrontMatter removes, among the first blocks, the salutation, the
// speaker's signature and lines that only repeat part of the title (a page
// that prints 政府工作报告 again under its title).
func dropFrontMatter(blocks []block, title string) []block {
	out := blocks[:0:0]
	for i, b := range blocks {
		s := squash(b.text)
		front := i < 12
		switch {
		case reSalutation.MatchString(s):
			continue
		case front && b.level == 0 && runeLen(s) <= 24 && reSignature.MatchString(s):
			continue
		case front && runeLen(s) >= 4 && runeLen(s) <= 12 && strings.Contains(squash(title), s):
			continue
		}
		out = append(out, b)
	}
	return out
}

// dropLicence cuts a licence trailer and everything after it, when it stands
// in the last third of the text (a report body never quotes one there).
func dropLicence(blocks []block) []block {
	for i := len(blocks) * 2 / 3; i < len(blocks); i++ {
		if reLicence.MatchString(squash(blocks[i].text)) && !endsInBody(blocks, i) {
			return blocks[:i]
		}
	}
	return blocks
}

// endsInBody: a long real paragraph follows i (then i was body text that
// happens to mention a licence).
func endsInBody(blocks []block, i int) bool {
	for _, b := range blocks[i+1:] {
		if runeLen(b.text) > 80 && !reLicence.MatchString(squash(b.text)) {
			return true
		}
	}
	return false
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
	reCNDate = regexp.MustCompile(`((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日`)
	// The line saying where the report was delivered:
	// ——2023年3月5日在第十四届全国人民代表大会第一次会议上.
	reSpeech = regexp.MustCompile(`(?:19|20)\d{2}年\d{1,2}月\d{1,2}日在.{2,40}会议上`)
)

// takeDateline finds the datelines among the first blocks
// (2022/01/14/ 11:03 来源:兰州新区报 记者 魏晓倩), sets Date and Source from
// it and removes it from the body.
func (r *Report) takeDateline(blocks []block) []block {
	out := blocks[:0:0]
	for i, b := range blocks {
		if i >= 6 || !r.takeDatelineFrom(b) {
			out = append(out, b)
		}
	}
	return out
}

// takeDatelineFrom reads a dateline (a source line, a publication date or
// the line saying where the report was delivered) into r, or says it is none.
// The first date found is kept.
func (r *Report) takeDatelineFrom(b block) bool {
	line := b.text
	if runeLen(line) > 80 || b.level > 0 {
		return false
	}
	src := reSource.FindStringSubmatch(line)
	date := reCNDate.FindStringSubmatch(line)
	if date == nil {
		date = reDate.FindStringSubmatch(line)
	}
	if src == nil && date == nil {
		return false
	}
	if src == nil && !looksLikeDateline(line, date[0]) && !reSpeech.MatchString(line) {
		return false
	}
	if date != nil && r.Date == "" {
		y, _ := strconv.Atoi(date[1])
		m, _ := strconv.Atoi(date[2])
		d, _ := strconv.Atoi(date[3])
		if m >= 1 && m <= 12 && d >= 1 && d <= 31 {
			r.Date = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		}
	}
	if src != nil && r.Source == "" {
		r.Source = src[1]
	}
	return true
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
