package index

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

//go:embed data/vocabulary.txt
var vocabularyData string

// Thesaurus rewrites how people ask into how reports write, word by word
// (孩子 → 儿童, 学生; 外贸 → 进出口). bleve's own synonym feature drops
// multi-token synonyms, which every Chinese phrase is under a bigram analyzer
// (RESEARCH.md §3), so rewriting is ours. The built-in rules
// (data/vocabulary.txt) hold for any work report; a report's own rules come
// from the file beside it (corpus.Report.Thesaurus).
type Thesaurus struct {
	rules map[string][]string // folded word → folded rewrites
	// starts holds the rule words longer than one Han rune by their first
	// rune, longest first: questions are cut rune by rune on the hot path, so
	// a position looks only at the words that can start there. A rule word of
	// one rune is cut by the dictionary.
	starts map[rune][]string
	// bigrams of the rule words: a stopword character inside one (地 in
	// 地铁) is part of a word, not a particle.
	bigrams map[string]bool
}

func (th *Thesaurus) hasBigram(b string) bool { return th != nil && th.bigrams[b] }

// DefaultThesaurus is the built-in everyday-to-official vocabulary.
func DefaultThesaurus() *Thesaurus {
	th, err := ParseThesaurus("data/vocabulary.txt", vocabularyData)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return th
}

// LoadThesaurus returns the built-in thesaurus extended by the rules in file.
func LoadThesaurus(file string) (*Thesaurus, error) {
	th := DefaultThesaurus()
	if file == "" {
		return th, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read thesaurus: %w", err)
	}
	extra, err := ParseThesaurus(file, string(b))
	if err != nil {
		return nil, err
	}
	th.merge(extra)
	return th, nil
}

// ParseThesaurus reads rules of the form `WORD => REWRITE, REWRITE`.
func ParseThesaurus(name, text string) (*Thesaurus, error) {
	th := &Thesaurus{rules: map[string][]string{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, "=>")
		from = corpus.Fold(strings.TrimSpace(from))
		if !ok || from == "" {
			return nil, fmt.Errorf("thesaurus %s:%d: want `WORD => REWRITE, ...`, got %q", name, n+1, line)
		}
		for _, t := range strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if t = corpus.Fold(strings.TrimSpace(t)); t != "" {
				th.rules[from] = append(th.rules[from], t)
			}
		}
		if len(th.rules[from]) == 0 {
			return nil, fmt.Errorf("thesaurus %s:%d: %q has no rewrite", name, n+1, from)
		}
	}
	th.sortWords()
	return th, nil
}

func (th *Thesaurus) merge(o *Thesaurus) {
	for w, rs := range o.rules {
		th.rules[w] = append(th.rules[w], rs...)
	}
	th.sortWords()
}

func (th *Thesaurus) sortWords() {
	th.starts = map[rune][]string{}
	th.bigrams = map[string]bool{}
	for w := range th.rules {
		rs := []rune(w)
		for i := 0; i+1 < len(rs); i++ {
			th.bigrams[string(rs[i:i+2])] = true
		}
		if len(w) > 3 { // more than one Han rune
			th.starts[rs[0]] = append(th.starts[rs[0]], w)
		}
	}
	for _, ws := range th.starts {
		sort.Slice(ws, func(i, j int) bool {
			if len(ws[i]) != len(ws[j]) {
				return len(ws[i]) > len(ws[j])
			}
			return ws[i] < ws[j]
		})
	}
}

// longestAt is the longest rule word longer than one Han rune that text
// starts with, "" when none does.
func (th *Thesaurus) longestAt(text string) string {
	if th == nil {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(text)
	for _, w := range th.starts[r] { // longest first
		if strings.HasPrefix(text, w) {
			return w
		}
	}
	return ""
}

// withReports returns th extended by the reports' own thesaurus files; th
// itself is not changed.
func (th *Thesaurus) withReports(reports []*corpus.Report) (*Thesaurus, error) {
	out := &Thesaurus{rules: map[string][]string{}}
	if th != nil {
		for w, rs := range th.rules {
			out.rules[w] = append([]string(nil), rs...)
		}
	}
	for _, r := range reports {
		if r.Thesaurus == "" {
			continue
		}
		extra, err := ParseThesaurus(r.ID+corpus.ThesaurusSuffix, r.Thesaurus)
		if err != nil {
			return nil, err
		}
		for w, rs := range extra.rules {
			out.rules[w] = append(out.rules[w], rs...)
		}
	}
	out.sortWords()
	return out, nil
}

// rewrites returns a question word's official phrasings, without the word
// itself, or nil when no rule has it.
func (th *Thesaurus) rewrites(word string) []string {
	if th == nil {
		return nil
	}
	var out []string
	for _, r := range th.rules[word] {
		if r != word && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// cut splits a run of Chinese characters into the rule words it holds,
// longest first and left to right, and the runs between them.
func (th *Thesaurus) cut(run string) (parts []string, isRule []bool) {
	rest := run
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			parts, isRule = append(parts, plain.String()), append(isRule, false)
			plain.Reset()
		}
	}
	for rest != "" {
		word := th.longestAt(rest)
		if word == "" {
			_, n := utf8.DecodeRuneInString(rest)
			plain.WriteString(rest[:n])
			rest = rest[n:]
			continue
		}
		flush()
		parts, isRule = append(parts, word), append(isRule, true)
		rest = rest[len(word):]
	}
	flush()
	return parts, isRule
}

// ruleWordAt is the length in runes of the longest rule word of two or more
// runes that starts at rs[i], 0 when none does.
func (th *Thesaurus) ruleWordAt(rs []rune, i int) int {
	if th == nil || len(th.starts[rs[i]]) == 0 {
		return 0
	}
	return utf8.RuneCountInString(th.longestAt(string(rs[i:])))
}
