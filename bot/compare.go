package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/reportbot/reportbot/corpus"
)

// compare answers a question across reports, one line a report, or says it
// is no such question (ok false). 详情N then shows the whole passage of the
// Nth line that has one.
func (b *Bot) compare(ctx context.Context, conv *conversation, question string) (Answer, bool) {
	start := time.Now()
	cmp, ok, err := b.Searcher().Compare(ctx, question)
	if err != nil {
		b.log.Error("comparison failed", "question", question, "err", err)
		return Answer{Query: question, Text: "查询出错了,请稍后再试。"}, true
	}
	if !ok {
		return Answer{}, false
	}
	var hits []corpus.Hit
	for _, r := range cmp.Rows {
		if r.Hit != nil {
			hits = append(hits, *r.Hit)
		}
	}
	if conv != nil && b.opts.OnAnswer != nil {
		b.opts.OnAnswer(len(hits) > 0, time.Since(start))
	}
	if len(hits) == 0 {
		conv.asked(ctx, Session{Question: question}, false)
		return Answer{Query: question, Text: b.notFound(question), Comparison: comparisonRows(cmp)}, true
	}
	// 更多 has nothing to add to a comparison: every row is shown.
	conv.asked(ctx, Session{Question: question, Hits: refs(hits), Cursor: len(hits)}, true)
	return Answer{Query: question, Text: formatComparison(cmp), Hits: hits, Results: results(hits), Comparison: comparisonRows(cmp)}, true
}

// formatComparison renders the rows: each with its report, the clause and
// its figures; a missing report or clause said on its line; then the figures
// in a row so that the change is visible.
func formatComparison(cmp corpus.Comparison) string {
	var s strings.Builder
	s.WriteString("【对比】\n")
	n := 0
	var figures []string
	prevFig, prevClause := "", ""
	for _, r := range cmp.Rows {
		switch {
		case r.Report == nil && r.Role == "实际":
			fmt.Fprintf(&s, "%s:没有%d年的报告,看不到实际完成情况。\n", r.Label, r.Year+1)
		case r.Report == nil:
			fmt.Fprintf(&s, "%s:没有这份报告。\n", r.Label)
		case r.Hit == nil:
			fmt.Fprintf(&s, "%s:%s没有相关内容。\n", r.Label, reportLabel(r.Report))
		default:
			n++
			fig := strings.Join(r.Figures, "、")
			note := ""
			if fig != "" && fig == prevFig && r.Clause != prevClause {
				note = "(数字未变,提法有变化)"
			}
			fmt.Fprintf(&s, "%s:%s%s〔%s,详情%d〕\n", r.Label, r.Clause, note, reportLabel(r.Report), n)
			if fig != "" {
				figures = append(figures, fig)
			}
			prevFig, prevClause = fig, r.Clause
		}
	}
	if len(figures) >= 2 {
		s.WriteString("变化:" + strings.Join(figures, " → ") + "\n")
	}
	if cmp.Omitted > 0 {
		fmt.Fprintf(&s, "另有%d份报告未列出;请缩小范围,例如只问两三个年份。\n", cmp.Omitted)
	}
	s.WriteString("回复“详情N”看第N条的整段。")
	return s.String()
}

// reportLabel names a report in a comparison line: 2023年全国报告, or its title.
func reportLabel(r *corpus.Report) string {
	if r.Year > 0 && r.Region != "" {
		return r.Label() + "报告"
	}
	return "《" + r.Title + "》"
}

func comparisonRows(cmp corpus.Comparison) []ComparisonRow {
	out := make([]ComparisonRow, 0, len(cmp.Rows))
	for _, r := range cmp.Rows {
		row := ComparisonRow{Label: r.Label, Year: r.Year, Region: r.Region, Role: r.Role, Text: r.Clause, Figures: r.Figures}
		if r.Report != nil {
			row.Report = r.Report.ID
		}
		if row.Figures == nil {
			row.Figures = []string{}
		}
		out = append(out, row)
	}
	return out
}
