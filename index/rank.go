package index

import (
	"regexp"
	"sort"
	"strings"

	"github.com/reportbot/reportbot/corpus"
)

// Ranking. A sentence answers a question when it covers what the question
// asks about: each character of the question's words counts as covered when
// a bigram around it occurs in the sentence (or, for less, in its heading or
// item lead), weighted by how rare that bigram is in the reports. Bigrams
// the reports never contain (the seams between two words, 河生 in 黄河生态)
// carry no weight, but characters the reports never use do, with the highest
// weight: a question about 房价 is not answered by a sentence about 新区.
const (
	minCoverage       = 0.5  // below this the reports do not cover the question
	relativeCoverage  = 0.7  // later answers must cover this much of the best one's coverage
	sectionWeight     = 0.6  // a match in the section heading counts this much
	introWeight       = 0.95 // ... in the heading of the paragraph that opens the section
	leadWeight        = 0.8  // a match in the item's lead sentence
	titleWeight       = 0.8  // a match in the report's title: the whole report is about it
	sectionBonus      = 0.1  // the question names the section this sentence introduces
	figureBonus       = 0.06 // the question asks for an amount and the sentence has one
	unitBonus         = 0.15 // ... in the unit asked for (几所 → 10所)
	aimBonus          = 0.05 // the question asks for a target and the sentence names one
	headlineBonus     = 0.08 // ... and the sentence is one of the report's headline targets
	timeBonus         = 0.06 // the question asks when, and the sentence states a time
	timeWordBonus     = 0.03 // the sentence says the question's 今年/去年
	breakdownPenalty  = 0.03 // a sentence that breaks the one before into parts (其中…)
	lengthPenalty     = 0.0004
	genericShare      = 0.12 // a word in more than this share of sentences tells nothing alone
	minGenericDocs    = 50   // fewer sentences than this: no question is generic
	contiguityBonus   = 0.1  // all the question's words appear in runs of 3+ characters as written
	contiguityLeaders = 10   // candidates checked for contiguity
	periodBonus       = 0.1  // the sentence speaks of the time asked about (去年 → review)
	periodPenalty     = 0.08 // ... of the other time
	planDefault       = 0.02 // no time asked: this year's plan before the review
	definitionBonus   = 0.4  // a glossary entry (名词解释) for the term asked about
	definingBonus     = 0.15 // a sentence of the form X是… for the term asked about
)

// periodScore prefers sentences of the time the question asks about.
func (rk *ranker) periodScore(p *passage) float64 {
	got := p.sentence.Paragraph.Period
	switch rk.q.period {
	case periodReview:
		switch got {
		case corpus.PeriodReview:
			return periodBonus
		case corpus.PeriodPlan:
			return -periodPenalty
		}
	case periodPlan:
		switch got {
		case corpus.PeriodPlan:
			return periodBonus
		case corpus.PeriodReview:
			return -periodPenalty
		}
	default:
		if got == corpus.PeriodPlan {
			return planDefault
		}
	}
	return 0
}

// definitionScore puts the glossary entry of the term asked about first.
func (rk *ranker) definitionScore(p *passage) float64 {
	term := p.term
	if !rk.q.definition || term == "" {
		return 0
	}
	for _, f := range rk.q.fragments {
		if len([]rune(term)) >= 2 && (strings.Contains(f, term) || strings.Contains(term, f) && len([]rune(f)) >= 2) {
			return definitionBonus
		}
	}
	return 0
}

// definingScore prefers, for "X是什么意思", a sentence that says what X is:
// X是…, “X”是…, X是指…, X即….
func (rk *ranker) definingScore(p *passage) float64 {
	if !rk.q.definition {
		return 0
	}
	for _, f := range rk.q.fragments {
		if len([]rune(f)) < 2 {
			continue
		}
		for _, form := range [...]string{f + "是", f + "”是", f + "就是", f + "”就是", f + "即", f + "指"} {
			if strings.Contains(p.text, form) {
				return definingBonus
			}
		}
	}
	return 0
}

type ranker struct {
	q        query
	ix       *Index
	concepts []rankedConcept
	total    float64
	scope    scope
}

type rankedConcept struct {
	weight float64
	alts   []rankedAlt
	// missing: a specific word (a noun, a name) that no report uses and
	// that has no official phrasing.
	missing bool
}

