package index

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/reportbot/reportbot/corpus"
)

// Which reports a question is about. A year (2023年) and a region (浙江,
// 全国) named in the question restrict the answer to the reports of that year
// and region; a region that is a known place but has no loaded report must
// then be named by the answering sentence itself (a question about 广东 is
// never answered from 北京's report). With neither named, every report may
// answer, the newest first and, in a mixed corpus, the national one.

// places are the names of China's province-level divisions and their main
// cities, longest first (corpus/data/regions.txt).
var places = corpus.Places()

// scope is the set of reports a question may be answered from.
type scope struct {
	reports []int    // positions in Index.reports; nil: all
	named   bool     // the question named a year or a region
	year    int      // the year named, 0 for none
	places  []string // places named that no loaded report is about: the sentence must name them
	// required are other strings the sentence must hold: a year no report
	// is of, which the reports speak of (到2035年).
	required []string
	// regionNamed: the question named the region of a loaded report.
	regionNamed bool
	// reviewers are the reports of the year after the one named: their
	// review of the past year (过去一年) is what they say of it. reviewOnly
	// marks them once withReviewers has made them the reports that answer,
	// with their review sentences only.
	reviewers  []int
	reviewOnly map[*corpus.Report]bool
	// reportNamed: the year is that of a report named (2016年报告,
	// 2016年的政府工作报告), not a year asked about.
	reportNamed bool
}

var (
	yearOnlyRe     = regexp.MustCompile(`^((?:19|20)\d\d)年?$`)
	yearOfReportRe = regexp.MustCompile(`(?:19|20)\d\d\s*年?的?(?:政府)?(?:工作)?报告`)
)

// scopeOf reads the year and the regions a (folded) question names, and
// returns the question without the region names it used up.
func (ix *Index) scopeOf(question string) (scope, string) {
	var sc scope
	if m := yearRe.FindStringSubmatch(question); m != nil {
		sc.year, _ = strconv.Atoi(m[1])
	} else if m := yearOnlyRe.FindStringSubmatch(strings.TrimSpace(question)); m != nil {
		sc.year, _ = strconv.Atoi(m[1])
	}
	sc.reportNamed = yearOfReportRe.MatchString(question)
	names := ix.regionNameIndex()
	allowed := map[int]bool{}
	for _, n := range names {
		if !strings.Contains(question, n.text) {
			continue
		}
		question = strings.ReplaceAll(question, n.text, " ")
		for _, i := range n.reports {
			allowed[i] = true
		}
	}
	for _, p := range places {
		if strings.Contains(question, p) {
			sc.places = append(sc.places, p)
			question = strings.ReplaceAll(question, p, " ")
		}
	}
	sc.regionNamed = len(allowed) > 0
	if len(allowed) > 0 || sc.year != 0 {
		sc.named = true
		for i, r := range ix.reports {
			if len(allowed) > 0 && !allowed[i] {
				continue
			}
			switch {
			case sc.year == 0 || r.Year == sc.year:
				sc.reports = append(sc.reports, i)
			case r.Year == sc.year+1:
				sc.reviewers = append(sc.reviewers, i)
			}
		}
		if sc.reports == nil {
			sc.reports = []int{} // named, but no such report
		}
	}
	return sc, question
}

// withReviewers answers a question about what a year did from the next
// year's reports, with the sentences reviewing it: a report is written at
// the start of its year, so its own review is of the year before
// (2006年经济增长了多少 is answered by the 2007 report, never by the 2006
// one). So too a question about a year with no report that does not ask for
// a plan (2005年农民收入 over the 2006 report). A question that also says
// 去年 or 今年 names the year of a report, not the year it asks about
// (2016年报告里去年…).
func (sc scope) withReviewers(q query, reports []*corpus.Report) scope {
	if sc.year == 0 || len(sc.reviewers) == 0 || len(q.timeWords) > 0 || sc.reportNamed {
		return sc
	}
	// What was done: a past-tense question (完成了, 实际) or one asking how
	// much something grew (增长了多少), not one that merely mentions a
	// change (物价涨了, 困难户有补贴吗 asks for a measure).
	did := q.period == periodReview && (q.pastOnly || q.asksAmount)
	if !did && (len(sc.reports) > 0 || q.period == periodPlan) {
		return sc
	}
	sc.reviewOnly = make(map[*corpus.Report]bool, len(sc.reviewers))
	for _, i := range sc.reviewers {
		sc.reviewOnly[reports[i]] = true
	}
	sc.reports = sc.reviewers
	return sc
}

// admits: a passage of a report let in by withReviewers answers only
// when it reviews the past.
func (sc scope) admits(p *passage) bool {
	return !sc.reviewOnly[p.report] || p.sentence.Paragraph.Period == corpus.PeriodReview
}

// namesPlaces: the sentence (or its headings) names every place the question
// named that no loaded report is about.
func namesPlaces(p *passage, places []string) bool {
	for _, pl := range places {
		if !strings.Contains(p.text, pl) && !strings.Contains(p.section, pl) && !strings.Contains(p.lead, pl) {
			return false
		}
	}
	return true
}

// holdsAll: the sentence holds every required string.
func holdsAll(p *passage, required []string) bool {
	for _, pl := range required {
		if !strings.Contains(p.text, pl) && !strings.Contains(p.section, pl) && !strings.Contains(p.lead, pl) {
			return false
		}
	}
	return true
}

// regionName is a name of the loaded reports' regions (folded) and the
// positions of the reports it names.
type regionName struct {
	text    string
	reports []int
}

// regionNameIndex lists the region names of the loaded reports, longest
// first; computed once per index (every question looks them up).
func (ix *Index) regionNameIndex() []regionName {
	ix.regionOnce.Do(func() {
		byName := map[string][]int{}
		for i, r := range ix.reports {
			for _, n := range r.RegionNames() {
				byName[corpus.Fold(n)] = append(byName[corpus.Fold(n)], i)
			}
		}
		for n, rs := range byName {
			ix.regionNames = append(ix.regionNames, regionName{n, rs})
		}
		sort.Slice(ix.regionNames, func(i, j int) bool {
			a, b := ix.regionNames[i].text, ix.regionNames[j].text
			if len(a) != len(b) {
				return len(a) > len(b)
			}
			return a < b
		})
	})
	return ix.regionNames
}
