package corpus

import "strings"

const (
	// terminators end a sentence.
	terminators = "。！？!?；;"
	// closers stay with the sentence they close (…。” is one sentence end).
	closers = "”’」』）)】》〉\"'"
	// quoteClosers end a quotation that may end a sentence.
	quoteClosers = "”’」』"
)

// pairs are the brackets and quotes a sentence is never split inside.
var pairs = map[rune]rune{
	'“': '”', '‘': '’', '「': '」', '『': '』', '（': '）', '(': ')', '《': '》', '【': '】', '〈': '〉',
}

// SplitSentences splits a paragraph at 。！？!?；; keeping closing quotes
// and brackets with their sentence and never splitting inside “”, 《》, （）
// or (). Sentences are trimmed of white space (U+3000 and U+00A0 included)
// and otherwise verbatim; empty ones are dropped. Unbalanced quotes do not
// protect anything, so one stray “ cannot swallow a paragraph.
func SplitSentences(text string) []string {
	rs := []rune(text)
	inside := protected(rs)
	var out []string
	start := 0
	emit := func(end int) {
		if s := trimSpace(string(rs[start:end])); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(rs); i++ {
		if !strings.ContainsRune(terminators, rs[i]) {
			continue
		}
		// Absorb runs like ？！ and the closers after the terminator.
		j := i + 1
		for j < len(rs) && (strings.ContainsRune(terminators, rs[j]) || strings.ContainsRune(closers, rs[j])) {
			j++
		}
		// Inside quotes only a terminator that ends the quotation (…。”)
		// ends the sentence, and the closer goes with it. Inside brackets
		// and 《》 nothing does.
		if !inside[i] || !inside[j-1] && strings.ContainsRune(quoteClosers, rs[j-1]) {
			emit(j)
		}
		i = j - 1
	}
	emit(len(rs))
	return out
}

// protected marks the runes strictly inside matched bracket/quote pairs, not
// counting the closing rune itself. Pairs are collected first and marked
// with a difference array, so deep nesting stays linear.
func protected(rs []rune) []bool {
	depth := make([]int, len(rs)+2)
	mark := func(open, close int) { // runes open+1 .. close-1
		depth[open+1]++
		depth[close]--
	}
	type open struct {
		close rune
		at    int
	}
	var stack []open
	for i, r := range rs {
		if len(stack) > 0 && r == stack[len(stack)-1].close {
			mark(stack[len(stack)-1].at, i)
			stack = stack[:len(stack)-1]
			continue
		}
		if c, ok := pairs[r]; ok {
			stack = append(stack, open{c, i})
			continue
		}
		// A closer that matches something deeper in the stack: unwind to it,
		// dropping the unbalanced openers in between (looking a few deep only).
		for k := len(stack) - 2; k >= 0 && k >= len(stack)-8; k-- {
			if stack[k].close == r {
				mark(stack[k].at, i)
				stack = stack[:k]
				break
			}
		}
	}
	inside := make([]bool, len(rs)+1)
	d := 0
	for i := range rs {
		d += depth[i]
		inside[i] = d > 0
	}
	return inside
}
