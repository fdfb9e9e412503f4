package index

import (
	_ "embed"
	"math"
	"sync"

	"github.com/blevesearch/vellum"
)

// General-language words. A question is cut into words with a general
// dictionary, and each word's frequency in general Chinese says how much it
// can tell: 孩子, 跑, 家 are everywhere in ordinary speech and tell little
// when the reports do not use them, while a rare noun the reports never use
// (票价, 地铁) is the question's subject, and no sentence without it answers.
//
// data/words.fst is jieba's dictionary (MIT) as shipped by
// github.com/go-ego/gse v0.80.3 (data/dict/zh/s_1.txt, Apache-2.0), words of
// frequency 5 or more, compacted by internal/gendict into a vellum FST whose
// value is freq<<4 | part-of-speech class (see data/README.md).

//go:embed data/words.fst
var wordsFST []byte

// wordClass is a word's part of speech, coarsely.
type wordClass uint8

const (
	classUnknown wordClass = iota
	classNoun              // nouns and nominal verbs
	className              // names of people, places, organisations
	classVerb
	classAdjective
	classOther // adverbs, pronouns, particles, numerals …
)

// dictTotal is the sum of the frequencies in the source dictionary, for
// turning frequencies into probabilities.
const dictTotal = 57622195

// singleRuneFloor is the least frequency a single character counts with.
const singleRuneFloor = 100

// dictMaxWord is the longest word in the FST (internal/gendict -maxlen).
const dictMaxWord = 6

type dictionary struct {
	fst *vellum.FST
}

var generalDictionary = sync.OnceValue(func() *dictionary {
	fst, err := vellum.Load(wordsFST)
	if err != nil {
		panic("index: embedded words.fst: " + err.Error()) // tested
	}
	return &dictionary{fst: fst}
})

// lookup returns a word's general frequency and class; 0 when unknown.
func (d *dictionary) lookup(w string) (freq int, class wordClass) {
	v, ok, err := d.fst.Get([]byte(w))
	if err != nil || !ok {
		return 0, classUnknown
	}
	return int(v >> 4), wordClass(v & 0xF)
}

// segment cuts a run of Chinese characters into words: the split with the
// highest product of word probabilities (jieba's method), where extra words
// (the reports' own vocabulary) count as known words too. Unknown single
// characters get the probability of a rare word.
func (d *dictionary) segment(run []rune, extra func(string) bool) []string {
	n := len(run)
	if n == 0 {
		return nil
	}
	logTotal := math.Log(dictTotal)
	best := make([]float64, n+1)
	next := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		best[i] = math.Inf(-1)
		for j := i + 1; j <= n && j-i <= dictMaxWord; j++ {
			w := string(run[i:j])
			f, _ := d.lookup(w)
			if f == 0 && j-i > 1 && extra != nil && extra(w) {
				f = 50 // a word of the reports the dictionary lacks
			}
			if j-i == 1 {
				// Any character can stand alone; the dictionary's counts
				// for some (家: 2) are artefacts that would glue it to the
				// next word (家数 + 字 + 化 for 家 + 数字化).
				f = max(f, singleRuneFloor)
			}
			if f == 0 {
				continue
			}
			if s := math.Log(float64(f)) - logTotal + best[j]; s > best[i] {
				best[i], next[i] = s, j
			}
		}
	}
	var words []string
	for i := 0; i < n; i = next[i] {
		words = append(words, string(run[i:next[i]]))
	}
	return words
}
