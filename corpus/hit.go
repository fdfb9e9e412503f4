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
