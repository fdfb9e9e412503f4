// Package corpus knows government work reports: how to read them from text,
// Markdown or HTML, their structure (sections, item paragraphs, sentences) and
// the figures they state. It imports nothing else of reportbot's.
package corpus

// Report is one work report, parsed.
type Report struct {
	// ID is stable across runs: the file name without its extension.
	ID     string
	Title  string
	Source string // publisher, e.g. 兰州新区报
	Date   string // publication date, YYYY-MM-DD, "" when unknown
	// Year is the year the report plans for (2022 for the 2022 work report),
	// taken from the title or text; 0 when unknown.
	Year int
	// Region is the place the report is about, from its title: 全国
	// (National) for the State Council's reports, 浙江省, 兰州新区; "" when
	// the title names none.
	Region string
	// Thesaurus holds the rules of a REPORT.thesaurus.txt file beside the
	// report (`WORD => REWRITE, ...` lines): wording that only this report
	// needs. "" when there is none.
	Thesaurus string
	// Sections in document order, all levels. Top-level blocks (展望2022年,
	// 重点工作) and their children (奋斗目标, 1 关键词:引领力) form a tree
	// through Children; TopLevel returns the roots.
	Sections []*Section
	// Paragraphs in document order, each pointing back at its section.
	Paragraphs []*Paragraph
}

// Section is a heading of the report with what stands under it.
type Section struct {
	Level    int    // 1 for top-level blocks, 2 for their children, ...
	Number   string // as written: "1", "一", "（一）"; "" when unnumbered
	Name     string // short display name: "引领力", "奋斗目标"
	Subtitle string // line under the heading: "强堡垒 增强高质量跨越式发展引领力"
	Parent   *Section
	Children []*Section
	// Paragraphs directly under this heading, in order.
	Paragraphs []*Paragraph
}

// Paragraph is one paragraph of body text.
type Paragraph struct {
	Index   int      // position in Report.Paragraphs
	Section *Section // nil for the preamble before the first heading
	// Lead is the item's short first sentence without its full stop
	// (全面加强政治建设), "" when the paragraph has none.
	Lead      string
	Text      string
	Sentences []*Sentence
	// Term is the term a glossary entry (名词解释) explains, "" elsewhere.
	Term string
	// Period says whether the paragraph looks back (review of past years)
	// or ahead (this year's targets and tasks).
	Period Period
}

// Period is the time a paragraph speaks of.
type Period int

const (
	PeriodUnknown Period = iota // preamble, closing words, articles with no such parts
	PeriodReview                // 过去一年工作回顾, 2024年工作回顾: what was done
	PeriodPlan                  // 2025年政府工作任务, 主要预期目标: what is to be done
)

func (p Period) String() string {
	switch p {
	case PeriodReview:
		return "review"
	case PeriodPlan:
		return "plan"
	}
	return "unknown"
}

// Sentence is the answer unit: what a user is shown verbatim.
type Sentence struct {
	Index     int // position in its paragraph
	Paragraph *Paragraph
	Text      string
	Figures   []Figure
}

// Figure is a number the report states, as written, with its unit and
// qualifier (200列以上, 8%、10%以上, 百亿元).
type Figure struct {
	Text string // the figure as written, digits and % in ASCII: 200列以上
	// Clause is the comma-delimited clause around it: 全年到发200列以上.
	Clause string
	Unit   string // 列, %, 亿元; "" when bare
	// Pos is the byte offset in the sentence's Text where the figure starts
	// as written (before full-width forms were normalised), for marking it.
	Pos int
}
