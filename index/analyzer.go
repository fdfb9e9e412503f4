package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/reportbot/reportbot/corpus"
)

// The analyzer is bleve's cjk analyzer (overlapping bigrams) with one more
// filter that folds traditional to simplified characters. RESEARCH.md §3:
// bigrams ranked as well as word segmentation on the report's questions at a
// fraction of the memory and start-up cost, and need no dictionary.
const (
	analyzerName   = "reportbot_zh"
	foldFilterName = "reportbot_fold"
)

type foldFilter struct{}

func (foldFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, tok := range input {
		tok.Term = []byte(corpus.Fold(string(tok.Term)))
	}
	return input
}

func init() {
	if err := registry.RegisterTokenFilter(foldFilterName,
		func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) { return foldFilter{}, nil }); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(analyzerName, func(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		tokenizer, err := cache.TokenizerNamed(unicode.Name)
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, name := range []string{cjk.WidthName, lowercase.Name, foldFilterName, cjk.BigramName} {
			f, err := cache.TokenFilterNamed(name)
			if err != nil {
				return nil, err
			}
			filters = append(filters, f)
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tokenizer, TokenFilters: filters}, nil
	}); err != nil {
		panic(err)
	}
}
