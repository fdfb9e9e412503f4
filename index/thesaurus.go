package index

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/reportbot/reportbot/corpus"
)

//go:embed data/thesaurus.txt
var thesaurusData string

// Thesaurus rewrites how people ask into how reports write (外贸 → 进出口).
// bleve's own synonym feature drops multi-token synonyms, which every Chinese
// phrase is under a bigram analyzer (RESEARCH.md §3), so rewriting is ours.
type Thesaurus struct {
	rules map[string][]string // folded word → folded rewrites
	words []string            // rule words, longest first
	// bigrams of the rule words: a stopword character inside one (地 in
	// 地铁) is part of a word, not a particle.
	bigrams map[string]bool
}

func (th *Thesaurus) hasBigram(b string) bool { return th != nil && th.bigrams[b] }

// DefaultThesaurus is the built-in domain thesaurus.
func DefaultThesaurus() *Thesaurus {
	th, err := ParseThesaurus("data/thesaurus.txt", thesaurusData)
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
	th.words = th.words[:0]
	th.bigrams = map[string]bool{}
	for w := range th.rules {
		th.words = append(th.words, w)
		rs := []rune(w)
		for i := 0; i+1 < len(rs); i++ {
			th.bigrams[string(rs[i:i+2])] = true
		}
	}
	sort.Slice(th.words, func(i, j int) bool {
		if len(th.words[i]) != len(th.words[j]) {
			return len(th.words[i]) > len(th.words[j])
		}
		return th.words[i] < th.words[j]
	})
}

// expand adds the rewrites of every rule word found in the concept's wording.
func (th *Thesaurus) expand(c concept) concept {
	if th == nil {
		return c
	}
	orig := c.alts[0]
	seen := map[string]bool{orig: true}
	for _, w := range th.words {
		if !strings.Contains(orig, w) {
			continue
		}
		rewrites := th.rules[w]
		if saysItAlready(orig, w, rewrites) {
			// The question already says it the report's way (进出口 holds
			// 出口; 社会消费品零售总额 holds 消费): rewriting would garble it.
			continue
		}
		for _, r := range rewrites {
			alt := strings.Replace(orig, w, r, 1)
			if !seen[alt] {
				seen[alt] = true
				c.alts = append(c.alts, alt)
			}
		}
	}
	// Every rule word rewritten at once: 光伏风电 → 风光电风光电.
	if all := th.rewriteAll(orig); !seen[all] {
		c.alts = append(c.alts, all)
	}
	return c
}

// rewriteAll replaces every rule word of s by its first rewrite, longest
// words first, left to right, never inside a replacement.
func (th *Thesaurus) rewriteAll(s string) string {
	var b strings.Builder
	changed := 0
	for rest := s; rest != ""; {
		word := ""
		for _, w := range th.words { // longest first
			if strings.HasPrefix(rest, w) && !saysItAlready(s, w, th.rules[w]) {
				word = w
				break
			}
		}
		if word == "" {
			_, n := utf8.DecodeRuneInString(rest)
			b.WriteString(rest[:n])
			rest = rest[n:]
			continue
		}
		b.WriteString(th.rules[word][0])
		rest = rest[len(word):]
		changed++
	}
	if changed < 2 {
		return s // one rule alone is among the single rewrites
	}
	return b.String()
}

// saysItAlready: the question holds a rewrite that contains the rule word.
func saysItAlready(question, word string, rewrites []string) bool {
	for _, r := range rewrites {
		if r != word && strings.Contains(r, word) && strings.Contains(question, r) {
			return true
		}
	}
	return false
}
