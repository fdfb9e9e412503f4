// Package index searches reports. It is the only package that imports bleve:
// bleve finds candidate sentences by their character bigrams, and a ranking of
// ours decides which of them answer the question, and whether any does.
package index

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	bq "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/reportbot/reportbot/corpus"
)

const (
	fieldText    = "text"
	fieldContext = "context"
	fieldReport  = "report"

	// mappingVersion changes whenever the mapping or the documents change
	// shape, so an on-disk index built by an older reportbot is rebuilt.
	mappingVersion = "4"
)

// freq is how many sentences hold a term in their text and in the headings
// above them (context).
type freq struct{ text, context int }

// Index answers questions about a fixed set of reports.
type Index struct {
	reports   []*corpus.Report
	reportPos map[*corpus.Report]int // position of each report in reports
	// regionNames of the reports, longest first (regionNameIndex).
	regionOnce  sync.Once
	regionNames []regionName
	passages    []passage
	charDF      map[rune]int
	docCount    int
	bleve       bleve.Index
	thesaurus   *Thesaurus
	analyzer    analysis.Analyzer
	titles      []string // folded report titles
	log         *slog.Logger
	freqs       freqCache // document frequencies read so far
	// units are the reports with their passages, in the order of reports;
	// spans find a bleve document's passage.
	units []*unit
	spans map[string]span
	// shared is the bleve index, which a reload hands on to the index it
	// makes.
	shared   *shared
	reloaded bool // made by Reload: Changes are relative to the index before
	// Where the index lives on disk, "" in memory; whether Open built it
	// from nothing; and what opening or reloading it changed.
	Dir     string
	Rebuilt bool
	Changes Changes
}

// passage is one indexed sentence with what ranking needs in memory, so no
// stored field is ever read back from bleve.
type passage struct {
	report   *corpus.Report
	sentence *corpus.Sentence
	text     string   // folded sentence text
	section  string   // folded names of the sections above the sentence
	lead     string   // folded lead of the item paragraph, "" when none or the sentence is the lead
	title    string   // folded report title: what every sentence of the report is about
	names    []string // folded names of the sections above the sentence
	intro    bool     // in the paragraph that opens its section: the heading describes it
	term     string   // folded glossary term its paragraph explains, "" elsewhere
	headline bool     // one of the report's headline targets (Report.Highlights)
	runes    int
}

// Options configure Build and Open.
type Options struct {
	Thesaurus *Thesaurus   // nil: the built-in one
	Logger    *slog.Logger // nil: discard
	// Progress, when set, is called as reports are read and sentences
	// written to bleve.
	Progress func(Progress)
}

func (o Options) withDefaults() Options {
	if o.Thesaurus == nil {
		o.Thesaurus = DefaultThesaurus()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Reports are the indexed reports in load order.
func (ix *Index) Reports() []*corpus.Report { return ix.reports }

// Len is the number of indexed sentences.
func (ix *Index) Len() int { return ix.docCount }

func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = analyzerName
	text.Store, text.IncludeTermVectors, text.IncludeInAll, text.DocValues = false, false, false, false
	ctxField := *text
	report := bleve.NewKeywordFieldMapping()
	report.Store, report.IncludeTermVectors, report.IncludeInAll, report.DocValues = false, false, false, false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldText, text)
	doc.AddFieldMappingsAt(fieldContext, &ctxField)
	doc.AddFieldMappingsAt(fieldReport, report)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m
}

// restatedLater finds the sentences that a later sentence of the report
// repeats word for word, alone or inside a longer one: a summary block
// (数读报告) restates items of the body. Only the body's copy is indexed: it
// stands in its item, with context, and answering both would say one thing
// twice. Summary lines stand alone in their paragraph, so only those are
// checked.
func restatedLater(r *corpus.Report) map[*corpus.Sentence]bool {
	// All sentence texts in one string, so each summary line is looked
	// for once in what follows it (strings.Index is fast) rather than in
	// every later sentence one by one.
	var all []*corpus.Sentence
	var text strings.Builder
	var ends []int // end of each sentence's text in text
	for _, p := range r.Paragraphs {
		for _, s := range p.Sentences {
			all = append(all, s)
			text.WriteString(s.Text)
			text.WriteByte('\n')
			ends = append(ends, text.Len())
		}
	}
	body := text.String()
	out := map[*corpus.Sentence]bool{}
	for i, s := range all {
		if len(s.Paragraph.Sentences) != 1 {
			continue
		}
		// The summary ends its line with a full stop where the body may go
		// on with a comma.
		line := strings.TrimRight(s.Text, "。.!！;；")
		if line != "" && strings.Contains(body[ends[i]:], line) {
			out[s] = true
		}
	}
	return out
}

