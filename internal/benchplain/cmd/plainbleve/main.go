// Command plainbleve is a measurement baseline, not part of reportbot: the
// plain bleve setup of package benchplain as a program, which `reportbot
// ask` is compared with for cold start (process start to printed answer) and
// peak memory in scripts/bench, and for answer quality on the held-out
// question sets in scripts/plain-heldout.
//
// It loads the reports the way reportbot does (the embedded report, or
// --corpus DIR through corpus.LoadDir), indexes one in-memory document per
// sentence with bleve's "cjk" analyzer, and answers with a match query: the
// top sentence as text, or with --json one object a line in the contract of
// `reportbot ask --json` (../shared/eval/score.py): the top 5 sentences as
// results, no figures (plain bleve finds none), "results": [] when nothing
// matches.
//
// With --index PATH it opens a plain bleve index built before on disk (the
// 1,000-report benchmark leaves one, see index/scale_bench_test.go) and only
// searches it: the plain counterpart of `reportbot ask` on a prebuilt index.
//
//	go run ./internal/benchplain/cmd/plainbleve 中欧班列目标
//	go run ./internal/benchplain/cmd/plainbleve --json --corpus testdata/reports - < questions.txt
//	plainbleve --index /tmp/scale/plain.bleve 中欧班列目标
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/internal/benchplain"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "plainbleve:", err)
		os.Exit(1)
	}
}

// notFound is the reply when no sentence matches.
const notFound = "没有找到。"

// topN is how many sentences a --json answer lists, as `reportbot ask --top`
// does by default.
const topN = 5

// result and answer are the fields of `reportbot ask --json` that
// score.py reads.
type result struct {
	Text    string   `json:"text"`
	Figures []string `json:"figures"`
}

type answer struct {
	Query   string   `json:"query"`
	Answer  string   `json:"answer"`
	Results []result `json:"results"`
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plainbleve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per question, as `reportbot ask --json`")
	dir := fs.String("corpus", "", "folder of reports (.txt, .md, .html, .docx); default: the embedded report")
	prebuilt := fs.String("index", "", "search this plain bleve index built before on disk instead of building one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	question := strings.Join(fs.Args(), " ")
	if question == "" {
		return fmt.Errorf("usage: plainbleve [--json] [--corpus DIR] QUESTION | -")
	}
	var idx bleve.Index
	var err error
	if *prebuilt != "" {
		idx, err = bleve.Open(*prebuilt)
		if err != nil {
			return fmt.Errorf("open index %s: %w", *prebuilt, err)
		}
	} else {
		reports, err := loadReports(*dir, stderr)
		if err != nil {
			return err
		}
		if idx, err = benchplain.Build(reports, benchplain.Storage{}); err != nil {
			return err
		}
	}
	defer idx.Close()

	if question != "-" {
		return ask(ctx, idx, question, *asJSON, stdout)
	}
	// One question a line; every line gets exactly one answer, in order.
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if err := ask(ctx, idx, sc.Text(), *asJSON, stdout); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

// loadReports is the embedded report, or the reports of dir with every
// skipped file named, as reportbot does.
func loadReports(dir string, stderr io.Writer) ([]*corpus.Report, error) {
	if dir == "" {
		reports, err := corpus.Default()
		if err != nil {
			return nil, fmt.Errorf("load the embedded report: %w", err)
		}
		return reports, nil
	}
	reports, skipped, err := corpus.LoadDir(dir)
	for _, s := range skipped {
		fmt.Fprintf(stderr, "plainbleve: skipped %s: %v\n", s.File, s.Reason)
	}
	if err != nil {
		return nil, fmt.Errorf("load reports from %s: %w", dir, err)
	}
	return reports, nil
}

func ask(ctx context.Context, idx bleve.Index, question string, asJSON bool, stdout io.Writer) error {
	top, _, err := benchplain.Search(ctx, idx, question, topN)
	if err != nil {
		return err
	}
	reply := notFound
	if len(top) > 0 {
		reply = top[0]
	}
	if !asJSON {
		_, err := fmt.Fprintln(stdout, reply)
		return err
	}
	a := answer{Query: question, Answer: reply, Results: make([]result, len(top))}
	for i, s := range top {
		a.Results[i] = result{Text: s, Figures: []string{}}
	}
	line, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}
