package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

// Answers from the reports' structure: 目录, 数读/目标, 第N部分 and questions
// such as "七力是哪七个".

var (
	// Just a structure word, maybe with 报告/的 around it: 目录, 报告的框架.
	outlineCmdRe = regexp.MustCompile(`^(?:这篇|这份|本)?(?:工作)?(?:报告)?的?(?:目录|提纲|大纲|框架|结构|主要内容|内容|章节|关键词|重点工作)(?:是什么|是啥|有哪些|呢)?\??$`)
	// A structure word together with an ask for a list: 重点工作包括什么.
	outlineNounRe = regexp.MustCompile(`目录|提纲|大纲|框架|结构|章节|关键词|重点工作|板块|部分`)
	outlineListRe = regexp.MustCompile(`哪些|哪几|几个|几部分|几大|分别|包括|包含|是什么|是啥|有什么|有啥|都是|都有|列举`)
	// Counted parts and questions about the whole report: 哪七个, 分几个方面,
	// 七个关键词, 报告主要讲了什么.
	outlineAskRe = regexp.MustCompile(`哪[一二三四五六七八九十]个|(?:分|分为|分成|有|包括)(?:哪|几)几?个?(?:方面|部分|板块)|[一二三四五六七八九十几]个(?:关键词|部分|方面|板块)|^(?:这篇|这份|本)?(?:工作)?报告(?:主要|都|一共)?(?:讲|说|写|谈)了?(?:什么|啥|哪些)|报告的?主要内容`)
)

// cmd is the question as commandWord leaves it (folded, no punctuation).
func (b *Bot) isOutlineQuestion(cmd string) bool {
	if outlineCmdRe.MatchString(cmd) || outlineAskRe.MatchString(cmd) ||
		(outlineNounRe.MatchString(cmd) && outlineListRe.MatchString(cmd)) {
		return true
	}
	// A counted name from the title (汇聚“七力”) that numbers the parts.
	for _, r := range b.Searcher().Reports() {
		for _, term := range quotedTerms(r.Title) {
			if n := countPrefix(term); n > 0 && strings.Contains(cmd, term) && n == len(parts(r)) {
				return true
			}
		}
	}
	return false
}

var quotedRe = regexp.MustCompile(`[“"「]([^”"」]{1,8})[”"」]`)

// quotedCache keeps each title's quoted terms: titles do not change, and
// every message asks.
var quotedCache sync.Map // title → []string

func quotedTerms(s string) []string {
	if v, ok := quotedCache.Load(s); ok {
		return v.([]string)
	}
	var out []string
	for _, m := range quotedRe.FindAllStringSubmatch(s, -1) {
		out = append(out, corpus.Fold(m[1]))
	}
	quotedCache.Store(s, out)
	return out
}

// countPrefix reads the Chinese numeral a term starts with (七力 → 7), 0 if none.
func countPrefix(term string) int {
	r, _ := utf8.DecodeRuneInString(term)
	return parseNumber(string(r))
}

// parts are the report's numbered parts at their top numbered level (the
// seven 关键词 of the 2022 report); without numbering, the sections that hold
// paragraphs.
func parts(r *corpus.Report) []*corpus.Section {
	if r == nil {
		return nil
	}
	var all []*corpus.Section
	var walk func([]*corpus.Section)
	walk = func(ss []*corpus.Section) {
		for _, s := range ss {
			all = append(all, s)
			walk(s.Children)
		}
	}
	walk(r.TopLevel())
	level := 0
	for _, s := range all {
		if s.Number != "" && (level == 0 || s.Level < level) {
			level = s.Level
		}
	}
	var out []*corpus.Section
	for _, s := range all {
		if (level > 0 && s.Number != "" && s.Level == level) || (level == 0 && len(s.Paragraphs) > 0) {
			out = append(out, s)
		}
	}
	return out
}

func sectionTitle(s *corpus.Section) string {
	if s.Subtitle != "" {
		return s.Name + ":" + s.Subtitle
	}
	return s.Name
}

