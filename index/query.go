package index

import (
	_ "embed"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

// A question is turned into concepts: the things the answer has to mention.
// Question words and particles are dropped first, so "今年学校要建几所?"
// asks about 学校 and 建, wants a figure, and hints at the unit 所.

//go:embed data/stopwords.txt
var stopwordsData string

type conceptKind int

const (
	conceptHan    conceptKind = iota // a run of Chinese characters, matched by bigrams
	conceptLatin                     // 5g, 335+x, gdp: matched as written
	conceptNumber                    // 200列, 150亿元: matched as written, or by its digits
)

// concept is one thing the question asks about, with the ways a report may
// write it (the question's own wording first, then thesaurus rewrites).
type concept struct {
	kind conceptKind
	alts []string
}

// period is the time a question asks about.
type period int

const (
	periodAny    period = iota
	periodReview        // 去年完成了多少, 实际增长
	periodPlan          // 今年的目标, 打算怎么做
)

// query is a parsed question.
type query struct {
	concepts    []concept
	wantsFigure bool     // asks for a target or an amount
	unitHints   []string // units asked for: 几所 → 所
	aims        []string // target nouns asked about (目标, 任务): a sentence naming them states one
	year        int      // 2023年… restricts to that year's reports; 0 = any
	// fragments are the runs of the question's content words as written
	// (城镇新增就业), for the bonus of finding them in a row.
	fragments []string
	period    period
	pastOnly  bool // 去年, 实际: only what the report says was done answers
	// definition: the question asks what a term means (X是什么意思).
	definition bool
	// asksAmount: 多少, 几个, 多大: only a sentence stating a figure answers.
	asksAmount bool
	// asksPerson: 是谁, 叫什么名字: work reports name no office holders.
	asksPerson bool
	// asksTime: 什么时候: a sentence stating a time answers best;
	// asksDate: 哪年, 几月: only one stating a date answers.
	asksTime, asksDate bool
	// timeWords the question said (今年, 去年): a sentence saying them too
	// speaks of that time for certain.
	timeWords []string
}

// units that follow a number or 几/多少 in questions and reports. Longest first.
const unitPattern = `平方公里|平方米|千瓦时|万千瓦|公里|千米|公顷|号线|周年|万单|亿元|万元|万人|万吨|万户|万平方米|个|所|家|列|班|张|项|条|座|人|次|台|亩|吨|辆|元|倍|名|期|架|单|场|届|批|户|套|间|床|米|年|天|万|亿`

var (
	yearRe     = regexp.MustCompile(`((?:19|20)\d\d)\s*年`)
	unitHintRe = regexp.MustCompile(`(?:多少|几)(` + unitPattern + `)`)
	latinRe    = regexp.MustCompile(`[0-9]*[a-z][a-z0-9]*(?:[+\-][a-z0-9]+)*|[0-9]+\+[a-z0-9]+`)
	numberRe   = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?(?:%|万|亿|千|百)*(?:` + unitPattern + `)?`)
	// Words that mark a question about a target or an amount.
	aimRe = regexp.MustCompile(`目标|指标|任务`)
	// Words that ask about the past year(s) the report looks back on, or
	// about what is planned.
	// strongReviewRe only asks about the past: a plan never answers it.
	strongReviewRe = regexp.MustCompile(`去年|上年|前年|过去|完成了|实际|取得了|做了哪些|干了哪些|一年来|五年来`)
	reviewRe       = regexp.MustCompile(`完成得|完成多少|完成情况|取得|成效|成绩|成果|增长了|提高了|下降了|达到了|降了|涨了|了多少|回顾|以来`)
	strongPlanRe   = regexp.MustCompile(`今年|明年|目标|计划|打算|预期`)
	planRe         = regexp.MustCompile(`准备|安排|新政策|措施|举措|怎么做|会不会|要不要|能不能|将要|将会|要[^求]`)
	amountAskRe    = regexp.MustCompile(`多少|几[个项所家条座万千百亿次人倍成]|百分之几|占比|比例是`)
	timeAskRe      = regexp.MustCompile(`哪年|哪一年|哪天|几月|几号|啥时候|什么时候|何时|多久|多长时间`)
	timeWordRe     = regexp.MustCompile(`今年|去年|明年|上年|过去一年|过去五年`)
	personAskRe    = regexp.MustCompile(`是谁|叫什么名字|叫啥名|哪位领导|姓什么`)
	dateAskRe      = regexp.MustCompile(`哪年|哪一年|哪天|几月|几号(?:$|[^线])`)
	definitionRe   = regexp.MustCompile(`什么意思|啥意思|是什么|是啥|是指|指什么|指的是|含义|意思是|怎么理解|什么叫|何谓`)
	figureIntentRe = regexp.MustCompile(`目标|指标|多少|几|多大|多高|多长|多久|规模|数量|增长|增速|达到|任务|预期|计划`)
)

// stopwords: multi-rune words always go; single runes go unless they form a
// bigram the reports use with a neighbour (有 in 有色, 中 in 中欧).
type stopwordSet struct {
	words map[rune][]string // by first rune, longest first
}

var stopwords = func() stopwordSet {
	s := stopwordSet{words: map[rune][]string{}}
	for _, line := range strings.Split(stopwordsData, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			w = corpus.Fold(w)
			r := []rune(w)[0]
			s.words[r] = append(s.words[r], w)
		}
	}
	for _, ws := range s.words {
		sort.Slice(ws, func(i, j int) bool { return len(ws[i]) > len(ws[j]) })
	}
	return s
}()

// knownBigram tells whether the reports contain a two-rune string.
type knownBigram func(string) bool

// parseQuery turns a question into a query. known guards single-rune
// stopwords that are part of a word the reports use.
func parseQuery(question string, th *Thesaurus, known knownBigram) query {
	var q query
	s := corpus.Fold(question)
	q.wantsFigure = figureIntentRe.MatchString(s)
	q.aims = aimRe.FindAllString(s, -1)
	q.definition = definitionRe.MatchString(s)
	q.timeWords = timeWordRe.FindAllString(s, -1)
	q.asksTime = timeAskRe.MatchString(s)
	q.asksDate = dateAskRe.MatchString(s)
	q.asksPerson = personAskRe.MatchString(s)
	q.asksAmount = amountAskRe.MatchString(s) && !q.asksTime
	switch {
	case strongReviewRe.MatchString(s):
		q.period, q.pastOnly = periodReview, true
	case strongPlanRe.MatchString(s):
		q.period = periodPlan
	case reviewRe.MatchString(s):
		q.period = periodReview
	case planRe.MatchString(s):
		q.period = periodPlan
	}

	if m := yearRe.FindStringSubmatch(s); m != nil {
		q.year, _ = strconv.Atoi(m[1])
		s = yearRe.ReplaceAllString(s, " ")
	}
	s = takeUnitHints(s, &q)
	if strings.Contains(s, "多少钱") {
		q.unitHints = append(q.unitHints, "元") // 多少钱 asks for an amount in 元
		s = strings.Replace(s, "多少钱", " ", 1)
	}
	s = joinSplitVerbs(s)
	// 管不管, 抓不抓, 有没有: the A-not-A form asks yes or no; its verb is filler.
	s = dropANotA(s)

	for _, m := range latinRe.FindAllString(s, -1) {
		q.concepts = append(q.concepts, concept{kind: conceptLatin, alts: append([]string{m}, th.rewrites(m)...)})
	}
	s = latinRe.ReplaceAllString(s, " ")
	for _, m := range numberRe.FindAllString(s, -1) {
		q.concepts = append(q.concepts, concept{kind: conceptNumber, alts: []string{m}})
	}
	s = numberRe.ReplaceAllString(s, " ")

	inWord := func(b string) bool { return th.hasBigram(b) || (known != nil && known(b)) }
	for _, frag := range hanFragments(s, inWord, th.ruleWordAt) {
		q.fragments = append(q.fragments, frag)
		for _, w := range splitWords(frag, th, known) {
			q.concepts = append(q.concepts, concept{kind: conceptHan, alts: append([]string{w}, th.rewrites(w)...)})
		}
	}
	return q
}

// dropANotA removes the A-not-A form (管不管, 有没有): it asks yes or no, its
// verb is filler. Not when A ends a word (老人没人照顾: 老人 stays).
func dropANotA(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i] == rs[i+2] && (rs[i+1] == '不' || rs[i+1] == '没') && unicode.Is(unicode.Han, rs[i]) {
			endsWord := false
			if i > 0 && unicode.Is(unicode.Han, rs[i-1]) {
				f, _ := generalDictionary().lookup(string(rs[i-1 : i+1]))
				endsWord = f > 0
			}
			if !endsWord {
				out = append(out, ' ')
				i += 2
				continue
			}
		}
		out = append(out, rs[i])
	}
	return string(out)
}

// joinSplitVerbs undoes the aspect particle inside a separable word:
// 脱了贫 → 脱贫, 涨过价 → 涨价, when the two characters make a dictionary word.
func joinSplitVerbs(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if i > 0 && i+1 < len(rs) && strings.ContainsRune("了过着", rs[i]) &&
			unicode.Is(unicode.Han, rs[i-1]) && unicode.Is(unicode.Han, rs[i+1]) {
			if f, _ := generalDictionary().lookup(string([]rune{rs[i-1], rs[i+1]})); f > 0 {
				continue
			}
		}
		out = append(out, rs[i])
	}
	return string(out)
}

// splitWords cuts a run of content characters into words: the thesaurus's
// rule words as they are (找工作, 看病贵), the rest with the general
// dictionary. Characters the dictionary leaves single are joined again where
// the reports write them together (绿金通, 东数西算: the reports' own terms).
func splitWords(frag string, th *Thesaurus, known knownBigram) []string {
	parts, isRule := th.cut(frag)
	var words []string
	for i, p := range parts {
		if isRule[i] {
			words = append(words, p)
			continue
		}
		words = append(words, joinSingles(generalDictionary().segment([]rune(p), nil), known)...)
	}
	return words
}

// isFunctionRune: a one-character stopword (在, 的, 能) never starts or ends
// a report term (孩子能在城里 is no 在城).
func isFunctionRune(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	for _, sw := range stopwords.words[r] {
		if sw == w {
			return true
		}
	}
	return strings.Contains(particles, w)
}

// joinSingles joins runs of one-character words whose neighbours form
// bigrams the reports use.
func joinSingles(words []string, known knownBigram) []string {
	if known == nil {
		return words
	}
	var out []string
	for i := 0; i < len(words); {
		j := i + 1
		for utf8.RuneCountInString(words[j-1]) == 1 && j < len(words) && utf8.RuneCountInString(words[j]) == 1 &&
			!isFunctionRune(words[j-1]) && !isFunctionRune(words[j]) && known(words[j-1]+words[j]) {
			j++
		}
		out = append(out, strings.Join(words[i:j], ""))
		i = j
	}
	return out
}

// takeUnitHints removes 几所 / 多少班 from s and records the unit, unless the
// unit starts a longer word (多少人口 asks about 人口, not about people).
func takeUnitHints(s string, q *query) string {
	var b strings.Builder
	last := 0
	for _, m := range unitHintRe.FindAllStringSubmatchIndex(s, -1) {
		next, _ := utf8.DecodeRuneInString(s[m[1]:])
		if m[1] < len(s) && unicode.Is(unicode.Han, next) && !strings.ContainsRune(particles, next) {
			// 多少人口 asks about 人口, 多少家数字化车间 about 车间: the
			// unit is a hint only where the dictionary cuts it off as a
			// word of its own.
			run := []rune(s[m[2]:])
			end := 0
			for end < len(run) && end < 12 && unicode.Is(unicode.Han, run[end]) {
				end++
			}
			if words := generalDictionary().segment(run[:end], nil); len(words) > 0 && words[0] != s[m[2]:m[3]] {
				continue
			}
		}
		q.unitHints = append(q.unitHints, s[m[2]:m[3]])
		b.WriteString(s[last:m[0]])
		b.WriteString(" ")
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// particles are never part of a word that matters (区的 in 新区的 is no
// word); they also end a question after a unit: 几所呢, 多少班啊.
const particles = "吗呢啊呀吧哦的了嘛么呗喔哈"

// hanFragments removes stopwords and returns the runs of Chinese characters left.
func hanFragments(s string, known knownBigram, ruleWordAt func(rs []rune, i int) int) []string {
	rs := []rune(s)
	keep := make([]bool, len(rs))
	for i := 0; i < len(rs); {
		r := rs[i]
		if !unicode.Is(unicode.Han, r) {
			i++
			continue
		}
		// A vocabulary word is kept whole, stopwords inside or not
		// (东西贵, 找不到工作).
		if n := ruleWordAt(rs, i); n > 1 {
			for k := i; k < i+n; k++ {
				keep[k] = true
			}
			i += n
			continue
		}
		matched := ""
		for _, w := range stopwords.words[r] {
			if strings.HasPrefix(string(rs[i:min(len(rs), i+len([]rune(w)))]), w) {
				matched = w
				break
			}
		}
		n := len([]rune(matched))
		switch {
		case n > 1:
			i += n
			continue
		case n == 1 && (strings.ContainsRune(particles, r) || endsFragment(rs, i) || !partOfKnownWord(rs, i, known)):
			i++
			continue
		}
		keep[i] = true
		i++
	}
	var frags []string
	start := -1
	for i := 0; i <= len(rs); i++ {
		if i < len(rs) && keep[i] {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			frags = append(frags, string(rs[start:i]))
			start = -1
		}
	}
	return frags
}

// trailingFunctionWords rarely end a word, so last in a run they are
// function words; 能, 中, 会, 地 end many words (氢能, 集中, 大会, 土地).
const trailingFunctionWords = "在是和与及或对把被让给就也又这那些该着过都还"

// endsFragment: such a stopword last in its run (新区在|哪里) is a function
// word even when the reports happen to contain the bigram (新区在…).
func endsFragment(rs []rune, i int) bool {
	if !strings.ContainsRune(trailingFunctionWords, rs[i]) {
		return false
	}
	if i+1 == len(rs) || !unicode.Is(unicode.Han, rs[i+1]) {
		return true
	}
	for _, w := range stopwords.words[rs[i+1]] {
		if len([]rune(w)) > 1 && strings.HasPrefix(string(rs[i+1:]), w) {
			return true
		}
	}
	return false
}

func partOfKnownWord(rs []rune, i int, known knownBigram) bool {
	if known == nil {
		return false
	}
	if i > 0 && unicode.Is(unicode.Han, rs[i-1]) && known(string(rs[i-1:i+1])) {
		return true
	}
	return i+1 < len(rs) && unicode.Is(unicode.Han, rs[i+1]) && known(string(rs[i:i+2]))
}

// foldQuestion is a question as search and comparisons read it: folded
// (corpus.Fold) and with its two-digit years in full.
func foldQuestion(question string) string {
	return spellShortYears(corpus.Fold(question))
}

// shortYearRe finds a year written with two digits, as chat messages do:
// 06年 or '08年 (20xx), '98年 (19xx). Two digits without a leading 0 or an
// apostrophe are left alone: 10年, 20年 are as often ten or twenty years
// (近10年, 20年来) as a year.
var shortYearRe = regexp.MustCompile(`(^|[^0-9])(['‘’]([0-9]{2})|(0[0-9]))年`)

// durationBefore are what, right before a number of years, makes it a
// span of time (近05年 is odd, but 这'10年 is not a year either).
var durationBefore = []string{"近", "这", "前", "后", "过去", "最近", "多", "几", "十"}

// spellShortYears writes a question's two-digit years in full, so that
// scope, period and comparisons read 06年 as 2006年.
func spellShortYears(q string) string {
	if !strings.Contains(q, "年") {
		return q
	}
	var b strings.Builder
	last := 0
	for _, m := range shortYearRe.FindAllStringSubmatchIndex(q, -1) {
		// m: whole match, lead, year part, digits after ', digits with 0.
		digitsAt := m[6]
		if digitsAt < 0 {
			digitsAt = m[8]
		}
		digits := q[digitsAt : digitsAt+2]
		if spanBefore(q[:m[3]]) || digits[0] >= '3' && digits[0] < '5' && m[8] < 0 {
			continue // a span of years (近05年), or '35年: neither century likely
		}
		century := "20"
		if digits[0] >= '5' {
			century = "19" // '98年: reports go back to 1954
		}
		b.WriteString(q[last:m[4]])
		b.WriteString(century + digits + "年")
		last = m[1]
	}
	if last == 0 {
		return q
	}
	b.WriteString(q[last:])
	return b.String()
}

// spanBefore: the text before a number of years makes it a span of time.
func spanBefore(before string) bool {
	for _, d := range durationBefore {
		if strings.HasSuffix(before, d) {
			return true
		}
	}
	return false
}
