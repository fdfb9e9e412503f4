package corpus

import (
	"regexp"
	"strings"
	"unicode"
)

// Heading ranks: a heading closes every open heading of equal or greater
// rank and opens under the rest. Markup levels (# / <h2>) rank 1-6 and so
// contain any textual numbering; textual numbering nests 一、 > （一） > 1. >
// （1） > ①. An unnumbered heading directly followed by another heading is a
// block (展望2022年, 重点工作) and contains numbered ones; an unnumbered heading
// with text under it is a leaf (奋斗目标) nested under whatever is open.
const (
	rankPart   = 8
	rankBlock  = 9
	rankCN     = 11
	rankParenC = 12
	rankNum    = 13
	rankParenN = 14
	rankCircle = 15
	rankLeaf   = 100
)

type numbering struct {
	re   *regexp.Regexp
	rank int
	keep bool // Number keeps its brackets as written: （一）
	// spaced forms (1 关键词:引领力) are headings only when short and
	// unpunctuated, since "5 家企业…" could be prose.
	spaced bool
}

var numberings = []numbering{
	{re: regexp.MustCompile(`^(第[一二三四五六七八九十百\d]+(?:部分|章|节|篇))[\s\p{Zs}:：、.．]*(.*)$`), rank: rankPart, keep: true},
	{re: regexp.MustCompile(`^([一二三四五六七八九十]+)[\s\p{Zs}]*[、.．][\s\p{Zs}]*(.*)$`), rank: rankCN},
	{re: regexp.MustCompile(`^([（(][\s\p{Zs}]*[一二三四五六七八九十]+[\s\p{Zs}]*[)）])[\s\p{Zs}]*(.*)$`), rank: rankParenC, keep: true},
	{re: regexp.MustCompile(`^(\d{1,2})[\s\p{Zs}]*[.．、][\s\p{Zs}]*(\D.*)?$`), rank: rankNum},
	{re: regexp.MustCompile(`^(\d{1,2})[\s\p{Zs}]+(\D.*)$`), rank: rankNum, spaced: true},
	// 1关键词:引领力 — the number glued to a short label.
	{re: regexp.MustCompile(`^(\d{1,2})(关键词[\s\p{Zs}]*[:：].*)$`), rank: rankNum, spaced: true},
	{re: regexp.MustCompile(`^([（(][\s\p{Zs}]*\d{1,2}[\s\p{Zs}]*[)）])[\s\p{Zs}]*(.*)$`), rank: rankParenN, keep: true},
	{re: regexp.MustCompile(`^([①-⑳])[\s\p{Zs}]*(.*)$`), rank: rankCircle, keep: true},
}

var reKeyword = regexp.MustCompile(`^关键词[\s\p{Zs}]*[:：][\s\p{Zs}]*`)

// heading is a block recognised as a heading.
type heading struct {
	rank   int
	number string
	name   string
	// body is what followed a short lead sentence on a numbered line
	// ((一)坚持稳中求进。全年…): it becomes the section's first paragraph.
	body  string
	plain bool // unnumbered text heading: block or leaf decided later
}

const (
	sentencePunct = "。！？!?；;"
	clausePunct   = "，,、；;：:"
)

// classify recognises a heading from markup or from its text.
func classify(b block) *heading {
	if b.level > 0 {
		h := &heading{rank: b.level, name: cleanName(b.text)}
		if n := numbered(b.text); n != nil && n.name != "" {
			h.number, h.name = n.number, n.name
		}
		return h
	}
	if b.body {
		return nil
	}
	if h := numbered(b.text); h != nil {
		return h
	}
	if isPlainHeading(b.text) {
		return &heading{plain: true, name: collapseSpace(b.text)}
	}
	return nil
}

