package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/reportbot/reportbot/corpus"
	"github.com/reportbot/reportbot/internal/testkit"
)

// BenchmarkScale1000 measures the index on 1,000 generated reports (~27 MB):
// building an on-disk index from the report files, opening it again (what
// every start does), updating it when one report changed, 重载's reload,
// the heap it keeps, and question latency. The build takes a minute or more
// on a busy 2-core machine, so it only runs when asked:
//
//	REPORTBOT_SCALE=1 go test -run '^$' -bench Scale1000 -benchtime=400x ./index
//
// REPORTBOT_SCALE_DIR=DIR keeps the reports (DIR/reports), the index
// (DIR/index) and the plain bleve index (DIR/plain.bleve) for the
// whole-process timings of scripts/bench.
//
// The parent benchmark runs once and builds; Build, Open, Update and Reload
// report what they measured as metrics (each runs a fixed number of times,
// whatever b.N), Search times the dev questions, cycled, one question an
// iteration.
func BenchmarkScale1000(b *testing.B) {
	if os.Getenv("REPORTBOT_SCALE") != "1" {
		b.Skip("set REPORTBOT_SCALE=1 to build the 1,000-report index (takes minutes)")
	}
	dir := os.Getenv("REPORTBOT_SCALE_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	sc, err := buildScale(b, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { sc.ix.Close() }()
	questions := benchQuestions(b)
	ctx := context.Background()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }

	b.Run("Build", func(b *testing.B) {
		for range b.N {
			// The build happened once, above; its cost is in the metrics.
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(len(sc.ix.Reports())), "reports")
		b.ReportMetric(float64(sc.bytes)/1e6, "corpus-MB")
		b.ReportMetric(float64(sc.ix.Len()), "sentences")
		b.ReportMetric(sc.parse.Seconds(), "parse-s")
		b.ReportMetric(sc.build.Seconds(), "build-s")
		b.ReportMetric(mib(sc.heapReports), "heap-reports-MiB")
		b.ReportMetric(mib(sc.heapTotal), "heap-MiB")
		b.ReportMetric(float64(sc.diskBytes)/(1<<20), "disk-MiB")
	})
	// Open: what a start does with a prebuilt index and unchanged
	// reports (no report parsed), and the heap the open index keeps.
	b.Run("Open", func(b *testing.B) {
		sc.reports = nil // only the index's own reports from here on
		sc.ix.Close()
		var took []time.Duration
		for range 5 {
			start := time.Now()
			ix, _, err := OpenDir(ctx, filepath.Join(dir, "index"), filepath.Join(dir, "reports"), Options{})
			took = append(took, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			if !ix.Changes.None() || ix.Rebuilt {
				b.Fatalf("reopening unchanged reports changed the index: %+v", ix.Changes)
			}
			sc.ix = ix
			if len(took) < 5 {
				ix.Close()
			}
		}
		slices.Sort(took)
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(ms(took[len(took)/2]), "open-ms")
		b.ReportMetric(mib(heapInUse()), "heap-MiB")
	})
	// Update: one report's figure changed on disk; the next start
	// re-parses and re-indexes that report alone.
	b.Run("Update", func(b *testing.B) {
		sc.ix.Close()
		var took []time.Duration
		for i := range 3 {
			editScaleReport(b, dir, i)
			start := time.Now()
			ix, _, err := OpenDir(ctx, filepath.Join(dir, "index"), filepath.Join(dir, "reports"), Options{})
			took = append(took, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			if len(ix.Changes.Changed) != 1 || len(ix.Changes.Added)+len(ix.Changes.Removed) > 0 {
				b.Fatalf("one report edited; changes %+v", ix.Changes)
			}
			sc.ix = ix
			if i < 2 {
				ix.Close()
			}
		}
		slices.Sort(took)
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(ms(took[len(took)/2]), "update-ms")
	})
	// Reload: 重载 in a running process after one report changed: the
	// heap's peak while the index in use is brought up to date, against
	// the heap the open index keeps (the same measure: objects, after a
	// collection for the steady one).
	b.Run("Reload", func(b *testing.B) {
		var took []time.Duration
		var steady, peak uint64
		for i := range 3 {
			editScaleReport(b, dir, 10+i)
			runtime.GC()
			steady = max(steady, heapObjects())
			stop := sampleHeap()
			start := time.Now()
			ix, _, err := sc.ix.Reload(ctx, filepath.Join(dir, "reports"), Options{})
			took = append(took, time.Since(start))
			peak = max(peak, stop())
			if err != nil {
				b.Fatal(err)
			}
			sc.ix = ix
		}
		slices.Sort(took)
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(ms(took[len(took)/2]), "reload-ms")
		b.ReportMetric(mib(steady), "steady-heap-MiB")
		b.ReportMetric(mib(peak), "peak-heap-MiB")
		b.ReportMetric(float64(peak)/float64(steady), "peak/steady")
	})
	b.Run("Search", func(b *testing.B) {
		testkit.TimeQuestions(b, questions, func(q string) uint64 {
			if _, err := sc.ix.Search(ctx, q, 5); err != nil {
				b.Fatal(err)
			}
			return 0
		})
	})
	// The plain bleve setup of BenchmarkPlainBleve on the same 1,000
	// reports, on disk like ours: whether a slow question is slow in bleve
	// or in our ranking.
	var plain bleve.Index
	b.Run("PlainBleve", func(b *testing.B) {
		if plain == nil {
			start := time.Now()
			plain = buildPlainBleve(b, sc.ix.Reports(), filepath.Join(dir, "plain.bleve"))
			b.Logf("plain bleve built in %v", time.Since(start).Round(time.Millisecond))
		}
		testkit.TimeQuestions(b, questions, func(q string) uint64 { return plainSearch(ctx, b, plain, q) })
	})
	if plain != nil {
		plain.Close()
	}
}

// editScaleReport changes one figure of report i on disk, differently each
// call.
func editScaleReport(tb testing.TB, dir string, i int) {
	tb.Helper()
	reports := filepath.Join(dir, "reports")
	entries, err := os.ReadDir(reports)
	if err != nil || len(entries) <= i {
		tb.Fatalf("report folder: %v", err)
	}
	path := filepath.Join(reports, entries[i].Name())
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	edits++
	text := strings.Replace(string(data), "列以上", fmt.Sprintf("列以上(第%d次修订)", edits), 1)
	if text == string(data) {
		tb.Fatalf("%s has no figure to edit", path)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

var edits int

// heapObjects is the size of the heap's objects, live or not yet swept:
// after a collection, what the process keeps.
func heapObjects() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// sampleHeap samples heapObjects every millisecond until the returned func
// is called, which returns the largest.
func sampleHeap() (stop func() uint64) {
	read := heapObjects
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		peak := read()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				peak = max(peak, read())
			case <-done:
				result <- max(peak, read())
				return
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}

// scale is the 1,000-report index with what it cost to make.
type scale struct {
	ix          *Index
	reports     []*corpus.Report
	bytes       int64         // size of the generated report files
	parse       time.Duration // corpus.LoadDir of all of them
	build       time.Duration // index.OpenDir of the files into an empty folder
	heapReports uint64        // heap in use with the parsed reports alone
	heapTotal   uint64        // heap in use with reports and the open index
	diskBytes   int64         // size of the index folder
}

const scaleReports = 1000

func buildScale(b testing.TB, dir string) (*scale, error) {
	seed, err := os.ReadFile(filepath.Join("..", "corpus", "reports", "2022-lanzhou-xinqu-work-report.txt"))
	if err != nil {
		return nil, fmt.Errorf("read seed report: %w", err)
	}
	reportDir := filepath.Join(dir, "reports")
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return nil, err
	}
	sc := &scale{}
	for i := range scaleReports {
		name, data := generateReport(seed, i)
		if err := os.WriteFile(filepath.Join(reportDir, name), data, 0o644); err != nil {
			return nil, err
		}
		sc.bytes += int64(len(data))
	}

	start := time.Now()
	reports, skipped, err := corpus.LoadDir(reportDir)
	sc.parse = time.Since(start)
	if err != nil || len(skipped) > 0 {
		return nil, fmt.Errorf("parse generated reports: %v %v", err, skipped)
	}
	if len(reports) != scaleReports {
		return nil, fmt.Errorf("parsed %d generated reports, want %d", len(reports), scaleReports)
	}
	sc.reports = reports
	sc.heapReports = heapInUse()

	// The build reads and parses the files again: what `reportbot index`
	// does on a new folder.
	start = time.Now()
	ix, _, err := OpenDir(context.Background(), filepath.Join(dir, "index"), reportDir, Options{})
	sc.build = time.Since(start)
	if err != nil {
		return nil, err
	}
	sc.ix = ix
	sc.heapTotal = heapInUse()
	sc.diskBytes = dirSize(filepath.Join(dir, "index"))
	b.Logf("scale: %d reports, %.1f MB, %d sentences: parse %v, build %v, heap %.0f MiB (reports alone %.0f MiB), index on disk %.0f MiB",
		len(reports), float64(sc.bytes)/1e6, ix.Len(), sc.parse.Round(time.Millisecond), sc.build.Round(time.Millisecond),
		float64(sc.heapTotal)/(1<<20), float64(sc.heapReports)/(1<<20), float64(sc.diskBytes)/(1<<20))
	return sc, nil
}

// heapInUse after a full collection: what the process keeps, not garbage.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

var (
	// A figure as the seed writes it: digits, maybe a decimal part. Runs
	// that touch Latin letters or + (5G, 335+X) are names, not figures.
	scaleNumberRe = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)?`)
	scaleYearRe   = regexp.MustCompile(`(?:19|20)[0-9]{2}`)
)

// scalePlaces stand in for the seed's 兰州新区 so the generated reports do
// not all name the same place.
var scalePlaces = []string{"兰州新区", "天府新区", "滨海新区", "两江新区", "西咸新区", "贵安新区",
	"舟山群岛新区", "南沙新区", "金普新区", "湘江新区", "赣江新区", "长春新区", "哈尔滨新区", "滇中新区"}

// generateReport derives report i from the seed, deterministically: its own
// file name (the report ID), place, year and date; paragraphs of each
// section in a shuffled order (the section's opening paragraph stays first)
// and the sentences of each paragraph after its lead shuffled; every figure
// scaled by a random factor. Headings and boilerplate stay as they are, so
// each report parses into the seed's structure.
func generateReport(seed []byte, i int) (name string, data []byte) {
	rng := rand.New(rand.NewPCG(20220114, uint64(i)))
	year := 2010 + i%25
	place := scalePlaces[i%len(scalePlaces)]
	lines := strings.Split(string(seed), "\n")

	// Runs of body paragraphs between headings are shuffled in place.
	isBody := func(l string) bool {
		t := strings.TrimSpace(l)
		return len([]rune(t)) > 60 && strings.ContainsAny(t, "。；;!？")
	}
	for start := 0; start < len(lines); {
		if !isBody(lines[start]) {
			start++
			continue
		}
		var run []int // indexes of body lines, blank lines between them allowed
		end := start
		for end < len(lines) && (isBody(lines[end]) || strings.TrimSpace(lines[end]) == "") {
			if isBody(lines[end]) {
				run = append(run, end)
			}
			end++
		}
		if len(run) > 2 {
			paras := make([]string, len(run)-1)
			for k, li := range run[1:] {
				paras[k] = lines[li]
			}
			rng.Shuffle(len(paras), func(a, c int) { paras[a], paras[c] = paras[c], paras[a] })
			for k, li := range run[1:] {
				lines[li] = paras[k]
			}
		}
		for _, li := range run {
			lines[li] = shuffleSentences(rng, lines[li])
		}
		start = end
	}

	text := strings.Join(lines, "\n")
	text = strings.ReplaceAll(text, "兰州新区", place)
	text = scaleNumberRe.ReplaceAllStringFunc(text, func(num string) string {
		if scaleYearRe.MatchString(num) && len(num) == 4 {
			y, _ := strconv.Atoi(num)
			return strconv.Itoa(y - 2022 + year)
		}
		return num
	})
	text = varyFigures(rng, text)
	return fmt.Sprintf("%04d-%d-report.txt", i, year), []byte(text)
}

// shuffleSentences keeps a paragraph's first sentence (its lead) first and
// shuffles the others.
func shuffleSentences(rng *rand.Rand, line string) string {
	indent := line[:len(line)-len(strings.TrimLeft(line, " \t　"))]
	var sentences []string
	rest := strings.TrimSpace(line)
	for rest != "" {
		i := strings.Index(rest, "。")
		if i < 0 {
			sentences = append(sentences, rest)
			break
		}
		sentences = append(sentences, rest[:i+len("。")])
		rest = rest[i+len("。"):]
	}
	if len(sentences) > 2 {
		tail := sentences[1:]
		rng.Shuffle(len(tail), func(a, c int) { tail[a], tail[c] = tail[c], tail[a] })
	}
	return indent + strings.Join(sentences, "")
}

// varyFigures scales each number that is not a year, a date part or part
// of a name (5G, 335+X, 5号线 keep theirs) by a factor between 0.5 and 2.
// A number written twice in the seed (the 数读报告 summary restates the
// body) gets the same new value both times.
func varyFigures(rng *rand.Rand, text string) string {
	var b strings.Builder
	varied := map[string]string{}
	last := 0
	for _, m := range scaleNumberRe.FindAllStringIndex(text, -1) {
		num := text[m[0]:m[1]]
		b.WriteString(text[last:m[0]])
		last = m[1]
		if keepNumber(text, m[0], m[1], num) {
			b.WriteString(num)
			continue
		}
		if _, ok := varied[num]; !ok {
			v, _ := strconv.ParseFloat(num, 64)
			v *= 0.5 + 1.5*rng.Float64()
			if strings.Contains(num, ".") {
				varied[num] = strconv.FormatFloat(v, 'f', 1, 64)
			} else {
				varied[num] = strconv.Itoa(max(1, int(v+0.5)))
			}
		}
		b.WriteString(varied[num])
	}
	b.WriteString(text[last:])
	return b.String()
}

func keepNumber(text string, start, end int, num string) bool {
	if len(num) == 4 && scaleYearRe.MatchString(num) {
		return true
	}
	before, after := text[:start], text[end:]
	if strings.HasPrefix(after, "/") || strings.HasSuffix(before, "/") || strings.HasPrefix(after, ":") || strings.HasSuffix(before, ":") ||
		strings.HasPrefix(after, "号线") || strings.HasPrefix(after, "号") || strings.HasPrefix(after, " 关键词") {
		return true // dates, times, line numbers, section numbers
	}
	isName := func(c byte) bool { return c == '+' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	return (len(after) > 0 && isName(after[0])) || (len(before) > 0 && isName(before[len(before)-1]))
}

// The scale benchmark is only as good as its corpus: generated reports must
// parse into the seed's structure, with their own IDs, years and wording.
func TestGenerateReportKeepsStructure(t *testing.T) {
	seedPath := filepath.Join("..", "corpus", "reports", "2022-lanzhou-xinqu-work-report.txt")
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := corpus.Parse(seedPath, seed)
	if err != nil {
		t.Fatal(err)
	}
	sectionNames := func(r *corpus.Report) []string {
		var names []string
		for _, s := range r.Sections {
			// The year in 展望2022年 is the report's own.
			names = append(names, scaleYearRe.ReplaceAllString(s.Name, "YYYY"))
		}
		return names
	}
	sentences := func(r *corpus.Report) int {
		n := 0
		for _, p := range r.Paragraphs {
			n += len(p.Sentences)
		}
		return n
	}
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 999} {
		name, data := generateReport(seed, i)
		_, again := generateReport(seed, i)
		if string(again) != string(data) {
			t.Errorf("report %d: generated twice, differs", i)
		}
		if string(data) == string(seed) {
			t.Errorf("report %d: identical to the seed", i)
		}
		r, err := corpus.Parse(name, data)
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if seen[r.ID] {
			t.Errorf("report %d: ID %s used twice", i, r.ID)
		}
		seen[r.ID] = true
		if got := sectionNames(r); !slices.Equal(got, sectionNames(want)) {
			t.Errorf("report %d: sections %q, want the seed's %q", i, got, sectionNames(want))
		}
		if got, w := sentences(r), sentences(want); got < w*9/10 || got > w*11/10 {
			t.Errorf("report %d: %d sentences, the seed has %d", i, got, w)
		}
		if wantYear := 2010 + i%25; r.Year != wantYear {
			t.Errorf("report %d: year %d, want %d", i, r.Year, wantYear)
		}
		if len(data) < len(seed)*9/10 || len(data) > len(seed)*11/10 {
			t.Errorf("report %d: %d bytes, the seed has %d", i, len(data), len(seed))
		}
	}
}
