package index

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/internal/benchplain"
	"github.com/reportbot/reportbot/internal/testkit"
)

// Benchmarks of the index on the embedded report. The numbers and how to
// reproduce them are in docs/benchmarks.md (scripts/bench runs them all).
//
// BenchmarkPlainBleve is the yardstick for BenchmarkSearch here and for
// BenchmarkAsk in package bot: what a plain bleve setup costs on the same
// sentences and questions, so "our search is N× plain bleve" is measured on
// this machine in the same run rather than remembered.

// benchQuestionFiles are the question sets the benchmarks cycle through: the
// shared dev set when the workspace has it (it lives outside the repo), and
// the index's own test questions, which are always there.
var benchQuestionFiles = []string{
	filepath.Join("..", "testdata", "questions", "dev.jsonl"),
	filepath.Join("..", "testdata", "questions", "tuning-lanzhou.jsonl"),
}

// benchQuestions are the questions of the sets that exist.
func benchQuestions(tb testing.TB) []string {
	tb.Helper()
	return testkit.QuestionTexts(tb, benchQuestionFiles...)
}

func benchReports(tb testing.TB) []*corpus.Report {
	tb.Helper()
	reports, err := corpus.Default()
	if err != nil {
		tb.Fatalf("load the embedded report: %v", err)
	}
	return reports
}

// BenchmarkBuildSeed is the in-memory index of the embedded report, as every
// `reportbot ask` without --index builds it at start.
func BenchmarkBuildSeed(b *testing.B) {
	ctx := context.Background()
	reports := benchReports(b)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Build(ctx, reports, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkSearch is one question through our query understanding, bleve and
// our ranking, cycling through the dev questions.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	ix, err := Build(ctx, benchReports(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	questions := benchQuestions(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, questions[i%len(questions)], 5); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// buildPlainBleve is the plain setup (internal/benchplain) on the reports:
// in memory when path is "" (what bleve.NewMemOnly gives), scorch in memory
// when path is scorchInMemory, else scorch on disk at path.
func buildPlainBleve(tb testing.TB, reports []*corpus.Report, path string) bleve.Index {
	tb.Helper()
	where := benchplain.Storage{Path: path}
	if path == scorchInMemory {
		where = benchplain.Storage{Scorch: true}
	}
	bi, err := benchplain.Build(reports, where)
	if err != nil {
		tb.Fatal(err)
	}
	return bi
}

// BenchmarkPlainBleve is the baseline: a match query with bleve's cjk
// analyzer, top 5, returning the stored sentence text as a bot would show it.
func BenchmarkPlainBleve(b *testing.B) {
	ctx := context.Background()
	bi := buildPlainBleve(b, benchReports(b), "")
	defer bi.Close()
	questions := benchQuestions(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		plainSearch(ctx, b, bi, questions[i%len(questions)])
		i++
	}
}

// plainSearch is the plain setup's question, top 5 with the stored text. It
// returns how many sentences matched at all.
func plainSearch(ctx context.Context, tb testing.TB, bi bleve.Index, question string) uint64 {
	_, matched, err := benchplain.Search(ctx, bi, question, 5)
	if err != nil {
		tb.Fatal(err)
	}
	return matched
}

// BenchmarkBuildPlainBleve is the plain setup's index build, for comparison
// with BenchmarkBuildSeed.
func BenchmarkBuildPlainBleve(b *testing.B) {
	reports := benchReports(b)
	b.ReportAllocs()
	for b.Loop() {
		buildPlainBleve(b, reports, "").Close()
	}
}

// scorchInMemory asks buildPlainBleve for bleve's scorch index without a
// folder (bleve.NewUsing with an empty path): NewMemOnly still gives the
// older upsidedown index, and these benchmarks show what choosing scorch in
// memory would change.
const scorchInMemory = "\x00scorch-in-memory"

// BenchmarkPlainBleveScorchMem is BenchmarkPlainBleve on scorch in memory.
func BenchmarkPlainBleveScorchMem(b *testing.B) {
	ctx := context.Background()
	bi := buildPlainBleve(b, benchReports(b), scorchInMemory)
	defer bi.Close()
	questions := benchQuestions(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		plainSearch(ctx, b, bi, questions[i%len(questions)])
		i++
	}
}

// BenchmarkBuildPlainBleveScorchMem is BenchmarkBuildPlainBleve on scorch
// in memory.
func BenchmarkBuildPlainBleveScorchMem(b *testing.B) {
	reports := benchReports(b)
	b.ReportAllocs()
	for b.Loop() {
		buildPlainBleve(b, reports, scorchInMemory).Close()
	}
}