// numbered recognises 一、X, （一）X, 1. X, 1 关键词:X, （1）X, ①X, 第一部分 X.
// A long numbered line is a heading only if it opens with a short lead
// sentence, which becomes the name; the rest is body.
func numbered(text string) *heading {
	for _, n := range numberings {
		m := n.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		number := squash(m[1])
		if !n.keep {
			number = strings.TrimRight(number, "、.．")
		}
		rest := trimSpace(m[2])
		h := &heading{rank: n.rank, number: number}
		if n.spaced {
			if runeLen(rest) > 15 || strings.ContainsAny(rest, sentencePunct+"，,、") {
				return nil
			}
			h.name = cleanName(rest)
			return h
		}
		// Task headings of real reports are long and carry commas
		// (（一）大力提振消费、提高投资效益，全方位扩大国内需求。), and
		// often their body follows on the same line.
		maxName := 30
		if n.rank <= rankParenC {
			maxName = 50
		}
		if runeLen(rest) <= maxName && !strings.ContainsAny(strings.TrimRight(rest, sentencePunct), sentencePunct) {
			h.name = cleanName(rest)
			return h
		}
		sents := SplitSentences(rest)
		if len(sents) < 2 {
			return nil
		}
		lead := leadOf(sents[0], 30)
		if lead == "" && n.rank <= rankParenC {
			lead = headingSentence(sents[0], maxName)
		}
		if lead != "" {
			h.name = cleanName(lead)
			h.body = trimSpace(strings.TrimPrefix(rest, sents[0]))
			return h
		}
		return nil
	}
	return nil
}

// headingSentence returns a sentence without its full stop when it can name
// a section: it ends in 。 or ！ (not ；), is at most max runes, and states
// no figure (a target is body text, not a heading).
func headingSentence(sentence string, max int) string {
	body := strings.TrimSuffix(strings.TrimSuffix(sentence, "。"), "！")
	if body == sentence || body == "" || runeLen(body) > max || strings.ContainsAny(body, sentencePunct) || len(ExtractFigures(body)) > 0 {
		return ""
	}
	return body
}

// cleanName makes a heading's display name: 关键词: goes, a final full stop
// goes, and runs of white space (often U+00A0 in scraped pages) become one
// ASCII space.
func cleanName(s string) string {
	s = reKeyword.ReplaceAllString(trimSpace(s), "")
	return collapseSpace(strings.TrimRight(s, sentencePunct))
}

func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

// isPlainHeading: a short line (≤ 12 runes) with no sentence or clause
// punctuation and no figure (进出口贸易额增长50%以上 is a target line, but
// 展望2022年 is a heading: years are not figures).
func isPlainHeading(s string) bool {
	if runeLen(s) > 12 || strings.ContainsAny(s, sentencePunct+clausePunct+"…") {
		return false
	}
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return false
	}
	return len(ExtractFigures(s)) == 0
}

// isSubtitle: the unpunctuated line under a numbered heading
// (强堡垒 增强高质量跨越式发展引领力). A line stating a figure is a target
// (地区生产总值增长6%左右), and a short one-word line is a heading of its
// own (第二部分 安排 / 主要目标), not a subtitle.
func isSubtitle(b block) bool {
	if b.level != 0 || runeLen(b.text) > 30 || strings.ContainsAny(b.text, sentencePunct+"，,、…") || numbered(b.text) != nil {
		return false
	}
	if isPlainHeading(b.text) && !strings.ContainsFunc(b.text, isSpace) {
		return false
	}
	return len(ExtractFigures(b.text)) == 0
}

// leadOf returns a sentence without its full stop if it is a lead: at most
// max runes, ending in 。 or ！, with no clause punctuation.
func leadOf(sentence string, max int) string {
	body := strings.TrimSuffix(strings.TrimSuffix(sentence, "。"), "！")
	if body == sentence || body == "" || runeLen(body) > max || strings.ContainsAny(body, clausePunct+sentencePunct) {
		return ""
	}
	return body
}