// rankedAlt is one wording of a concept, prepared for matching.
type rankedAlt struct {
	text    string // the wording, folded
	literal string // latin and number wordings: matched as written
	digits  string // a number's digits: half credit when only they match

	// Chinese wordings:
	bigrams []string // known bigrams (the reports contain them)
	chars   []rankedChar
	weight  float64
	credit  float64 // 1 for the user's own word, less for a rewrite
}

type rankedChar struct {
	r       rune
	weight  float64
	bigrams []int // indexes into bigrams next to this character; none: match the rune itself
}

func newRanker(q query, ix *Index, df func(string) int) *ranker {
	rk := &ranker{q: q, ix: ix}
	maxIDF := ix.idf(0)
	for _, c := range q.concepts {
		rc := rankedConcept{}
		for i, alt := range c.alts {
			ra := rankedAlt{}
			switch {
			case c.kind == conceptNumber:
				ra.literal, ra.weight = alt, maxIDF
				ra.digits = strings.TrimRightFunc(alt, func(r rune) bool { return r < '0' || r > '9' })
			case isHan(alt): // Chinese words, and rewrites of Latin ones (gdp → 国内生产总值)
				ra = hanAlt(alt, ix, df)
			default:
				ra.literal, ra.weight = alt, maxIDF*0.8
			}
			ra.text = alt
			if i > 0 {
				if !ra.inReports(ix) {
					continue // a phrasing no report uses cannot match
				}
				ra.credit = rewriteCredit
				// An official phrasing more specific than the user's word
				// (国内生产总值增长 for 经济增长, rarer in the reports)
				// is the better evidence: full credit.
				if own := rc.alts; len(own) > 0 && own[0].inReports(ix) && len(ra.chars) > 0 && len(own[0].chars) > 0 &&
					ra.weight/float64(len(ra.chars)) > own[0].weight/float64(len(own[0].chars)) {
					ra.credit = 1
				}
			} else {
				ra.credit = 1
			}
			rc.alts = append(rc.alts, ra)
		}
		rc.weight, rc.missing = conceptWeight(c, rc.alts, ix)
		ownWordCredit(rc.alts)
		if c.kind == conceptHan && len([]rune(c.alts[0])) >= 2 && rk.inTitle(c.alts[0]) {
			// The report's own subject (新区 in a report on 兰州新区) is
			// in every sentence's background: it tells which sentence little.
			rc.weight *= titleWordWeight
		}
		rk.concepts = append(rk.concepts, rc)
		rk.total += rc.weight
	}
	return rk
}

// Weights of question words the reports do not use. A word with official
// phrasings that the reports use weighs as they do; an everyday word with
// none (跑, 照顾, 家) weighs little, since reports never speak that way; a
// specific noun with none (票价, 股票 in reports that never say it) keeps its
// full weight: no sentence without it answers, so the answer is "not found".
const (
	rewriteCredit   = 0.85  // an official phrasing counts this much of the user's own word
	partialRewrite  = 0.5   // share a phrasing keeps when only part of it matches
	fillerWeight    = 0.08  // share of its weight an everyday word the reports never use keeps
	specificFreq    = 50000 // general frequency under which a noun is specific (问题, 地方 are not)
	commonFreq      = 30000 // general frequency over which a word says little (发展, 问题, 领导)
	commonWeight    = 0.5   // share of its weight such a word keeps
	singleRuneWord  = 0.5   // share of its weight a one-character word keeps
	functionWeight  = 0.2   // share of its weight an adverb, pronoun or conjunction keeps
	verbWeight      = 0.6   // share of its weight a verb keeps
	titleWordWeight = 0.4   // share of its weight a word of a report's title keeps
	// missingWeight multiplies the weight of a specific word no report uses
	// and that has no official phrasing (金牌, 票价): the question is about
	// it, and a sentence without it rarely answers.
	missingWeight = 2.0
)

func conceptWeight(c concept, alts []rankedAlt, ix *Index) (weight float64, missing bool) {
	if c.kind != conceptHan || len(alts) == 0 {
		if len(alts) == 0 {
			return 0, false
		}
		return alts[0].weight, false
	}
	own := alts[0]
	word := own.text
	freq, class := generalDictionary().lookup(word)
	runes := len([]rune(word))
	// An everyday word with official phrasings weighs as they do, each
	// character as an average one of theirs: 老百姓 is rare in reports, but
	// a question about it is a question about 居民 or 群众.
	best := 0.0
	for _, a := range alts[1:] {
		if n := len(a.chars); n > 0 {
			best = max(best, a.weight/float64(n))
		}
	}
	asOfficial := best * float64(min(runes, 4))
	if own.inReports(ix) {
		w := own.weight
		if freq > commonFreq {
			w *= commonWeight
		}
		switch class {
		case classOther:
			w *= functionWeight // 越来越, 一直, 还是: how the question is put
		case classVerb:
			w *= verbWeight // 控制, 打算, 推进: reports are found by their nouns
		}
		if best > 0 {
			w = min(w, asOfficial)
		}
		return w, false
	}
	if best > 0 {
		return asOfficial, false
	}
	specific := runes >= 2 && freq < specificFreq && (class == classNoun || class == className || class == classUnknown)
	if specific {
		return missingWeight * own.weight, true
	}
	w := own.weight * fillerWeight
	if runes == 1 {
		w *= singleRuneWord
	}
	return w, false
}

