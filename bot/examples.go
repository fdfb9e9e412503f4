package bot

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

// Examples in help and not-found replies come from the loaded reports, so a
// bot loaded with a city's report suggests that city's targets, not the
// embedded article's 中欧班列. They are target questions made from the
// headline targets of the newest report (国内生产总值增长5%左右 → 国内生产总值增长目标).

// examples are computed once per searcher (the reports change only on 重载).
type examples struct {
	questions []string // at most maxExamples
}

const maxExamples = 3

func examplesFor(reports []*corpus.Report) *examples {
	ex := &examples{}
	r := newestReport(reports)
	if r == nil {
		return ex
	}
	seen := map[string]bool{}
	for _, s := range r.Highlights() {
		for _, f := range s.Figures {
			q := targetQuestion(f)
			if q == "" || seen[q] {
				continue
			}
			seen[q] = true
			ex.questions = append(ex.questions, q)
			if len(ex.questions) == maxExamples {
				return ex
			}
		}
	}
	return ex
}

// targetQuestion turns a figure's clause into the question that asks for it:
// the clause up to the figure, without the verbs that lead into a number.
func targetQuestion(f corpus.Figure) string {
	c := f.Clause
	i := strings.Index(corpus.Fold(c), corpus.Fold(f.Text))
	if i <= 0 {
		return ""
	}
	head := strings.TrimSpace(c[:i])
	for _, suffix := range []string{"达到", "控制在", "稳定在", "保持在", "提高到", "下降到", "突破", "超过", "力争", "在", "为", "约"} {
		head = strings.TrimSuffix(head, suffix)
	}
	head = strings.TrimLeft(head, "：:，,、；; 　")
	n := utf8.RuneCountInString(head)
	if n < 3 || n > 12 || strings.ContainsAny(head, "，,。；;：:“”") {
		return ""
	}
	return head + "目标"
}

// newestReport is the report structure questions speak of when the question
// names none: the newest, and at equal years the national one.
func newestReport(reports []*corpus.Report) *corpus.Report {
	var best *corpus.Report
	for _, r := range reports {
		if best == nil || corpus.Newer(r, best) {
			best = r
		}
	}
	return best
}

// quoted lists the examples as “A”“B”, or "" when there are none.
func (ex *examples) quoted(n int) string {
	var b strings.Builder
	for i, q := range ex.questions {
		if i == n {
			break
		}
		b.WriteString("“" + q + "”")
	}
	return b.String()
}

// examples returns the example questions of the current reports, computed
// once per searcher.
func (b *Bot) examples() *examples { return b.derived().examples }

// derived returns what the bot derives from the current searcher's
// reports, computed once per searcher (the reports change only on 重载).
func (b *Bot) derived() *searcherDerived {
	s := b.searcher.Load()
	if d := b.derivedOf.Load(); d != nil && d.searcher == s {
		return d
	}
	reports := (*s).Reports()
	d := &searcherDerived{searcher: s, examples: examplesFor(reports)}
	for _, r := range reports {
		for _, n := range r.RegionNames() {
			d.regionNames = append(d.regionNames, reportName{name: corpus.Fold(n), report: r})
		}
	}
	b.derivedOf.Store(d)
	return d
}

// searcherDerived is what derived computes for one searcher.
type searcherDerived struct {
	searcher    *Searcher
	examples    *examples
	regionNames []reportName // every name of every report's region, folded
}

type reportName struct {
	name   string
	report *corpus.Report
}

// forExample is ",例如“A”“B”" with up to n examples, or "" without any.
func (b *Bot) forExample(n int) string {
	if q := b.examples().quoted(n); q != "" {
		return ",例如" + q
	}
	return ""
}

// scopeExample shows how to ask about one report: 2023年城镇新增就业目标,
// or with the region when all reports are of one year.
func scopeExample(reports []*corpus.Report) string {
	r := newestReport(reports)
	if r == nil {
		return "2023年目录"
	}
	if r.Year > 0 {
		return strconv.Itoa(r.Year) + "年目录"
	}
	if names := r.RegionNames(); len(names) > 0 {
		return names[len(names)-1] + "目录"
	}
	return "目录"
}
