package index

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

// Comparisons. "2021年到2023年GDP增长目标分别是多少", "赤字率这几年的变化",
// "2022年GDP目标定的多少，实际完成多少", "浙江和四川的经济增长目标对比": the
// question names several years or regions (or a range, or "these years"), or
// one year and asks for its outcome. Each report it covers is searched for the
// topic on its own; each row shows the clause that answers, with its figure.

var (
	// 2021年到2023年, 2021到2023年, 2021-2023年, 2021至2023.
	yearRangeRe = regexp.MustCompile(`((?:19|20)\d\d)\s*年?\s*(?:到|至|-|－|—|~|～)\s*((?:19|20)\d\d)\s*年?`)
	anyYearRe   = regexp.MustCompile(`(?:19|20)\d\d`)
	// Every report of the body: 这几年, 历年, 近几年, 近五年, 每年.
	allYearsRe = regexp.MustCompile(`这几年|这些年|历年|近几年|近年来|几年来|各年|(?:近|这|最近)([二三四五六七八九十两\d])年`)
	// A year's target beside its outcome: 实际完成, 完成得怎么样, 最后.
	outcomeRe = regexp.MustCompile(`实际|完成了?多少|完成得|完成情况|最后|结果|做到了?多少|达到了?多少|涨了多少|兑现`)
	// Words that only say "compare"; the rest of the question is the topic.
	compareWordsRe = regexp.MustCompile(`分别是|分别|各是|各自|各|对比一下|对比|比较一下|比较|相比|比一比|比|变化|怎么变的?|有什么变化|有啥变化|有何变化|如何变化|变了|走势|趋势|定的|原计划|计划|和|跟|与|同|及|还有|以及|到|至|这几年|这些年|历年|近几年|近年来|几年来|每年|逐年|各年|实际|完成了?|完成得怎么样|完成情况|最后|结果|做到了?|达到了?|兑现|怎么样|如何`)
)

// maxComparisonRows bounds a comparison so that it fits a chat reply.
const maxComparisonRows = 8