// ownWordCredit lowers the credit of the user's own word when it is much
// commoner in the reports than its official phrasings (工作 for 就业): a
// sentence that only says 工作 is weak evidence of 就业.
func ownWordCredit(alts []rankedAlt) {
	if len(alts) < 2 || len(alts[0].chars) == 0 {
		return
	}
	own := alts[0].weight / float64(len(alts[0].chars))
	best := 0.0
	for _, a := range alts[1:] {
		if len(a.chars) > 0 {
			best = max(best, a.weight/float64(len(a.chars)))
		}
	}
	if best > 0 && own < best {
		alts[0].credit = max(own/best, 0.3)
	}
}

// unanswerable: the question asks for an amount (运费多少钱, 常住人口多少)
// or a person (主任是谁) and its subject is a word no report uses: whatever
// figure a sentence holds, it is not the one asked for.
func (rk *ranker) unanswerable() bool {
	if !rk.q.asksAmount && !rk.q.asksPerson {
		return false
	}
	for _, c := range rk.concepts {
		if c.missing {
			return true
		}
	}
	return rk.q.asksPerson
}

// inReports: every character of the wording is covered by a bigram the
// reports use (or, for one character, the character itself occurs).
func (a rankedAlt) inReports(ix *Index) bool {
	if a.literal != "" {
		return true
	}
	if len(a.chars) == 0 {
		return false
	}
	if len(a.chars) == 1 {
		return ix.charDF[a.chars[0].r] > 0
	}
	for _, ch := range a.chars {
		if len(ch.bigrams) == 0 {
			return false
		}
	}
	return true
}

// unknownWord is the weight, relative to the rarest, of a character of a
// question word that no bigram of the reports contains (人口 when the reports
// never say 人口): the word is probably not covered, however common its
// characters are.
const unknownWord = 0.6

// loneChar is the credit for finding one character of such a word on its
// own: 人 of 人口 in 法人 is no evidence the sentence speaks of 人口.
const loneChar = 0.3

func hanAlt(s string, ix *Index, df func(string) int) rankedAlt {
	rs := []rune(s)
	ra := rankedAlt{}
	if len(rs) == 1 {
		ra.chars = []rankedChar{{r: rs[0], weight: 0.5 * ix.idf(ix.charDF[rs[0]])}}
		ra.weight = ra.chars[0].weight
		return ra
	}
	idfs := make([]float64, len(rs)-1)
	index := make([]int, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		b := string(rs[i : i+2])
		index[i] = -1
		if n := df(b); n > 0 {
			index[i] = len(ra.bigrams)
			ra.bigrams = append(ra.bigrams, b)
			idfs[i] = ix.idf(n)
		}
	}
	for j, r := range rs {
		c := rankedChar{r: r}
		for _, i := range [2]int{j - 1, j} {
			if i >= 0 && i < len(index) && index[i] >= 0 {
				c.bigrams = append(c.bigrams, index[i])
				c.weight = max(c.weight, idfs[i])
			}
		}
		if len(c.bigrams) == 0 {
			c.weight = unknownWord * ix.idf(0)
			if n := ix.charDF[r]; n == 0 {
				c.weight = ix.idf(0)
			}
		}
		ra.chars = append(ra.chars, c)
		ra.weight += c.weight
	}
	return ra
}

// where tells how well a string matches a passage: 1 in its text, less in
// its headings, 0 nowhere.
func where(p *passage, s string) float64 {
	if strings.Contains(p.text, s) {
		return 1
	}
	best := 0.0
	if p.lead != "" && strings.Contains(p.lead, s) {
		best = leadWeight
	}
	if strings.Contains(p.title, s) {
		best = max(best, titleWeight)
	}
	if p.section != "" && strings.Contains(p.section, s) {
		w := sectionWeight
		if p.intro {
			w = introWeight
		}
		best = max(best, w)
	}
	return best
}

