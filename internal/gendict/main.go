// Command gendict compacts a jieba-format dictionary ("word freq pos" lines,
// such as data/dict/zh/s_1.txt of github.com/go-ego/gse, Apache-2.0, itself
// derived from jieba's dict.txt, MIT) into the vellum FST that index/ embeds
// as data/words.fst: each word maps to freq<<4 | its part-of-speech class.
// Simplified Chinese only; words rarer than -min are left out.
//
//	go run ./internal/gendict -src "$(go env GOMODCACHE)/github.com/go-ego/gse@v0.80.3/data/dict/zh/s_1.txt" -out index/data/words.fst
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/vellum"
)

func main() {
	src := flag.String("src", "", "jieba-format dictionary")
	out := flag.String("out", "index/data/words.fst", "FST to write")
	minFreq := flag.Int("min", 3, "leave out words rarer than this")
	maxRunes := flag.Int("maxlen", 6, "leave out words longer than this")
	flag.Parse()
	f, err := os.Open(*src)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	type entry struct {
		word string
		val  uint64
	}
	words := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		w := fields[0]
		n, err := strconv.Atoi(fields[1])
		if err != nil || n < *minFreq || len([]rune(w)) > *maxRunes || !allHan(w) {
			continue
		}
		pos := ""
		if len(fields) > 2 {
			pos = fields[2]
		}
		v := uint64(n)<<4 | uint64(posClass(pos))
		if old, ok := words[w]; !ok || old>>4 < uint64(n) {
			words[w] = v
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	var es []entry
	for w, v := range words {
		es = append(es, entry{w, v})
	}
	sort.Slice(es, func(i, j int) bool { return es[i].word < es[j].word })
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range es {
		if err := b.Insert([]byte(e.word), e.val); err != nil {
			log.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d words, %d bytes\n", len(es), buf.Len())
}

// posClass groups jieba's part-of-speech tags into what ranking needs; the
// numbers are shared with index/words.go.
func posClass(pos string) int {
	switch {
	case pos == "":
		return 0
	case strings.HasPrefix(pos, "nr"), strings.HasPrefix(pos, "ns"), strings.HasPrefix(pos, "nt"), strings.HasPrefix(pos, "nz"):
		return 2 // names of people, places, organisations, other proper nouns
	case strings.HasPrefix(pos, "n"), pos == "vn", pos == "an":
		return 1 // nouns and nominal verbs
	case strings.HasPrefix(pos, "v"):
		return 3
	case strings.HasPrefix(pos, "a"):
		return 4
	default:
		return 5 // adverbs, pronouns, particles, numerals …
	}
}

func allHan(s string) bool {
	for _, r := range s {
		if r < 0x3400 || r > 0x9FFF {
			return false
		}
	}
	return s != ""
}