// Compare answers a question that spans reports, or says it is not one
// (ok false). A comparison whose reports say nothing on the topic has rows
// with no hit.
func (ix *Index) Compare(ctx context.Context, question string) (cmp corpus.Comparison, ok bool, err error) {
	q := foldQuestion(question)
	plan, ok := ix.comparisonPlan(q)
	if !ok {
		return cmp, false, nil
	}
	if len(plan.rows) > maxComparisonRows {
		// Only the newest rows are shown: search only those.
		cmp.Omitted = len(plan.rows) - maxComparisonRows
		plan.rows = plan.rows[len(plan.rows)-maxComparisonRows:]
	}
	topic := compareWordsRe.ReplaceAllString(plan.rest, " ")
	wantsFigures := figureIntentRe.MatchString(q)
	target := ""     // the target row's clause, without its figures: what its outcome reports
	targetUnit := "" // and the unit of its figure: a % target's outcome is a %
	for _, row := range plan.rows {
		if row.Report == nil {
			cmp.Rows = append(cmp.Rows, row)
			continue
		}
		sc := scope{named: true, reports: []int{ix.reportPos[row.Report]}}
		// A target row asks for the plan, an outcome row for the review;
		// other rows go by the question's own words (去年 → the review).
		want, asked := periodAny, topic
		switch row.Role {
		case "目标":
			want = periodPlan
		case "实际":
			want = periodReview
			// The outcome of 国内生产总值增长5.5%左右 is what the review
			// says of 国内生产总值增长: ask with the target's own words.
			if target != "" {
				asked = target
			} else {
				asked = aimWordsRe.ReplaceAllString(topic, " ")
			}
		}
		hits, err := ix.search(ctx, asked, sc, want, 3)
		if err != nil {
			return cmp, false, err
		}
		unit := ""
		if row.Role == "实际" {
			unit = targetUnit
		}
		// The best sentence whose clause states the topic.
		for _, h := range hits {
			if (row.Role != "" || wantsFigures) && len(h.Sentence.Figures) == 0 {
				continue // a target, an outcome or an amount is a figure
			}
			if clause, figs, _, ok := ix.clauseFor(ctx, h.Sentence, asked, unit); ok {
				row.Hit, row.Clause, row.Figures = &h, clause, figs
				break
			}
		}
		if row.Hit != nil && row.Role == "目标" {
			target = aimWordsRe.ReplaceAllString(withoutFigures(row.Clause), " ")
			if len(row.Figures) > 0 {
				targetUnit = figureUnit(row.Hit.Sentence, row.Figures[0])
			}
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	return cmp, true, nil
}

// comparisonPlan is the rows a comparison question asks for, before searching.
type comparisonPlan struct {
	rows []corpus.ComparisonRow
	rest string // the question without years and region names
}

func (ix *Index) comparisonPlan(q string) (comparisonPlan, bool) {
	var p comparisonPlan
	// Regions named, in the order named (浙江和四川).
	type named struct {
		at      int
		name    string
		reports []*corpus.Report
	}
	var regions []named
	rest := q
	for _, rg := range ix.regionNameIndex() {
		if i := strings.Index(rest, rg.text); i >= 0 {
			var reports []*corpus.Report
			for _, p := range rg.reports {
				reports = append(reports, ix.reports[p])
			}
			regions = append(regions, named{at: i, name: rg.text, reports: reports})
			rest = strings.Replace(rest, rg.text, strings.Repeat(" ", len([]rune(rg.text))), 1)
		}
	}
	sort.Slice(regions, func(i, j int) bool { return regions[i].at < regions[j].at })
	// Years named: a range, else each year.
	var years []int
	if m := yearRangeRe.FindStringSubmatch(rest); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if a > b {
			a, b = b, a
		}
		for y := a; y <= b && y-a < 30; y++ {
			years = append(years, y)
		}
		rest = strings.Replace(rest, m[0], " ", 1)
	}
	for _, m := range anyYearRe.FindAllString(rest, -1) {
		y, _ := strconv.Atoi(m)
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	rest = yearRe.ReplaceAllString(rest, " ")
	rest = anyYearRe.ReplaceAllString(rest, " ")
	sort.Ints(years)
	p.rest = rest
	all := allYearsRe.FindStringSubmatch(q)
	outcome := outcomeRe.MatchString(q)

	// The body whose years are compared: the one region named, else national
	// when loaded, else every report.
	body := func() []*corpus.Report {
		if len(regions) == 1 {
			return regions[0].reports
		}
		if nat := ix.regionReports(corpus.National); len(nat) > 0 {
			return nat
		}
		return ix.reports
	}
	switch {
	case len(regions) >= 2:
		// 浙江和四川: each region's report of the year named, else its newest.
		for _, rg := range regions {
			r := pickReport(rg.reports, years)
			row := corpus.ComparisonRow{Label: shortName(rg.name), Region: rg.name, Report: r}
			if r != nil {
				row.Year, row.Region = r.Year, r.Region
			}
			p.rows = append(p.rows, row)
		}
	case len(years) == 1 && outcome:
		// 2022年目标多少，实际完成多少: the plan of 2022 and the review of 2023.
		reports := body()
		y := years[0]
		p.rows = append(p.rows,
			corpus.ComparisonRow{Label: strconv.Itoa(y) + "年目标", Year: y, Role: "目标", Report: reportOfYear(reports, y)},
			corpus.ComparisonRow{Label: strconv.Itoa(y) + "年实际", Year: y, Role: "实际", Report: reportOfYear(reports, y+1)})
	case len(years) >= 2 || all != nil:
		reports := body()
		if len(years) < 2 {
			years = nil
			for _, r := range reports {
				if r.Year > 0 && !slices.Contains(years, r.Year) {
					years = append(years, r.Year)
				}
			}
			sort.Ints(years)
			if all != nil && all[1] != "" { // 近五年: the newest N
				if n := parseCount(all[1]); n > 0 && n < len(years) {
					years = years[len(years)-n:]
				}
			}
		}
		years = clipToReports(years, reports)
		for _, y := range years {
			row := corpus.ComparisonRow{Label: strconv.Itoa(y) + "年", Year: y, Report: reportOfYear(reports, y)}
			if row.Report != nil {
				row.Region = row.Report.Region
			}
			p.rows = append(p.rows, row)
		}
	default:
		return p, false
	}
	if len(p.rows) < 2 {
		return p, false
	}
	return p, true
}

func (ix *Index) regionReports(region string) []*corpus.Report {
	var out []*corpus.Report
	for _, r := range ix.reports {
		if r.Region == region {
			out = append(out, r)
		}
	}
	return out
}

// clipToReports drops the years of a long range (2018年到2099年) before the
// first and after the last report of the body: a row for each of them would
// only say there is no report. Years in between stay, missing or not.
func clipToReports(years []int, reports []*corpus.Report) []int {
	lo, hi := 0, 0
	for _, r := range reports {
		if r.Year == 0 {
			continue
		}
		if lo == 0 || r.Year < lo {
			lo = r.Year
		}
		hi = max(hi, r.Year)
	}
	var out []int
	for _, y := range years {
		if lo == 0 || y >= lo && y <= hi {
			out = append(out, y)
		}
	}
	if len(out) < len(years) && len(out) < 2 {
		return years // a range outside every report: say so year by year
	}
	return out
}

func reportOfYear(reports []*corpus.Report, y int) *corpus.Report {
	for _, r := range reports {
		if r.Year == y {
			return r
		}
	}
	return nil
}

// pickReport is the report of one of the years named, else the newest.
func pickReport(reports []*corpus.Report, years []int) *corpus.Report {
	var best *corpus.Report
	for _, r := range reports {
		if len(years) > 0 && !slices.Contains(years, r.Year) {
			continue
		}
		if best == nil || r.Year > best.Year {
			best = r
		}
	}
	return best
}

func shortName(region string) string {
	if region == corpus.National || region == "国务院" || region == "中央" {
		return corpus.National
	}
	return region
}

func parseCount(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return strings.IndexRune("零一二三四五六七八九十", []rune(s)[0])
}

// clauseFor is the part of a sentence that answers the topic: the clause of
// the figure that covers the topic best (as the ranking measures coverage,
// official phrasings included), the shortest of equals, with the figures of
// that clause. ok is false when no clause covers a fair share of the topic:
// the report does not state it (a province whose targets omit 失业率).
func (ix *Index) clauseFor(ctx context.Context, s *corpus.Sentence, topic, unit string) (clause string, figs []string, cov float64, ok bool) {
	if len(s.Figures) == 0 {
		return s.Text, nil, 0, true
	}
	ts, done, err := ix.termStats(ctx)
	if err != nil {
		return s.Text, nil, 0, true
	}
	defer done()
	df := func(t string) int { f := ts.lookup(t); return f.text + f.context }
	rk := newRanker(parseQuery(topic, ix.thesaurus, func(b string) bool { return df(b) > 0 }), ix, df)
	best, bestCov, bestLen := -1, 0.0, 0
	sameUnit := unit != "" && slices.ContainsFunc(s.Figures, func(f corpus.Figure) bool { return f.Unit == unit })
	for i, f := range s.Figures {
		if sameUnit && f.Unit != unit {
			continue // 国内生产总值达到63.6万亿元 is not the outcome of a % target
		}
		// The clause alone, or, counting a little less, with the one before
		// it (国内生产总值达到63.6万亿元，比上年增长7.4%).
		cov, _ := rk.coverage(&passage{text: corpus.Fold(f.Clause)})
		if wide, _ := rk.coverage(&passage{text: corpus.Fold(withPrevious(s.Text, f.Clause))}); 0.9*wide > cov {
			cov = 0.9 * wide
		}
		n := len([]rune(f.Clause))
		if cov > bestCov+1e-9 || cov > bestCov-1e-9 && best >= 0 && n < bestLen {
			best, bestCov, bestLen = i, cov, n
		}
	}
	if best < 0 || bestCov < minClauseCoverage {
		return "", nil, 0, false
	}
	f := s.Figures[best]
	for _, g := range s.Figures {
		if g.Clause == f.Clause {
			figs = append(figs, g.Text)
		}
	}
	clause = f.Clause
	if own, _ := rk.coverage(&passage{text: corpus.Fold(clause)}); own < minClauseCoverage {
		clause = withPrevious(s.Text, clause) // the subject stands in the clause before
	}
	return clause, figs, bestCov, true
}

// withPrevious is clause with the comma clause before it in text, when
// there is one.
func withPrevious(text, clause string) string {
	i := strings.Index(text, clause)
	if i <= 0 {
		return clause
	}
	head := strings.TrimRight(text[:i], "，,")
	if head == text[:i] {
		return clause // not preceded by a comma clause
	}
	start := 0
	if j := strings.LastIndexAny(head, "，,；;：:。"); j >= 0 {
		_, n := utf8.DecodeRuneInString(head[j:])
		start = j + n
	}
	return strings.TrimSpace(text[start:i]) + clause
}

func figureUnit(s *corpus.Sentence, text string) string {
	for _, f := range s.Figures {
		if f.Text == text {
			return f.Unit
		}
	}
	return ""
}

// minClauseCoverage: below this share of the topic a clause does not state it.
const minClauseCoverage = 0.3

// withoutFigures is a clause with its figures taken out: 国内生产总值增长5.5%左右
// → 国内生产总值增长.
func withoutFigures(clause string) string {
	return targetVerbRe.ReplaceAllString(figureTextRe.ReplaceAllString(clause, " "), " ")
}

// targetVerbRe are the verbs of a target (控制在3%左右): its outcome is stated
// without them (上涨2%).
var targetVerbRe = regexp.MustCompile(`控制在|控制|保持在|稳定在|力争|确保|达到|实现|预期|左右|以上|以内`)

var figureTextRe = regexp.MustCompile(`[0-9０-９][0-9０-９.．,，%％‰]*(?:左右|以上|以内|以下|多|余)?`)

// aimWordsRe are the words that make a question about a target: an outcome
// is no target.
var aimWordsRe = regexp.MustCompile(`目标|预期|计划|任务|定的?|指标`)
