package index

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/internal/testkit"
)

// The question sets, scored as ../shared/eval/score.py scores
// `reportbot ask --json`: hit@1 when a wanted substring is in the top
// sentence, hit@3 in the top three, figures@1 when the wanted figure is one of
// the top sentence's figures, not-found when nothing is returned.
const (
	devSetPath = "../testdata/questions/dev.jsonl"
	ownSetPath = "../testdata/questions/tuning-lanzhou.jsonl"
)

type evalCase = testkit.Question

func loadEvalSet(t *testing.T, path string) []evalCase { return testkit.ReadQuestions(t, path) }

var evalSpace = regexp.MustCompile(`[\s\x{00a0}\x{3000}]+`)

func evalNorm(s string) string { return evalSpace.ReplaceAllString(s, "") }

type evalScore struct {
	n, hit1, hit3  int // questions with an answer
	figs, fig1     int // ... of them with a wanted figure
	nones, noneOK  int // questions the reports do not cover
	outlineSkipped int
	misses         []string
}

func scoreSet(t *testing.T, ix *Index, cases []evalCase) evalScore {
	t.Helper()
	var s evalScore
	for _, c := range cases {
		if len(c.WantAll) > 0 || c.Kind == "section" {
			// Questions about the report's structure are answered by the
			// bot from the structure; package bot scores them (and all
			// the others) through Ask.
			s.outlineSkipped++
			continue
		}
		hits, err := ix.Search(t.Context(), c.Q, 5)
		if err != nil {
			t.Fatalf("Search(%q): %v", c.Q, err)
		}
		texts := make([]string, len(hits))
		for i, h := range hits {
			texts[i] = evalNorm(h.Sentence.Text)
		}
		if c.None {
			s.nones++
			if len(hits) == 0 {
				s.noneOK++
			} else {
				s.misses = append(s.misses, fmt.Sprintf("%s: want not-found, got %q", c.Q, hits[0].Sentence.Text))
			}
			continue
		}
		s.n++
		in := func(text string) bool {
			for _, w := range c.Want {
				if strings.Contains(text, evalNorm(w)) {
					return true
				}
			}
			return false
		}
		h1 := len(texts) > 0 && in(texts[0])
		h3 := false
		for _, text := range texts[:min(3, len(texts))] {
			h3 = h3 || in(text)
		}
		if h1 {
			s.hit1++
		}
		if h3 {
			s.hit3++
		}
		if !h1 {
			got := "(nothing)"
			if len(hits) > 0 {
				got = hits[0].Sentence.Text
			}
			s.misses = append(s.misses, fmt.Sprintf("%s [%s]: top answer %q (in top 3: %v)", c.Q, c.Kind, got, h3))
		}
		if c.Fig != "" {
			s.figs++
			if len(hits) > 0 && hasFigure(hits[0], c.Fig) {
				s.fig1++
			} else {
				s.misses = append(s.misses, fmt.Sprintf("%s: figure %s not among the top hit's figures", c.Q, c.Fig))
			}
		}
	}
	for _, m := range s.misses {
		t.Log("miss:", m)
	}
	t.Logf("hit@1 %d/%d  hit@3 %d/%d  figures@1 %d/%d  not-found %d/%d  (structure questions left to the bot: %d)",
		s.hit1, s.n, s.hit3, s.n, s.fig1, s.figs, s.noneOK, s.nones, s.outlineSkipped)
	return s
}

func hasFigure(h corpus.Hit, fig string) bool {
	for _, f := range h.Sentence.Figures {
		if strings.Contains(evalNorm(f.Text), evalNorm(fig)) {
			return true
		}
	}
	return false
}

// TestDevSet holds the index to the score issue 2 asks of the product:
// hit@1 ≥ 23/24, hit@3 24/24, figures@1 ≥ 11/12, every not-found right.
func TestDevSet(t *testing.T) {
	cases := loadEvalSet(t, devSetPath)
	s := scoreSet(t, seedIndex(t), cases)
	if s.n != 24 || s.figs != 12 || s.nones != 2 {
		t.Logf("note: the dev set changed shape (%d answerable, %d with figures, %d not-found); thresholds scale with it", s.n, s.figs, s.nones)
	}
	if s.hit1*24 < s.n*23 {
		t.Errorf("dev set hit@1 %d/%d; want ≥ 23/24", s.hit1, s.n)
	}
	if s.hit3 != s.n {
		t.Errorf("dev set hit@3 %d/%d; want all", s.hit3, s.n)
	}
	if s.fig1*12 < s.figs*11 {
		t.Errorf("dev set figures@1 %d/%d; want ≥ 11/12", s.fig1, s.figs)
	}
	if s.noneOK != s.nones {
		t.Errorf("dev set not-found %d/%d; want all", s.noneOK, s.nones)
	}
}

// TestOwnSet is our wider question set of the same kinds (synonyms,
// colloquial, traditional, numbers, Latin tokens, out-of-scope).
func TestOwnSet(t *testing.T) {
	cases := loadEvalSet(t, ownSetPath)
	s := scoreSet(t, seedIndex(t), cases)
	if s.n == 0 || s.nones == 0 {
		t.Fatalf("own set has %d answerable and %d not-found questions; want both kinds", s.n, s.nones)
	}
	if s.hit1*100 < s.n*95 {
		t.Errorf("own set hit@1 %d/%d; want ≥ 95%%", s.hit1, s.n)
	}
	if s.noneOK*100 < s.nones*90 {
		t.Errorf("own set not-found %d/%d; want ≥ 90%%", s.noneOK, s.nones)
	}
}

// TestTuningSetsOnRealReports guards the tuning sets over real reports
// (testdata/tuning-reports*: national and provincial reports the held-out
// sets do not use). The floors sit a little under today's scores: they catch
// a change that breaks a kind of question, not a single one.
func TestTuningSetsOnRealReports(t *testing.T) {
	for _, tc := range []struct {
		set, dir        string
		hit1, none, fig float64
	}{
		{"../testdata/questions/tuning-real.jsonl", "../testdata/tuning-reports", 0.6, 0.75, 0.6},
		{"../testdata/questions/tuning-everyday.jsonl", "../testdata/tuning-reports-2", 0.55, 0.7, 0.45},
		{"../testdata/questions/tuning-everyday3.jsonl", "../testdata/tuning-reports-3", 0.45, 0.75, 0.5},
		{"../testdata/questions/tuning-lanzhou2.jsonl", "../corpus/reports", 0.5, 1, 0.6},
		{"../testdata/questions/tuning-everyday4.jsonl", "../testdata/tuning-reports-4", 0.5, 0.65, 0.5},
		{"../testdata/questions/tuning-everyday5.jsonl", "../testdata/tuning-reports-5", 0.6, 0.6, 0.7},
		{"../testdata/questions/tuning-everyday6.jsonl", "../testdata/tuning-reports-6", 0.5, 0.85, 0.45},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			ix := buildDir(t, tc.dir)
			s := scoreSet(t, ix, loadEvalSet(t, tc.set))
			if float64(s.hit1) < tc.hit1*float64(s.n) || float64(s.noneOK) < tc.none*float64(s.nones) || float64(s.fig1) < tc.fig*float64(s.figs) {
				t.Errorf("hit@1 %d/%d, not-found %d/%d, figures@1 %d/%d; want ≥ %.0f%%, %.0f%%, %.0f%%",
					s.hit1, s.n, s.noneOK, s.nones, s.fig1, s.figs, 100*tc.hit1, 100*tc.none, 100*tc.fig)
			}
		})
	}
}
