// Package benchplain is the measurement baseline, not part of reportbot: the
// plain bleve setup a bleve user would write first, which reportbot's
// benchmarks (index, bot) and the plainbleve program (cold start, held-out
// answer quality) compare with. One document per sentence of the parsed
// reports with the text stored, bleve's own "cjk" analyzer, a match query of
// the question, top N with the stored text.
//
// It is the one package besides index that imports bleve, because it
// measures bleve itself; keeping it in one place means every comparison is
// with the same plain setup.
package benchplain

import (
	"context"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/reportbot/reportbot/corpus"
)

// Storage is where the plain index lives.
type Storage struct {
	// Path is the on-disk scorch folder; "" keeps the index in memory.
	Path string
	// Scorch in memory instead of bleve.NewMemOnly (the older upsidedown
	// index on a gtreap store), which is what a bleve user gets first.
	// Ignored with a Path (on disk is always scorch).
	Scorch bool
}

// doc is the whole of a plain bleve document: the sentence.
type doc struct {
	Text string `json:"text"`
}

// batchSize is the batch size the index package uses.
const batchSize = 2000

// Build indexes every sentence of the reports as it is written, one
// document each.
func Build(reports []*corpus.Report, where Storage) (bleve.Index, error) {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = true
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("text", text)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = dm
	m.DefaultAnalyzer = cjk.AnalyzerName

	var (
		bi  bleve.Index
		err error
	)
	switch {
	case where.Path != "":
		bi, err = bleve.New(where.Path, m)
	case where.Scorch:
		bi, err = bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	default:
		bi, err = bleve.NewMemOnly(m)
	}
	if err != nil {
		return nil, fmt.Errorf("create plain bleve index: %w", err)
	}
	batch := bi.NewBatch()
	n := 0
	for _, r := range reports {
		for _, p := range r.Paragraphs {
			for _, s := range p.Sentences {
				if err := batch.Index(strconv.Itoa(n), doc{Text: s.Text}); err != nil {
					bi.Close()
					return nil, fmt.Errorf("index sentence %d: %w", n, err)
				}
				n++
				if batch.Size() >= batchSize {
					if err := bi.Batch(batch); err != nil {
						bi.Close()
						return nil, fmt.Errorf("write plain bleve batch: %w", err)
					}
					batch.Reset()
				}
			}
		}
	}
	if err := bi.Batch(batch); err != nil {
		bi.Close()
		return nil, fmt.Errorf("write plain bleve batch: %w", err)
	}
	return bi, nil
}

// Search is the plain setup's question: a match query on the text, the top
// n sentences as stored, best first, and how many sentences matched at all.
func Search(ctx context.Context, bi bleve.Index, question string, n int) (top []string, matched uint64, err error) {
	q := bleve.NewMatchQuery(question)
	q.SetField("text")
	req := bleve.NewSearchRequestOptions(q, n, 0, false)
	req.Fields = []string{"text"}
	res, err := bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("plain bleve search %q: %w", question, err)
	}
	top = make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		s, ok := h.Fields["text"].(string)
		if !ok {
			return nil, 0, fmt.Errorf("plain bleve hit %s without its stored text: %v", h.ID, h.Fields)
		}
		top = append(top, s)
	}
	return top, res.Total, nil
}