// coverage of the question by one passage, in [0,1]; solid is false when
// only single characters matched, which is never an answer by itself.
func (rk *ranker) coverage(p *passage) (cov float64, solid bool) {
	if rk.total == 0 {
		return 0, false
	}
	sum := 0.0
	var matched [16]float64
	for _, c := range rk.concepts {
		best := 0.0
		for ai, a := range c.alts {
			f := 0.0
			switch {
			case a.literal != "":
				f = where(p, a.literal)
				if f == 0 && a.digits != "" && a.digits != a.literal && strings.Contains(p.text, a.digits) {
					f = 0.5
				}
				if f > 0 {
					solid = true
				}
			case a.weight > 0:
				m := matched[:0]
				for _, b := range a.bigrams {
					w := where(p, b)
					if w > 0 {
						solid = true
					}
					m = append(m, w)
				}
				got := 0.0
				for _, ch := range a.chars {
					cv := 0.0
					if len(ch.bigrams) == 0 {
						cv = where(p, string(ch.r))
						if len(a.chars) > 1 {
							cv *= loneChar
						}
					}
					for _, i := range ch.bigrams {
						cv = max(cv, m[i])
					}
					got += ch.weight * cv
				}
				f = got / a.weight
				if ai > 0 && f < 0.99 { // a phrasing (alts[0] is the user's own word) matched in part
					f *= partialRewrite
				}
			}
			best = max(best, f*a.credit)
		}
		sum += c.weight * best
	}
	return sum / rk.total, solid
}

type scored struct {
	p     int
	cov   float64
	score float64
}

// generic tells whether every word of the question is common in the reports
// (发展, 兰州新区 in a report on 兰州新区): any sentence would match, so none
// answers it.
func (rk *ranker) generic(textDF func(string) int) bool {
	if rk.ix.docCount < minGenericDocs {
		return false // in a handful of sentences every word looks common
	}
	limit := int(genericShare * float64(rk.ix.docCount))
	for _, c := range rk.concepts {
		if !rk.commonConcept(c, textDF, limit) {
			return false
		}
	}
	return true
}

// commonConcept: every wording of the concept is in a report's title (the
// report's own subject, 兰州新区) or made of bigrams in more than limit
// sentences.
func (rk *ranker) commonConcept(c rankedConcept, textDF func(string) int, limit int) bool {
	for _, a := range c.alts {
		if a.literal != "" || len(a.bigrams) == 0 {
			return false
		}
		if rk.inTitle(a.text) {
			continue
		}
		for _, ch := range a.chars {
			if len(ch.bigrams) == 0 {
				return false
			}
		}
		for _, b := range a.bigrams {
			if textDF(b) <= limit {
				return false
			}
		}
	}
	return true
}

