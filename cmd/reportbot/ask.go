package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/card"
	"github.com/reportbot/reportbot/index"
	"github.com/reportbot/reportbot/store/memstore"
)

// answerJSON is one line of `reportbot ask --json`; its shape is the
// contract in ../shared/eval/score.py.
type answerJSON struct {
	Query   string       `json:"query"`
	Answer  string       `json:"answer"`
	Results []bot.Result `json:"results"`
	// Comparison is present for questions answered across reports.
	Comparison []bot.ComparisonRow `json:"comparison,omitempty"`
}

func toJSON(question string, a bot.Answer, top int) answerJSON {
	res := a.Results
	if res == nil {
		res = []bot.Result{}
	}
	if top > 0 && len(res) > top && len(a.Hits) > 0 {
		res = res[:top]
	}
	return answerJSON{Query: question, Answer: a.Text, Results: res, Comparison: a.Comparison}
}

func runAsk(ctx context.Context, env environment, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per question")
	top := fs.Int("top", 5, "answers to keep per question")
	pngPath := fs.String("png", "", "also write the answer as a picture card to this PNG file (one question)")
	cf := registerConfigFlags(fs, "corpus", "index", "thesaurus")
	cfg, err := cf.parse(args, env.getenv)
	if err != nil {
		return err
	}
	question := strings.Join(fs.Args(), " ")
	if question == "" {
		return usageError{"ask: give a question, or - to read questions from stdin"}
	}
	log := env.logger(slog.LevelWarn)
	ix, err := openIndex(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer ix.Close()
	opts := botOptions(cfg, log)
	opts.TopHits = max(*top, 1)
	b := bot.New(ix, memstore.New(), opts)

	answer := func(q string) error {
		a := b.Ask(ctx, q)
		if *pngPath != "" {
			if err := writePNG(*pngPath, card.Answer(q, a)); err != nil {
				return err
			}
		}
		if *asJSON {
			line, err := json.Marshal(toJSON(q, a, *top))
			if err != nil {
				return fmt.Errorf("encode answer: %w", err)
			}
			_, err = fmt.Fprintf(env.stdout, "%s\n", line)
			return err
		}
		_, err := fmt.Fprintln(env.stdout, a.Text)
		return err
	}
	if question != "-" {
		return answer(question)
	}
	if *pngPath != "" {
		return usageError{"ask: --png takes one question, not -"}
	}
	// One question a line; every line gets exactly one answer, in order.
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if err := answer(sc.Text()); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprintln(env.stdout)
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

func runIndex(ctx context.Context, env environment, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	cf := registerConfigFlags(fs, "corpus", "index", "thesaurus")
	cfg, err := cf.parse(args, env.getenv)
	if err != nil {
		return err
	}
	log := env.logger(slog.LevelWarn)
	var progress func(index.Progress)
	line := newProgressLine(env.stderr)
	if line != nil {
		progress = line.update
	}
	ix, err := openIndex(ctx, cfg, log, progress)
	if line != nil {
		line.done() // before what is printed next
	}
	if err != nil {
		return err
	}
	defer ix.Close()
	where := "in memory (use --index DIR to keep it on disk)"
	if ix.Dir != "" {
		where = ix.Dir
		switch c := ix.Changes; {
		case ix.Rebuilt:
			where += " (built now)"
		case c.None():
			where += " (up to date, reused)"
		default:
			where += fmt.Sprintf(" (updated: %d added, %d changed, %d removed)", len(c.Added), len(c.Changed), len(c.Removed))
		}
	}
	fmt.Fprintf(env.stdout, "index: %s\nsentences: %d\n", where, ix.Len())
	for _, r := range ix.Reports() {
		n := 0
		for _, p := range r.Paragraphs {
			n += len(p.Sentences)
		}
		fmt.Fprintf(env.stdout, "report %s: 《%s》 year %d, %s %s, %d sections, %d paragraphs, %d sentences\n",
			r.ID, r.Title, r.Year, r.Source, r.Date, len(r.Sections), len(r.Paragraphs), n)
	}
	return nil
}
