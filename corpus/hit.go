package corpus

// Hit is a sentence found for a question, with the report it belongs to and
// how well it answers (higher is better; comparable within one search only).
// It lives here, beside the report types, because both the search index that
// produces hits and the chat core that shows them speak of it.
type Hit struct {
	Report   *Report
	Sentence *Sentence
	Score    float64
}

// Comparison is a question answered across reports (years, regions, or a
// year's target beside the outcome the next year's report states): one row a
// report, in order.
type Comparison struct {
	Rows []ComparisonRow
	// Omitted counts the rows left out to keep the answer short.
	Omitted int
}

// ComparisonRow is one report's line of a comparison.
type ComparisonRow struct {
	Label  string  // how the row names its report: 2023年, 浙江, 2022年实际
	Year   int     // the year the row speaks of
	Region string  // the report's region (全国, 浙江省)
	Role   string  // "目标" or "实际" in a target-against-outcome comparison, "" otherwise
	Report *Report // nil: no report of that year or region is loaded
	// Hit is the matching sentence, nil when the report has none; Clause is
	// the part of it that answers, with Figures its figures.
	Hit     *Hit
	Clause  string
	Figures []string
}
