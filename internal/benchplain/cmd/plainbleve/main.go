// Command plainbleve is a measurement baseline, not part of reportbot: the
// plain bleve program that `reportbot ask` is compared with for cold start
// (process start to printed answer) and peak memory in scripts/bench and
// docs/benchmarks.md.
//
// It does what a bleve user would write first: the same embedded report
// (corpus.Default), one in-memory document per sentence with the text stored,
// bleve's own "cjk" analyzer, a match query of the question, and the stored
// text of the top sentence printed. It is the one package besides index
// that imports bleve, because it measures bleve itself.
//
//	go run ./internal/benchplain/cmd/plainbleve 中欧班列目标
//
// With --index PATH it opens a plain bleve index built before on disk (the
// 1,000-report benchmark leaves one, see index/scale_bench_test.go) and only
// searches it: the plain counterpart of `reportbot ask` on a prebuilt index.
//
//	plainbleve --index /tmp/scale/plain.bleve 中欧班列目标
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"

	"github.com/reportbot/reportbot/corpus"
)

func main() {
	args := os.Args[1:]
	var err error
	if len(args) > 1 && args[0] == "--index" {
		err = runOnDisk(context.Background(), args[1], strings.Join(args[2:], " "))
	} else {
		err = run(context.Background(), strings.Join(args, " "))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "plainbleve:", err)
		os.Exit(1)
	}
}

type sentence struct {
	Text string `json:"text"`
}

func run(ctx context.Context, question string) error {
	if question == "" {
		return fmt.Errorf("usage: plainbleve QUESTION")
	}
	reports, err := corpus.Default()
	if err != nil {
		return fmt.Errorf("load the embedded report: %w", err)
	}

	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = true
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text)
	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = cjk.AnalyzerName

	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		return fmt.Errorf("create index: %w", err)
	}
	defer idx.Close()
	batch := idx.NewBatch()
	n := 0
	for _, r := range reports {
		for _, p := range r.Paragraphs {
			for _, s := range p.Sentences {
				if err := batch.Index(strconv.Itoa(n), sentence{Text: s.Text}); err != nil {
					return fmt.Errorf("index sentence %d: %w", n, err)
				}
				n++
			}
		}
	}
	if err := idx.Batch(batch); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return search(ctx, idx, question)
}

// runOnDisk answers from a plain index on disk built before.
func runOnDisk(ctx context.Context, path, question string) error {
	if question == "" {
		return fmt.Errorf("usage: plainbleve --index PATH QUESTION")
	}
	idx, err := bleve.Open(path)
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	defer idx.Close()
	return search(ctx, idx, question)
}

// search prints the stored text of the best sentence.
func search(ctx context.Context, idx bleve.Index, question string) error {
	q := bleve.NewMatchQuery(question)
	q.SetField("text")
	req := bleve.NewSearchRequestOptions(q, 5, 0, false)
	req.Fields = []string{"text"}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return fmt.Errorf("search %q: %w", question, err)
	}
	if len(res.Hits) == 0 {
		fmt.Println("没有找到。")
		return nil
	}
	top, _ := res.Hits[0].Fields["text"].(string)
	fmt.Println(top)
	return nil
}
