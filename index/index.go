// Package index searches reports. It is the only package that imports bleve:
// bleve finds candidate sentences by their character bigrams, and a ranking of
// ours decides which of them answer the question, and whether any does.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bq "github.com/blevesearch/bleve/v2/search/query"
	bindex "github.com/blevesearch/bleve_index_api"
	bolt "go.etcd.io/bbolt"

	"github.com/reportbot/reportbot/corpus"
)

const (
	fieldText    = "text"
	fieldContext = "context"
	fieldReport  = "report"

	fingerprintKey = "reportbot.fingerprint"
	// mappingVersion changes whenever the mapping or the documents change
	// shape, so an on-disk index built by an older reportbot is rebuilt.
	mappingVersion = "3"
)

// freq is how many sentences hold a term in their text and in the headings
// above them (context).
type freq struct{ text, context int }

// Index answers questions about a fixed set of reports.
type Index struct {
	reports   []*corpus.Report
	reportPos map[*corpus.Report]int // position of each report in reports
	passages  []passage
	charDF    map[rune]int
	docCount  int
	bleve     bleve.Index
	thesaurus *Thesaurus
	analyzer  analysis.Analyzer
	titles    []string // folded report titles
	log       *slog.Logger
	// Where the index lives on disk, "" in memory; and whether Open rebuilt it.
	Dir     string
	Rebuilt bool
}

// passage is one indexed sentence with what ranking needs in memory, so no
// stored field is ever read back from bleve.
type passage struct {
	report      *corpus.Report
	reportIndex int // position of report in Index.reports
	sentence    *corpus.Sentence
	text        string   // folded sentence text
	section     string   // folded names of the sections above the sentence
	lead        string   // folded lead of the item paragraph, "" when none or the sentence is the lead
	title       string   // folded report title: what every sentence of the report is about
	names       []string // folded names of the sections above the sentence
	intro       bool     // in the paragraph that opens its section: the heading describes it
	term        string   // folded glossary term its paragraph explains, "" elsewhere
	headline    bool     // one of the report's headline targets (Report.Highlights)
	runes       int
}

// Options configure Build and Open.
type Options struct {
	Thesaurus *Thesaurus   // nil: the built-in one
	Logger    *slog.Logger // nil: discard
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

// Build indexes the reports in memory.
func Build(ctx context.Context, reports []*corpus.Report, opts Options) (*Index, error) {
	opts = opts.withDefaults()
	// Scorch kept in memory (an empty path): bleve.NewMemOnly still gives
	// the older upsidedown index, several times slower to build and query.
	bi, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create in-memory index: %w", err)
	}
	ix, err := newIndex(reports, bi, opts)
	if err != nil {
		bi.Close()
		return nil, err
	}
	if err := ix.fill(ctx); err != nil {
		bi.Close()
		return nil, err
	}
	return ix, nil
}

// Open opens the on-disk index in dir, building it when it is missing or was
// built from other reports (or by another version of reportbot).
func Open(ctx context.Context, dir string, reports []*corpus.Report, opts Options) (*Index, error) {
	opts = opts.withDefaults()
	fp := Fingerprint(reports)
	path := filepath.Join(dir, "reportbot.bleve")
	// A bounded wait for the file lock: another reportbot holding the
	// index must not hang this one.
	if bi, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "3s"}); err == nil {
		got, err := bi.GetInternal([]byte(fingerprintKey))
		if err == nil && string(got) == fp {
			ix, err := newIndex(reports, bi, opts)
			if err != nil {
				bi.Close()
				return nil, err
			}
			ix.Dir = dir
			return ix, nil
		}
		opts.Logger.Info("index is out of date; rebuilding", "dir", dir, "err", err)
		bi.Close()
	} else if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open index %s: in use by another reportbot process: %w", path, err)
	} else if !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		opts.Logger.Warn("index unreadable; rebuilding", "dir", dir, "err", err)
	}
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("remove old index %s: %w", path, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index dir: %w", err)
	}
	bi, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", path, err)
	}
	ix, err := newIndex(reports, bi, opts)
	if err != nil {
		bi.Close()
		return nil, err
	}
	ix.Dir, ix.Rebuilt = dir, true
	if err := ix.fill(ctx); err != nil {
		bi.Close()
		os.RemoveAll(path)
		return nil, err
	}
	if err := bi.SetInternal([]byte(fingerprintKey), []byte(fp)); err != nil {
		bi.Close()
		return nil, fmt.Errorf("record index fingerprint: %w", err)
	}
	return ix, nil
}

// Fingerprint identifies the reports' content and this index's layout.
func Fingerprint(reports []*corpus.Report) string {
	return mappingVersion + "/" + corpus.Fingerprint(reports)
}

// Close releases the bleve index.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Reports are the indexed reports in load order.
func (ix *Index) Reports() []*corpus.Report { return ix.reports }

// Len is the number of indexed sentences.
func (ix *Index) Len() int { return len(ix.passages) }

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

