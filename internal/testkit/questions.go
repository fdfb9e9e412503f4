package testkit

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Question is one line of a question set (testdata/questions/*.jsonl),
// as ../shared/eval/score.py reads it.
type Question struct {
	Q       string   `json:"q"`
	Want    []string `json:"want"`
	WantAll []string `json:"want_all"` // outline questions: all must be in the answer
	Fig     string   `json:"fig"`
	None    bool     `json:"none"` // the reports do not cover it
	Kind    string   `json:"kind"`
}

// ReadQuestions reads a question set; a missing or empty file fails the test.
func ReadQuestions(tb testing.TB, path string) []Question {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("question set %s is missing (read relative to the package dir): %v", path, err)
	}
	defer f.Close()
	var qs []Question
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			tb.Fatalf("%s:%d: %v", path, n, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	if len(qs) == 0 {
		tb.Fatalf("%s holds no questions", path)
	}
	return qs
}

// QuestionTexts is the "q" of every question of the sets that exist (the
// shared dev set lives outside the repository); at least one must.
func QuestionTexts(tb testing.TB, paths ...string) []string {
	tb.Helper()
	var texts []string
	for _, p := range paths {
		if _, err := os.Stat(p); os.IsNotExist(err) {
			continue
		}
		for _, q := range ReadQuestions(tb, p) {
			texts = append(texts, q.Q)
		}
	}
	if len(texts) == 0 {
		tb.Fatalf("no questions in %v", paths)
	}
	return texts
}