// outline shows one report's structure: the one the question names, else
// the newest, saying which and how to ask for the others.
func (b *Bot) outline(query string, r *corpus.Report) Answer {
	if r == nil {
		return Answer{Query: query, Text: noReport}
	}
	var text strings.Builder
	var res []Result
	text.WriteString("《" + r.Title + "》\n")
	numbered := map[*corpus.Section]int{}
	for j, p := range parts(r) {
		numbered[p] = j + 1
	}
	var walk func(ss []*corpus.Section, depth int)
	walk = func(ss []*corpus.Section, depth int) {
		for _, s := range ss {
			indent := strings.Repeat("  ", depth)
			if n := numbered[s]; n > 0 {
				fmt.Fprintf(&text, "%s第%d部分 %s\n", indent, n, sectionTitle(s))
			} else {
				fmt.Fprintf(&text, "%s· %s\n", indent, sectionTitle(s))
			}
			res = append(res, Result{Text: sectionTitle(s), Section: s.Name, Report: r.ID, Figures: []string{}})
			walk(s.Children, depth+1)
		}
	}
	walk(r.TopLevel(), 0)
	if n := len(parts(r)); n > 0 {
		fmt.Fprintf(&text, "回复“第1部分”到“第%d部分”看各部分要点,“数读”看主要目标。", n)
	}
	if others := len(b.Searcher().Reports()) - 1; others > 0 {
		fmt.Fprintf(&text, "\n另有%d份报告,在命令前加年份或地区可看它们,例如“%s目录”。", others, otherLabel(b.Searcher().Reports(), r))
	}
	return Answer{Query: query, Text: strings.TrimSpace(text.String()), Results: res}
}

// otherLabel names a loaded report other than r the way users prefix a
// command: 2023年, 浙江.
func otherLabel(reports []*corpus.Report, r *corpus.Report) string {
	for _, o := range reports {
		if o == r {
			continue
		}
		if o.Year != r.Year && o.Year > 0 {
			return strconv.Itoa(o.Year) + "年"
		}
		if names := o.RegionNames(); len(names) > 0 {
			return names[len(names)-1]
		}
	}
	return ""
}

// noReport answers a structure question about a report that is not loaded.
const noReport = "没有这份报告。回复“目录”看已有的报告。"

// scopedCommand splits a structure command from the report it names
// (2023年目录, 浙江第三部分, 全国的数读). It returns the report the command
// speaks of: the one of the year and region named, else the newest (the
// national one at equal years); nil when the named report is not loaded. rest
// is the command without the names.
func (b *Bot) scopedCommand(cmd string) (r *corpus.Report, rest string) {
	reports := b.Searcher().Reports()
	rest = cmd
	year := 0
	if m := yearRe.FindStringSubmatch(rest); m != nil {
		year, _ = strconv.Atoi(m[1])
		rest = strings.Replace(rest, m[0], "", 1)
	} else if m := leadingYearRe.FindStringSubmatch(rest + " "); m != nil {
		year, _ = strconv.Atoi(m[1])
		rest = rest[len(m[1]):]
	}
	var region []*corpus.Report
	longest := ""
	for _, rn := range b.derived().regionNames {
		if n := rn.name; strings.Contains(rest, n) && len(n) >= len(longest) {
			if len(n) > len(longest) {
				region = region[:0]
			}
			longest = n
			region = append(region, rn.report)
		}
	}
	if longest != "" {
		rest = strings.Replace(rest, longest, "", 1)
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "的"), "报告的")
	if year == 0 && longest == "" {
		return newestReport(reports), cmd
	}
	candidates := reports
	if longest != "" {
		candidates = region
	}
	var matching []*corpus.Report
	for _, rep := range candidates {
		if year == 0 || rep.Year == year {
			matching = append(matching, rep)
		}
	}
	return newestReport(matching), rest
}

// leadingYearRe is a year without 年 before a command (2023目录) or alone.
var leadingYearRe = regexp.MustCompile(`^((?:19|20)[0-9][0-9])[^0-9]`)

var yearRe = regexp.MustCompile(`((?:19|20)[0-9][0-9])\s*年`)