// newIndex lays out the passages in a deterministic order: the document IDs
// of an on-disk index are positions in this slice.
func newIndex(reports []*corpus.Report, bi bleve.Index, opts Options) (*Index, error) {
	th, err := opts.Thesaurus.withReports(reports)
	if err != nil {
		return nil, fmt.Errorf("read the reports' thesaurus files: %w", err)
	}
	ix := &Index{reports: reports, bleve: bi, thesaurus: th, log: opts.Logger, charDF: map[rune]int{},
		analyzer: bi.Mapping().AnalyzerNamed(analyzerName), reportPos: map[*corpus.Report]int{}}
	for i, r := range reports {
		ix.reportPos[r] = i
	}
	for ri, r := range reports {
		restated := restatedLater(r)
		headlines := map[*corpus.Sentence]bool{}
		for _, s := range r.Highlights() {
			headlines[s] = true
		}
		title := corpus.Fold(r.Title)
		ix.titles = append(ix.titles, title)
		for _, p := range r.Paragraphs {
			intro := p.Section != nil && len(p.Section.Paragraphs) > 0 && p.Section.Paragraphs[0] == p && p.Lead == ""
			section := ""
			var names []string
			if p.Section != nil {
				section = corpus.Fold(strings.Join(sectionWords(p.Section), " "))
				for sec := p.Section; sec != nil; sec = sec.Parent {
					names = append(names, corpus.Fold(sec.Name))
				}
			}
			for _, s := range p.Sentences {
				if restated[s] {
					continue
				}
				ps := passage{report: r, reportIndex: ri, sentence: s, text: corpus.Fold(s.Text), section: section, intro: intro,
					title: title, names: names, term: corpus.Fold(p.Term), headline: headlines[s],
					runes: len([]rune(s.Text))}
				if p.Lead != "" && s.Index > 0 {
					ps.lead = corpus.Fold(p.Lead)
				}
				ix.passages = append(ix.passages, ps)
				seen := map[rune]bool{}
				for _, r := range ps.text + ps.section + ps.lead + ps.title {
					if !seen[r] {
						seen[r] = true
						ix.charDF[r]++
					}
				}
			}
		}
	}
	ix.docCount = len(ix.passages)
	return ix, nil
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

type document struct {
	Text    string `json:"text"`
	Context string `json:"context"`
	Report  string `json:"report"` // position of the report: questions are scoped by it
}

func (ix *Index) fill(ctx context.Context) error {
	batch := ix.bleve.NewBatch()
	for i, p := range ix.passages {
		// The title stays out: it would put every sentence of a report
		// among the candidates of any question naming the report's subject.
		doc := document{Text: p.text, Context: p.section + " " + p.lead, Report: strconv.Itoa(p.reportIndex)}
		if err := batch.Index(strconv.Itoa(i), doc); err != nil {
			return fmt.Errorf("index sentence %d of %s: %w", p.sentence.Index, p.report.ID, err)
		}
		if batch.Size() >= 2000 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("index reports: %w", err)
			}
			if err := ix.bleve.Batch(batch); err != nil {
				return fmt.Errorf("write index batch: %w", err)
			}
			batch.Reset()
		}
	}
	if err := ix.bleve.Batch(batch); err != nil {
		return fmt.Errorf("write index batch: %w", err)
	}
	return nil
}

// candidates is how many sentences bleve proposes for ranking.
const candidates = 40

// Search returns up to limit sentences that answer the question, best first,
// or none when the reports do not cover it.
func (ix *Index) Search(ctx context.Context, question string, limit int) ([]corpus.Hit, error) {
	sc, rest := ix.scopeOf(corpus.Fold(question))
	return ix.search(ctx, rest, sc, periodAny, limit)
}

// termStats reads document frequencies from the index, each term once per
// search.
type termStats struct {
	ctx   context.Context
	r     bindex.IndexReader
	log   *slog.Logger
	freqs map[string]freq
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
	return &termStats{ctx: ctx, r: r, log: ix.log, freqs: map[string]freq{}}, func() { r.Close() }, nil
}

func (ts *termStats) lookup(term string) freq {
	if f, ok := ts.freqs[term]; ok {
		return f
	}
	var f freq
	for _, field := range [...]string{fieldText, fieldContext} {
		tfr, err := ts.r.TermFieldReader(ts.ctx, []byte(term), field, false, false, false)
		if err != nil {
			// Counted as absent: the question still gets an answer
			// from what could be read, and the fault is in the log.
			ts.log.Error("read term frequency", "term", term, "field", field, "err", err)
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
	if sc.reports != nil && len(sc.reports) == 0 {
		// A year or region no report is about. A year the reports speak
		// of (到2035年) is something to match instead.
		if sc.regionNamed || sc.year == 0 || lookup(strconv.Itoa(sc.year)).text == 0 {
			return nil, nil
		}
		sc = scope{places: sc.places, required: []string{strconv.Itoa(sc.year)}}
	}
	q := parseQuery(rest, ix.thesaurus, func(b string) bool { return df(b) > 0 })
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
	if sc.reports != nil {
		var rqs []bq.Query
		for _, i := range sc.reports {
			tq := bleve.NewTermQuery(strconv.Itoa(i))
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
		if i, err := strconv.Atoi(h.ID); err == nil && i >= 0 && i < len(ix.passages) && namesPlaces(&ix.passages[i], sc.places) && holdsAll(&ix.passages[i], sc.required) {
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