func sectionWords(s *corpus.Section) []string {
	var words []string
	for ; s != nil; s = s.Parent {
		words = append(words, s.Name, s.Subtitle)
	}
	return words
}

// candidates is how many sentences bleve proposes for ranking.
const candidates = 40

// Search returns up to limit sentences that answer the question, best first,
// or none when the reports do not cover it.
func (ix *Index) Search(ctx context.Context, question string, limit int) ([]corpus.Hit, error) {
	sc, rest := ix.scopeOf(foldQuestion(question))
	return ix.search(ctx, rest, sc, periodAny, limit)
}

// termStats reads document frequencies from the index, each term once per
// search, through the index's freqCache.
type termStats struct {
	ctx   context.Context
	r     bindex.IndexReader
	log   *slog.Logger
	cache *freqCache
	freqs map[string]freq
}

// freqCache keeps the document frequencies searches have read. An Index's
// bleve documents do not change under it (a reload makes a new Index with
// its own cache), so a frequency read once stays true, and reading it again
// from bleve costs a term dictionary walk and most of a search's
// allocations. It holds at most freqCacheSize terms: questions reuse a few
// thousand bigrams, and when odd questions fill it, it starts over.
type freqCache struct {
	mu    sync.RWMutex
	freqs map[string]freq
}

const freqCacheSize = 1 << 16

func (c *freqCache) get(term string) (freq, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f, ok := c.freqs[term]
	return f, ok
}

func (c *freqCache) put(term string, f freq) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.freqs == nil || len(c.freqs) >= freqCacheSize {
		c.freqs = make(map[string]freq, 256)
	}
	c.freqs[term] = f
}

func (ix *Index) termStats(ctx context.Context) (*termStats, func(), error) {
	reader, err := ix.bleve.Advanced()
	if err != nil {
		return nil, nil, fmt.Errorf("open index: %w", err)
	}
	r, err := reader.Reader()
	if err != nil {
		return nil, nil, fmt.Errorf("open index reader: %w", err)
	}
	return &termStats{ctx: ctx, r: r, log: ix.log, cache: &ix.freqs, freqs: map[string]freq{}}, func() { r.Close() }, nil
}

func (ts *termStats) lookup(term string) freq {
	if f, ok := ts.freqs[term]; ok {
		return f
	}
	if f, ok := ts.cache.get(term); ok {
		ts.freqs[term] = f
		return f
	}
	var f freq
	complete := true
	for _, field := range [...]string{fieldText, fieldContext} {
		tfr, err := ts.r.TermFieldReader(ts.ctx, []byte(term), field, false, false, false)
		if err != nil {
			// Counted as absent: the question still gets an answer
			// from what could be read, and the fault is in the log.
			ts.log.Error("read term frequency", "term", term, "field", field, "err", err)
			complete = false
			continue
		}
		if field == fieldText {
			f.text = int(tfr.Count())
		} else {
			f.context = int(tfr.Count())
		}
		tfr.Close()
	}
	ts.freqs[term] = f
	if complete {
		ts.cache.put(term, f)
	}
	return f
}