func (b *Bot) highlights(query string, r *corpus.Report) Answer {
	if r == nil {
		return Answer{Query: query, Text: noReport}
	}
	sents := r.Highlights()
	if len(sents) == 0 {
		return Answer{Query: query, Text: "《" + r.Title + "》没有单列的主要目标。回复“目录”看报告结构。"}
	}
	var text strings.Builder
	text.WriteString("【主要目标】《" + r.Title + "》\n")
	place := ""
	var hits []corpus.Hit
	for _, s := range sents {
		if p := s.Paragraph.Place(); p != place {
			place = p
			text.WriteString("〔" + p + "〕\n")
		}
		text.WriteString("· " + s.Text + "\n")
		hits = append(hits, corpus.Hit{Report: r, Sentence: s})
	}
	if ex := b.examples().quoted(1); ex != "" {
		text.WriteString("问具体一项可直接提问,例如" + ex + "。")
	} else {
		text.WriteString("问具体一项可直接提问。")
	}
	return Answer{Query: query, Text: text.String(), Hits: hits, Results: results(hits)}
}

func (b *Bot) section(query string, r *corpus.Report, num string) Answer {
	if r == nil {
		return Answer{Query: query, Text: noReport}
	}
	ps := parts(r)
	n := parseNumber(num)
	if n < 1 || n > len(ps) {
		return Answer{Query: query, Text: fmt.Sprintf("没有第%s部分。报告共%d部分,回复“目录”查看。", num, len(ps))}
	}
	return b.sectionAnswer(query, r, ps[n-1], fmt.Sprintf("第%d部分 ", n))
}

// sectionAnswer shows a section: its intro and the leads of its items, or,
// when it has no items (奋斗目标), its lines.
func (b *Bot) sectionAnswer(query string, r *corpus.Report, s *corpus.Section, label string) Answer {
	var text strings.Builder
	fmt.Fprintf(&text, "【%s%s】\n", label, sectionTitle(s))
	if len(s.Paragraphs) == 0 && len(s.Children) > 0 {
		// A heading over other headings (重点工作): list them.
		number := map[*corpus.Section]int{}
		for i, p := range parts(r) {
			number[p] = i + 1
		}
		var res []Result
		for _, c := range s.Children {
			if n := number[c]; n > 0 {
				fmt.Fprintf(&text, "第%d部分 %s\n", n, sectionTitle(c))
			} else {
				text.WriteString("· " + sectionTitle(c) + "\n")
			}
			res = append(res, Result{Text: sectionTitle(c), Section: c.Name, Report: r.ID, Figures: []string{}})
		}
		text.WriteString("回复“第N部分”看该部分要点。")
		return Answer{Query: query, Text: text.String(), Results: res}
	}
	var items []string
	var intro *corpus.Paragraph
	lines := sectionParagraphs(s)
	for _, p := range lines {
		switch {
		case p.Lead != "":
			items = append(items, p.Lead)
		case intro == nil:
			intro = p
		}
	}
	var hits []corpus.Hit
	switch {
	case len(items) > 0:
		if intro != nil {
			text.WriteString(intro.Text + "\n")
			for _, sent := range intro.Sentences {
				hits = append(hits, corpus.Hit{Report: r, Sentence: sent})
			}
		}
		text.WriteString("要点:\n")
		for i, it := range items {
			fmt.Fprintf(&text, "%d. %s\n", i+1, it)
		}
		text.WriteString("想看某一点,直接提问即可,例如“" + items[0] + "”。")
	default:
		for _, p := range lines {
			text.WriteString("· " + p.Text + "\n")
			for _, sent := range p.Sentences {
				hits = append(hits, corpus.Hit{Report: r, Sentence: sent})
			}
		}
		text.WriteString("问具体一项可直接提问。")
	}
	return Answer{Query: query, Text: text.String(), Hits: hits, Results: results(hits)}
}

// partLabel is "第N部分 " for a numbered part, "" for other sections.
func partLabel(r *corpus.Report, s *corpus.Section) string {
	for i, p := range parts(r) {
		if p == s {
			return fmt.Sprintf("第%d部分 ", i+1)
		}
	}
	return ""
}

// sectionFillerRe is what a question about a section says besides the
// section's name: 支撑力那部分讲啥, 竞争力这块主要说什么, 今年奋斗目标有哪几条.
var sectionFillerRe = regexp.MustCompile(`(?:19|20)[0-9][0-9]年|第[0-9一二三四五六七八九十]+个?|关键词|部分|这块|那块|板块|方面|工作|内容|主要|具体|讲的?|说的?|谈|写|是|关于|包括|包含|有|哪几条|几条|哪几|哪些|什么|啥|的|了|呢|吗|呀|啊|都|那|这|今年|请问|一下|介绍|报告|里|个`)