var (
	// Enumerated items inside a section: 一是…, 第一，…, 首先，….
	reEnumeration = regexp.MustCompile(`^(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,]|首先[，,]|其次[，,])`)
	// Annexes that explain terms.
	reGlossary = regexp.MustCompile(`名词解释|名词注释|术语解释|^注释$|^注解$`)
	// A glossary entry: optional numbering, the term, a colon.
	reGlossaryEntry = regexp.MustCompile(`^(?:[（(]?\d{1,3}[)）.．、]?[\s\p{Zs}]*)?([^：:。，,]{1,24})[：:]`)
)

// inGlossary reports whether sec is, or is under, a 名词解释 annex.
func inGlossary(sec *Section) bool {
	for ; sec != nil; sec = sec.Parent {
		if reGlossary.MatchString(sec.Name) {
			return true
		}
	}
	return false
}

// leadMax is the longest item lead (全方位拓展外贸经济“新廊道” is 14).
const leadMax = 20

// build recovers sections and paragraphs from the body blocks.
func (r *Report) build(blocks []block) {
	heads := make([]*heading, len(blocks))
	for i, b := range blocks {
		heads[i] = classify(b)
	}
	subtitle := make([]bool, len(blocks))
	for i := 0; i+1 < len(blocks); i++ {
		if h := heads[i]; h != nil && h.number != "" && h.body == "" &&
			(heads[i+1] == nil || heads[i+1].plain) && isSubtitle(blocks[i+1]) {
			subtitle[i+1], heads[i+1] = true, nil
		}
	}
	for i, h := range heads {
		if h == nil || !h.plain {
			continue
		}
		h.rank = rankLeaf
		if i+1 < len(heads) && heads[i+1] != nil {
			h.rank = rankBlock
		}
	}

	type open struct {
		sec  *Section
		rank int
	}
	var stack []open
	current := func() *Section {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1].sec
	}
	for i, b := range blocks {
		h := heads[i]
		switch {
		case subtitle[i]:
			current().Subtitle = collapseSpace(b.text)
		case h != nil && h.rank > rankParenC && inGlossary(current()):
			// 1.六大优势产业：… in a 名词解释 annex is an entry, not a heading.
			r.addParagraph(current(), b.text)
		case h != nil:
			for len(stack) > 0 && stack[len(stack)-1].rank >= h.rank {
				stack = stack[:len(stack)-1]
			}
			sec := &Section{Level: len(stack) + 1, Number: h.number, Name: h.name, Parent: current()}
			if sec.Parent != nil {
				sec.Parent.Children = append(sec.Parent.Children, sec)
			}
			r.Sections = append(r.Sections, sec)
			stack = append(stack, open{sec, h.rank})
			if h.body != "" {
				r.addParagraph(sec, h.body)
			}
		default:
			r.addParagraph(current(), b.text)
		}
	}
}

func (r *Report) addParagraph(sec *Section, text string) {
	p := &Paragraph{Index: len(r.Paragraphs), Section: sec, Text: text}
	sents := SplitSentences(text)
	for i, s := range sents {
		p.Sentences = append(p.Sentences, &Sentence{Index: i, Paragraph: p, Text: s, Figures: ExtractFigures(s)})
	}
	if len(sents) >= 2 {
		p.Lead = leadOf(sents[0], leadMax)
		if m := reEnumeration.FindString(sents[0]); m != "" && p.Lead == "" {
			// 一是因时因势加强宏观调控，推动经济回升向好。…: the item's lead
			// without its ordinal.
			p.Lead = headingSentence(strings.TrimPrefix(sents[0], m), 45)
		}
	}
	if inGlossary(sec) {
		if m := reGlossaryEntry.FindStringSubmatch(text); m != nil {
			p.Term = m[1]
		}
	}
	r.Paragraphs = append(r.Paragraphs, p)
	if sec != nil {
		sec.Paragraphs = append(sec.Paragraphs, p)
	}
}