// search answers question (folded, without the names scopeOf used up)
// from the reports in sc; period, when not periodAny, overrides the time
// the question asks about (a comparison row asks for a plan or an outcome).
func (ix *Index) search(ctx context.Context, question string, sc scope, period period, limit int) ([]corpus.Hit, error) {
	if limit <= 0 {
		limit = 5
	}
	ts, done, err := ix.termStats(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	lookup := ts.lookup
	df := func(term string) int { f := lookup(term); return f.text + f.context }
	textDF := func(term string) int { return lookup(term).text }
	rest := question
	q := parseQuery(rest, ix.thesaurus, func(b string) bool { return df(b) > 0 })
	sc = sc.withReviewers(q, ix.reports)
	if sc.reports != nil && len(sc.reports) == 0 {
		// A year or region no report is about. A year the reports speak
		// of (到2035年) is something to match instead.
		if sc.regionNamed || sc.year == 0 || lookup(strconv.Itoa(sc.year)).text == 0 {
			return nil, nil
		}
		sc = scope{places: sc.places, required: []string{strconv.Itoa(sc.year)}}
	}
	switch period {
	case periodPlan:
		q.period, q.pastOnly = periodPlan, false
	case periodReview:
		q.period, q.pastOnly = periodReview, true
	}
	if q.year != 0 && sc.year == 0 {
		// The year was kept as something to match (到2035年).
		q.concepts = append(q.concepts, concept{kind: conceptNumber, alts: []string{strconv.Itoa(q.year) + "年"}})
	}
	q.year = 0
	if len(q.concepts) == 0 {
		return nil, nil
	}

	rk := newRanker(q, ix, df)
	rk.scope = sc
	if rk.unanswerable() || rk.generic(textDF) {
		return nil, nil
	}
	bquery := ix.candidateQuery(q, lookup)
	if sc.reports != nil && len(sc.reports) < len(ix.reports) {
		// (A scope of every report, 全国 over national reports only, needs
		// no filter: the conjunction would cost more than the search.)
		var rqs []bq.Query
		for _, i := range sc.reports {
			tq := bleve.NewTermQuery(ix.reports[i].ID)
			tq.SetField(fieldReport)
			rqs = append(rqs, tq)
		}
		bquery = bleve.NewConjunctionQuery(bquery, bleve.NewDisjunctionQuery(rqs...))
	}
	req := bleve.NewSearchRequestOptions(bquery, candidates, 0, false)
	res, err := ix.bleve.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", question, err)
	}
	if len(res.Hits) == 0 {
		return nil, nil
	}
	cands := make([]int, 0, len(res.Hits))
	for _, h := range res.Hits {
		if i, ok := ix.passageOf(h.ID); ok && namesPlaces(&ix.passages[i], sc.places) && holdsAll(&ix.passages[i], sc.required) && sc.admits(&ix.passages[i]) {
			cands = append(cands, i)
		}
	}
	return rk.rank(cands, limit), nil
}

// commonShare: a term in more than this share of sentences (发展, 新区)
// does not propose candidates when the question has a rarer one; ranking
// still counts it.
const commonShare = 0.2

// maxCandidateTerms bounds the terms of the candidate query.
const maxCandidateTerms = 8

// candidateQuery asks bleve for sentences holding any of the question's
// terms, each term once (rewrites share many), leaving out the common ones.
func (ix *Index) candidateQuery(q query, lookup func(string) freq) bq.Query {
	seen := map[string]bool{}
	var terms []string
	rare := false
	limit := int(commonShare * float64(ix.docCount))
	for _, c := range q.concepts {
		for _, alt := range c.alts {
			for _, tok := range ix.analyzer.Analyze([]byte(alt)) {
				t := string(tok.Term)
				if seen[t] {
					continue
				}
				seen[t] = true
				terms = append(terms, t)
				if f := lookup(t); f.text+f.context > 0 && f.text+f.context <= limit {
					rare = true
				}
			}
		}
	}
	// The rarest terms find the candidates: a sentence that answers holds
	// them, and every term more multiplies what bleve has to score.
	var kept []string
	for _, t := range terms {
		if f := lookup(t); f.text+f.context > 0 && !(rare && f.text+f.context > limit) {
			kept = append(kept, t)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		fi, fj := lookup(kept[i]), lookup(kept[j])
		return fi.text+fi.context < fj.text+fj.context
	})
	if len(kept) > maxCandidateTerms {
		kept = kept[:maxCandidateTerms]
	}
	var qs []bq.Query
	for _, t := range kept {
		f := lookup(t)
		if f.text > 0 {
			tq := bleve.NewTermQuery(t)
			tq.SetField(fieldText)
			qs = append(qs, tq)
		}
		if f.context > 0 {
			cq := bleve.NewTermQuery(t)
			cq.SetField(fieldContext)
			cq.SetBoost(0.3)
			qs = append(qs, cq)
		}
	}
	if len(qs) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// idf of a document frequency; a string the reports never contain gets the
// highest weight there is.
func (ix *Index) idf(df int) float64 {
	return math.Log(1 + float64(ix.docCount+1)/(float64(df)+0.5))
}

func isHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