func (rk *ranker) inTitle(s string) bool {
	for _, t := range rk.ix.titles {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func (rk *ranker) rank(cands []int, limit int) []corpus.Hit {
	var ss []scored
	for _, i := range cands {
		p := &rk.ix.passages[i]
		cov, solid := rk.coverage(p)
		if !solid || cov < minCoverage {
			continue
		}
		if rk.q.pastOnly && p.sentence.Paragraph.Period == corpus.PeriodPlan {
			continue // 中欧班列去年开了多少列 is not answered by this year's target
		}
		if rk.q.asksAmount && !rk.q.definition {
			if len(p.sentence.Figures) == 0 {
				continue // 新区有几个镇: a sentence without a number does not say
			}
			if len(rk.q.unitHints) > 0 && !hasUnit(p.sentence.Figures, rk.q.unitHints) {
				continue // 多少钱 is not answered by a count of 万人
			}
		}

		score := cov - lengthPenalty*float64(min(p.runes, 200))
		if rk.q.wantsFigure && len(p.sentence.Figures) > 0 {
			score += figureBonus
		}
		if p.intro && rk.namesSection(p) {
			score += sectionBonus
		}
		for _, a := range rk.q.aims {
			if strings.Contains(p.text, a) {
				score += aimBonus
				break
			}
		}
		if len(rk.q.aims) > 0 && p.headline {
			score += headlineBonus // 城镇新增就业目标: the line of the main targets
		}
		if strings.HasPrefix(p.text, "其中") {
			score -= breakdownPenalty // 其中中央财政赤字…: a part of the figure before it
		}
		if hasUnit(p.sentence.Figures, rk.q.unitHints) {
			score += unitBonus
		}
		for _, w := range rk.q.timeWords {
			if strings.Contains(p.text, w) {
				score += timeWordBonus
				break
			}
		}
		if rk.q.asksDate && !statesTime(p.text) {
			continue // 新区哪年成立的: a sentence with no date does not say
		}
		if rk.q.asksTime && statesTime(p.text) {
			score += timeBonus // 什么时候: a sentence that names a date or deadline
		}
		score += rk.periodScore(p) + rk.definitionScore(p) + rk.definingScore(p)
		ss = append(ss, scored{p: i, cov: cov, score: score})
	}
	if len(ss) == 0 {
		return nil
	}
	byScore := func() {
		sort.Slice(ss, func(a, b int) bool {
			if ss[a].score != ss[b].score {
				return ss[a].score > ss[b].score
			}
			// The same words in several years' reports: the newest first.
			if ya, yb := rk.ix.passages[ss[a].p].report.Year, rk.ix.passages[ss[b].p].report.Year; ya != yb {
				return ya > yb
			}
			return ss[a].p < ss[b].p
		})
	}
	byScore()
	// The question's words in a row, as written (全域旅游示范区), are better
	// evidence than the same words scattered over a long sentence. Checked
	// on the leaders only: it costs more than the coverage.
	for i := range ss[:min(len(ss), contiguityLeaders)] {
		ss[i].score += contiguityBonus * rk.contiguity(&rk.ix.passages[ss[i].p])
	}
	byScore()
	if !rk.scope.named {
		rk.newestFirst(ss)
	}
	floor := ss[0].cov * relativeCoverage
	var hits []corpus.Hit
	for _, s := range ss {
		if len(hits) == limit {
			break
		}
		if s.cov < floor {
			continue
		}
		p := &rk.ix.passages[s.p]
		hits = append(hits, corpus.Hit{Report: p.report, Sentence: p.sentence, Score: s.score})
	}
	return hits
}

// reportTie is how close to the best answer another report's answer must
// score to count as answering the question as well.
const reportTie = 0.06

// newestFirst: a question that names no year or region is answered from the
// newest report that answers it about as well as the best one does, and at
// equal years from the national report. The leader moves to the front; the
// rest keep their order (更多 shows them).
func (rk *ranker) newestFirst(ss []scored) {
	best, pick := ss[0].score, 0
	for i := 1; i < len(ss); i++ {
		if ss[i].score < best-reportTie {
			continue
		}
		if corpus.Newer(rk.ix.passages[ss[i].p].report, rk.ix.passages[ss[pick].p].report) {
			pick = i
		}
	}
	if pick > 0 {
		leader := ss[pick]
		copy(ss[1:pick+1], ss[:pick])
		ss[0] = leader
	}
}

// contiguity is the share of the question's content characters found in
// the sentence in runs of at least three, as the question wrote them
// (城镇新增就业 in a row), in [0,1].
func (rk *ranker) contiguity(p *passage) float64 {
	total, covered := 0, 0
	for _, frag := range rk.q.fragments {
		rs := []rune(frag)
		total += len(rs)
		for i := 0; i+3 <= len(rs); {
			j := i + 3
			if !strings.Contains(p.text, string(rs[i:j])) {
				i++
				continue
			}
			for j < len(rs) && strings.Contains(p.text, string(rs[i:j+1])) {
				j++
			}
			covered += j - i
			i = j
		}
	}
	if total == 0 {
		return 0
	}
	return float64(covered) / float64(total)
}

// namesSection tells whether one of the question's words is the name of a
// section above the passage (竞争力 asks for the part called 竞争力).
func (rk *ranker) namesSection(p *passage) bool {
	for _, c := range rk.q.concepts {
		for _, name := range p.names {
			if name != "" && c.alts[0] == name {
				return true
			}
		}
	}
	return false
}

// timeRe finds a stated time: a year, a month, a deadline.
var timeRe = regexp.MustCompile(`(?:19|20)\d\d年|\d{1,2}月|年底|年内|年前|年中|上半年|下半年|月底|之前|以前|前完成|届时|到期|期限|时限|\d+(?:个)?(?:工作日|小时|天|日)`)

func statesTime(text string) bool { return timeRe.MatchString(text) }

func hasUnit(figs []corpus.Figure, units []string) bool {
	for _, u := range units {
		for _, f := range figs {
			if f.Unit == u || strings.Contains(f.Text, u) {
				return true
			}
		}
	}
	return false
}
