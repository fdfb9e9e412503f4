package corpus

import (
	"regexp"
	"strings"
)

// PlaceSep separates the parts of a Place.
const PlaceSep = " › "

// PreamblePlace is the Place of paragraphs before the first heading.
const PreamblePlace = "导语"

// TopLevel returns the sections that have no parent, in document order.
func (r *Report) TopLevel() []*Section {
	var out []*Section
	for _, s := range r.Sections {
		if s.Parent == nil {
			out = append(out, s)
		}
	}
	return out
}

// Sentence returns sentence s of paragraph p, or nil when out of range.
func (r *Report) Sentence(p, s int) *Sentence {
	if p < 0 || p >= len(r.Paragraphs) {
		return nil
	}
	ss := r.Paragraphs[p].Sentences
	if s < 0 || s >= len(ss) {
		return nil
	}
	return ss[s]
}

// Path returns the section names from the top level down to s.
func (s *Section) Path() []string {
	var names []string
	for x := s; x != nil; x = x.Parent {
		names = append(names, x.Name)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return names
}

// IsContainer reports whether s only groups numbered sections (重点工作
// over 1 关键词:引领力 … 7): unnumbered, with no text of its own, and every
// child numbered. Containers are left out of a Place: the numbered child
// names the place well enough.
func (s *Section) IsContainer() bool {
	if s.Number != "" || len(s.Paragraphs) > 0 || len(s.Children) == 0 {
		return false
	}
	for _, c := range s.Children {
		if c.Number == "" {
			return false
		}
	}
	return true
}

// Place is where a paragraph stands, for showing with an answer. Sections
// that only group numbered ones (IsContainer: 重点工作) are left out. An item
// paragraph shows its section and its Lead: "影响力 › 全方位拓展外贸经济“新廊道”".
// Any other paragraph shows the last two section names: "影响力" for the
// intro of 1 关键词:影响力 (its parent is a container), "展望2022年 › 数读报告"
// for a line of 数读报告. Paragraphs before the first heading are "导语".
func (p *Paragraph) Place() string {
	var names []string
	for x := p.Section; x != nil; x = x.Parent {
		if x.IsContainer() || x.Name == "" {
			continue
		}
		names = append([]string{x.Name}, names...)
	}
	if len(names) == 0 {
		names = []string{PreamblePlace}
	}
	if p.Lead != "" {
		last := names[len(names)-1]
		if last == p.Lead {
			return last
		}
		return last + PlaceSep + p.Lead
	}
	if len(names) > 2 {
		names = names[len(names)-2:]
	}
	return strings.Join(names, PlaceSep)
}

// reTargetCue marks the headline targets: 今年发展主要预期目标是：…,
// 主要预期目标为：…, or a section called 奋斗目标 / 主要目标 / 数读报告.
var reTargetCue = regexp.MustCompile(`主要预期目标|预期目标|主要目标|奋斗目标|主要指标|数读`)

// Highlights returns the report's headline targets, found by content so that
// any report has them: the figure sentences (target lists are cut at ；, one
// clause each) of the paragraphs that announce the main targets, and of
// sections named for them. A report with neither falls back to the figure
// sentences before its first numbered section (a summary block at the top of
// an article), and else has none.
func (r *Report) Highlights() []*Sentence {
	var out []*Sentence
	seen := map[*Paragraph]bool{}
	add := func(p *Paragraph) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, s := range p.Sentences {
			if len(s.Figures) > 0 {
				out = append(out, s)
			}
		}
	}
	for _, p := range r.Paragraphs {
		if p.Period == PeriodReview {
			continue
		}
		// A section named for the targets (奋斗目标, 数读报告), not one that
		// only mentions them among other things (“十三五”时期主要目标任务和重大举措).
		if p.Section != nil && runeLen(p.Section.Name) <= 8 && reTargetCue.MatchString(p.Section.Name) {
			add(p)
			continue
		}
		if loc := reTargetCue.FindStringIndex(p.Text); loc != nil && loc[0] < 40 && figureCount(p) >= 2 {
			add(p)
		}
	}
	if len(out) > 0 {
		return out
	}
	return r.summaryBlock()
}

func figureCount(p *Paragraph) int {
	n := 0
	for _, s := range p.Sentences {
		n += len(s.Figures)
	}
	return n
}

// summaryBlock: the figure sentences in the sections before the first
// numbered section, nil when the first section is numbered or none is.
func (r *Report) summaryBlock() []*Sentence {
	first := -1
	for i, s := range r.Sections {
		if s.Number != "" {
			first = i
			break
		}
	}
	if first <= 0 {
		return nil
	}
	before := map[*Section]bool{}
	for _, s := range r.Sections[:first] {
		before[s] = true
	}
	var out []*Sentence
	for _, p := range r.Paragraphs {
		if p.Section == nil || !before[p.Section] {
			continue
		}
		for _, s := range p.Sentences {
			if len(s.Figures) > 0 {
				out = append(out, s)
			}
		}
	}
	return out
}
