package card

import (
	"strings"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/digest"
)

// maxFigures is how many figures a card sets large; more would crowd out
// the passage.
const maxFigures = 6

// Source is the source line of a report: 《title》 publisher date.
func Source(r *corpus.Report) string {
	if r == nil {
		return ""
	}
	parts := []string{"《" + r.Title + "》"}
	if r.Source != "" {
		parts = append(parts, r.Source)
	}
	if r.Date != "" {
		parts = append(parts, r.Date)
	}
	return "出处:" + strings.Join(parts, " ")
}

// Highlights is the 数读/目标 card of a report: its headline targets, the
// figures of the first ones set large.
func Highlights(r *corpus.Report) Card {
	c := Card{Kicker: "数读报告 · 主要目标", Title: r.Title, Source: Source(r)}
	var body []string
	place := ""
	for _, s := range r.Highlights() {
		if p := s.Paragraph.Place(); p != place {
			place = p
			body = append(body, "〔"+p+"〕")
		}
		body = append(body, "· "+s.Text)
		c.Figures = addFigures(c.Figures, s.Figures)
	}
	c.Body = strings.Join(body, "\n")
	return c
}

// Answer is the card of a chat answer: the 数读 card when the answer is the
// headline targets, the first passage with its figures when it found one,
// else the reply text itself (目录, 没有找到 …) under the question.
func Answer(question string, a bot.Answer) Card {
	if len(a.Hits) == 0 {
		return Card{Kicker: "报告问答", Title: question, Body: a.Text}
	}
	h := a.Hits[0]
	if isHighlights(a.Hits) {
		return Highlights(h.Report)
	}
	c := Card{Kicker: "报告问答 · " + question, Title: h.Sentence.Paragraph.Place(), Body: h.Sentence.Text, Source: Source(h.Report)}
	c.Figures = addFigures(nil, h.Sentence.Figures)
	return c
}

// isHighlights reports whether hits are exactly the headline targets of
// their report, as 数读 answers.
func isHighlights(hits []corpus.Hit) bool {
	hl := hits[0].Report.Highlights()
	if len(hl) != len(hits) {
		return false
	}
	for i, h := range hits {
		if h.Sentence != hl[i] {
			return false
		}
	}
	return true
}

func addFigures(to []string, figs []corpus.Figure) []string {
	for _, f := range figs {
		if len(to) >= maxFigures {
			break
		}
		dup := false
		for _, t := range to {
			dup = dup || t == f.Text
		}
		if !dup {
			to = append(to, f.Text)
		}
	}
	return to
}

// Digest is the card of a day's digest.
func Digest(c digest.CardContent) Card {
	return Card{Kicker: c.Head, Title: c.Place, Figures: c.Figures[:min(len(c.Figures), maxFigures)], Body: c.Body, Source: Source(c.Report), Footer: c.Hint}
}