// namedSection finds the section a question is only about (影响力部分), or nil
// when the question asks more than that. cmd is the question as commandWord
// leaves it.
func (b *Bot) namedSection(cmd string, r *corpus.Report) (*corpus.Report, *corpus.Section, string) {
	if r != nil {
		for _, s := range r.Sections {
			name := corpus.Fold(s.Name)
			if utf8.RuneCountInString(name) < 2 || !strings.Contains(cmd, name) {
				continue
			}
			rest := sectionFillerRe.ReplaceAllString(strings.Replace(cmd, name, "", 1), "")
			if strings.IndexFunc(rest, unicode.IsLetter) >= 0 {
				continue
			}
			return r, s, partLabel(r, s)
		}
	}
	return nil, nil, ""
}

// topicListRe asks what a topic is divided into: 分哪几方面, 哪些方面, 分几块.
var topicListRe = regexp.MustCompile(`(?:分|有|在|包括|从|列了)?(?:哪几|哪些|几)个?(?:方面|块|项|部分|点|领域|方向)`)

// topicFillerRe is what such a question says besides its topic.
var topicFillerRe = regexp.MustCompile(`抓|搞|做|干|说下|说说|讲讲|要|再|在|分|从|这块|那块|工作|主要|重点|咱们|咱|我们|新区|今年|的|了|呢|吗|啊|呀|吧`)

// topicSection finds the part a "分哪几方面" question is about: the part
// whose heading names the topic, or most of whose items do (产业 → 支撑力,
// whose items are 做大优势产业, 做强特色产业, ...).
func (b *Bot) topicSection(cmd string, r *corpus.Report) (*corpus.Report, *corpus.Section) {
	if !topicListRe.MatchString(cmd) {
		return nil, nil
	}
	topic := []rune(topicFillerRe.ReplaceAllString(topicListRe.ReplaceAllString(cmd, ""), ""))
	if len(topic) < 2 {
		return nil, nil
	}
	var bestReport *corpus.Report
	var best *corpus.Section
	bestScore, second := 0, 0
	if r != nil {
		// The topic's bigrams that the headings and items use at all:
		// 民生方面列 is about 民生 (惠民生).
		var headings strings.Builder
		for _, p := range parts(r) {
			headings.WriteString(p.Name + p.Subtitle)
			for _, para := range sectionParagraphs(p) {
				headings.WriteString(para.Lead)
			}
		}
		structure := corpus.Fold(headings.String())
		var bigrams []string
		for i := 0; i+1 < len(topic); i++ {
			if b := string(topic[i : i+2]); strings.Contains(structure, b) {
				bigrams = append(bigrams, b)
			}
		}
		if len(bigrams) == 0 {
			return nil, nil
		}
		for _, p := range parts(r) {
			score := 0
			if mentions(corpus.Fold(p.Name+p.Subtitle), bigrams) {
				score += 3
			}
			for _, para := range sectionParagraphs(p) {
				if para.Lead != "" && mentions(corpus.Fold(para.Lead), bigrams) {
					score++
				}
			}
			switch {
			case score > bestScore:
				second, bestScore, best, bestReport = bestScore, score, p, r
			case score > second:
				second = score
			}
		}
	}
	if bestScore < 2 || bestScore == second {
		return nil, nil
	}
	return bestReport, best
}

// mentions: the text holds every bigram of the topic that it could (at
// least one), so 改革突破 matches 着力在管理体制改革上再突破.
func mentions(text string, bigrams []string) bool {
	n := 0
	for _, b := range bigrams {
		if strings.Contains(text, b) {
			n++
		}
	}
	return n > 0 && 2*n >= len(bigrams)
}

func sectionParagraphs(s *corpus.Section) []*corpus.Paragraph {
	out := append([]*corpus.Paragraph(nil), s.Paragraphs...)
	for _, c := range s.Children {
		out = append(out, sectionParagraphs(c)...)
	}
	return out
}
