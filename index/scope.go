package index

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/reportbot/reportbot/corpus"
)

// Which reports a question is about. A year (2023年) and a region (浙江,
// 全国) named in the question restrict the answer to the reports of that year
// and region; a region that is a known place but has no loaded report must
// then be named by the answering sentence itself (a question about 广东 is
// never answered from 北京's report). With neither named, every report may
// answer, the newest first and, in a mixed corpus, the national one.

// places are the names of China's province-level divisions and their main
// cities, longest first (corpus/data/regions.txt).
var places = corpus.Places()

// scope is the set of reports a question may be answered from.
type scope struct {
	reports []int    // positions in Index.reports; nil: all
	named   bool     // the question named a year or a region
	year    int      // the year named, 0 for none
	places  []string // places named that no loaded report is about: the sentence must name them
	// required are other strings the sentence must hold: a year no report
	// is of, which the reports speak of (到2035年).
	required []string
	// regionNamed: the question named the region of a loaded report.
	regionNamed bool
}

var yearOnlyRe = regexp.MustCompile(`^((?:19|20)\d\d)年?$`)

// scopeOf reads the year and the regions a (folded) question names, and
// returns the question without the region names it used up.
func (ix *Index) scopeOf(question string) (scope, string) {
	var sc scope
	if m := yearRe.FindStringSubmatch(question); m != nil {
		sc.year, _ = strconv.Atoi(m[1])
	} else if m := yearOnlyRe.FindStringSubmatch(strings.TrimSpace(question)); m != nil {
		sc.year, _ = strconv.Atoi(m[1])
	}
	names := ix.regionNameIndex()
	allowed := map[int]bool{}
	for _, n := range names {
		if !strings.Contains(question, n.text) {
			continue
		}
		question = strings.ReplaceAll(question, n.text, " ")
		for _, i := range n.reports {
			allowed[i] = true
		}
	}
	for _, p := range places {
		if strings.Contains(question, p) {
			sc.places = append(sc.places, p)
			question = strings.ReplaceAll(question, p, " ")
		}
	}
	sc.regionNamed = len(allowed) > 0
	if len(allowed) > 0 || sc.year != 0 {
		sc.named = true
		for i, r := range ix.reports {
			if (len(allowed) == 0 || allowed[i]) && (sc.year == 0 || r.Year == sc.year) {
				sc.reports = append(sc.reports, i)
			}
		}
		if sc.reports == nil {
			sc.reports = []int{} // named, but no such report
		}
	}
	return sc, question
}

// namesPlaces: the sentence (or its headings) names every place the question
// named that no loaded report is about.
func namesPlaces(p *passage, places []string) bool {
	for _, pl := range places {
		if !strings.Contains(p.text, pl) && !strings.Contains(p.section, pl) && !strings.Contains(p.lead, pl) {
			return false
		}
	}
	return true
}

// holdsAll: the sentence holds every required string.
func holdsAll(p *passage, required []string) bool {
	for _, pl := range required {
		if !strings.Contains(p.text, pl) && !strings.Contains(p.section, pl) && !strings.Contains(p.lead, pl) {
			return false
		}
	}
	return true
}

// regionName is a name of the loaded reports' regions (folded) and the
// positions of the reports it names.
type regionName struct {
	text    string
	reports []int
}

// regionNameIndex lists the region names of the loaded reports, longest
// first; computed once per index (every question looks them up).
func (ix *Index) regionNameIndex() []regionName {
	ix.regionOnce.Do(func() {
		byName := map[string][]int{}
		for i, r := range ix.reports {
			for _, n := range r.RegionNames() {
				byName[corpus.Fold(n)] = append(byName[corpus.Fold(n)], i)
			}
		}
		for n, rs := range byName {
			ix.regionNames = append(ix.regionNames, regionName{n, rs})
		}
		sort.Slice(ix.regionNames, func(i, j int) bool {
			a, b := ix.regionNames[i].text, ix.regionNames[j].text
			if len(a) != len(b) {
				return len(a) > len(b)
			}
			return a < b
		})
	})
	return ix.regionNames
}
