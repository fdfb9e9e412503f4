package index

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reportbot/reportbot/corpus"
)

// A unit read back from disk holds the passages newUnit derives.
func TestUnitRoundTrip(t *testing.T) {
	r := parseReport(t, "seed.txt", seedText(t))
	want := newUnit(r, "k")
	decode := func(data []byte) (*unit, error) {
		d, err := corpus.NewDecoder(string(data))
		if err != nil {
			return nil, err
		}
		return decodeUnit(d, nil)
	}
	got, err := decode(encodeUnit(want))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.passages) != len(want.passages) || len(got.passages) < 100 {
		t.Fatalf("%d passages read back, %d derived", len(got.passages), len(want.passages))
	}
	for i, w := range want.passages {
		g := got.passages[i]
		if g.sentence.Text != w.sentence.Text || g.text != w.text || g.section != w.section || g.lead != w.lead ||
			g.title != w.title || !slices.Equal(g.names, w.names) || g.intro != w.intro || g.term != w.term || g.runes != w.runes {
			t.Fatalf("passage %d read back as %+v, derived %+v", i, g, w)
		}
	}
	for n := 0; n < len(encodeUnit(want)); n += 997 {
		if _, err := decode(encodeUnit(want)[:n]); err == nil {
			t.Fatalf("a unit cut to %d bytes decoded", n)
		}
	}
}

// reportFolder writes the seed and a small report into a new folder.
func reportFolder(t *testing.T) string {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "2022-seed.txt"), seedText(t))
	write(t, filepath.Join(dir, "mini.txt"), "兰州新区小火车报告\n\n全年建成小火车站3座以上。小火车线路年内通车。\n")
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// progressOf records the last progress an open reported.
func progressOf(last *Progress) Options {
	return Options{Progress: func(p Progress) { *last = p }}
}

// An on-disk index parses a report file only when it changed, and re-indexes
// only that report; it answers as an index built from nothing would.
func TestOpenDirParsesOnlyChangedReports(t *testing.T) {
	ctx := t.Context()
	reports, dir := reportFolder(t), t.TempDir()
	open := func(what string) (*Index, Progress) {
		t.Helper()
		var p Progress
		ix, skipped, err := OpenDir(ctx, dir, reports, progressOf(&p))
		if err != nil || len(skipped) > 0 {
			t.Fatalf("%s: OpenDir: %v, skipped %v", what, err, skipped)
		}
		return ix, p
	}
	fresh := func(what string, ix *Index) {
		t.Helper()
		mem, _, err := OpenDir(ctx, "", reports, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer mem.Close()
		if !maps.Equal(ix.charDF, mem.charDF) || ix.docCount != mem.docCount {
			t.Errorf("%s: characters or sentences counted otherwise than by an index built from nothing", what)
		}
		for _, q := range []string{"中欧班列目标", "小火车站建几座", "新增床位", "5G"} {
			if got, want := hitTexts(search(t, ix, q)), hitTexts(search(t, mem, q)); !slices.Equal(got, want) {
				t.Errorf("%s: %s → %q; an index built from nothing answers %q", what, q, got, want)
			}
		}
	}

	first, p := open("first")
	if !first.Rebuilt || p.Parsed != 2 || p.Reports != 2 || p.Indexed != first.Len() {
		t.Errorf("first open: Rebuilt %v, progress %+v; want both parsed and %d sentences indexed", first.Rebuilt, p, first.Len())
	}
	fresh("first", first)
	first.Close()

	second, p := open("unchanged")
	if second.Rebuilt || p.Parsed != 0 || p.ReportsRead != 2 || p.Indexed != 0 || !second.Changes.None() {
		t.Errorf("unchanged: Rebuilt %v, progress %+v, changes %+v; want nothing parsed or indexed", second.Rebuilt, p, second.Changes)
	}
	fresh("unchanged", second)
	second.Close()

	// Touched, not changed: read again, not parsed.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(reports, "mini.txt"), later, later)
	touched, p := open("touched")
	if p.Parsed != 0 || !touched.Changes.None() {
		t.Errorf("touched: progress %+v, changes %+v; want nothing parsed", p, touched.Changes)
	}
	touched.Close()

	write(t, filepath.Join(reports, "mini.txt"), "兰州新区小火车报告\n\n全年建成小火车站5座以上。小火车线路年内通车。\n")
	write(t, filepath.Join(reports, "added.md"), "# 兰州新区自行车报告\n\n全年新增共享单车2000辆。\n")
	changed, p := open("changed")
	if p.Parsed != 2 || p.Indexed != 3 || changed.Rebuilt ||
		!slices.Equal(changed.Changes.Changed, []string{"兰州新区小火车报告"}) || !slices.Equal(changed.Changes.Added, []string{"兰州新区自行车报告"}) {
		t.Errorf("changed: Rebuilt %v, progress %+v, changes %+v; want the two small reports parsed and indexed", changed.Rebuilt, p, changed.Changes)
	}
	if hits := search(t, changed, "小火车站建几座"); len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "5座") {
		t.Errorf("changed: %q; want the new 5座", hitTexts(hits))
	}
	fresh("changed", changed)
	changed.Close()

	os.Remove(filepath.Join(reports, "added.md"))
	removed, _ := open("removed")
	if !slices.Equal(removed.Changes.Removed, []string{"兰州新区自行车报告"}) || len(removed.Reports()) != 2 {
		t.Errorf("removed: changes %+v, %d reports", removed.Changes, len(removed.Reports()))
	}
	if hits := search(t, removed, "共享单车"); len(hits) != 0 {
		t.Errorf("removed report still answers: %q", hitTexts(hits))
	}
	fresh("removed", removed)
	units, _ := os.ReadDir(filepath.Join(dir, unitsDir))
	if len(units) != 2 {
		t.Errorf("%d unit files kept for 2 reports", len(units))
	}
	removed.Close()
}

// What an index depends on beyond the reports (its layout, the parser's
// version) and an index cut short between bleve and its manifest make the
// next open build it anew.
func TestOpenDirRebuildsWhatItCannotTrust(t *testing.T) {
	ctx := t.Context()
	reports, dir := reportFolder(t), t.TempDir()
	for _, spoil := range []struct {
		name string
		edit func(m *manifest)
	}{
		{"another parser or layout version", func(m *manifest) { m.Version = "store/0 corpus/1" }},
		{"bleve written, manifest not", func(m *manifest) { m.Generation-- }},
	} {
		ix, _, err := OpenDir(ctx, dir, reports, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ix.Close()
		m, ok, err := readManifest(dir)
		if err != nil || !ok {
			t.Fatalf("manifest: %v %v", ok, err)
		}
		spoil.edit(&m)
		if err := writeManifest(dir, m); err != nil {
			t.Fatal(err)
		}
		var p Progress
		again, _, err := OpenDir(ctx, dir, reports, progressOf(&p))
		if err != nil {
			t.Fatal(err)
		}
		if !again.Rebuilt || p.Parsed != 2 {
			t.Errorf("%s: Rebuilt %v, progress %+v; want it built anew", spoil.name, again.Rebuilt, p)
		}
		if hits := search(t, again, "中欧班列目标"); len(hits) == 0 {
			t.Errorf("%s: the rebuilt index does not answer", spoil.name)
		}
		again.Close()
	}
	// A unit file gone bad is parsed again from its report.
	ix, _, _ := OpenDir(ctx, dir, reports, Options{})
	ix.Close()
	entries, _ := os.ReadDir(filepath.Join(dir, unitsDir))
	for _, e := range entries {
		// Replaced, not written over: the file is mapped by the index
		// opened above (as a unit file always is, never rewritten).
		path := filepath.Join(dir, unitsDir, e.Name())
		write(t, path+".new", "garbage")
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	var p Progress
	again, _, err := OpenDir(ctx, dir, reports, progressOf(&p))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if p.Parsed != 2 || len(search(t, again, "中欧班列目标")) == 0 {
		t.Errorf("after garbage unit files: progress %+v; want both parsed again and answering", p)
	}
}

// A reload shares the reports that did not change, leaves the index it
// replaces answering, and hands bleve on to the new index.
func TestReload(t *testing.T) {
	ctx := t.Context()
	for _, where := range []string{"memory", "disk"} {
		t.Run(where, func(t *testing.T) {
			reports, dir := reportFolder(t), ""
			if where == "disk" {
				dir = t.TempDir()
			}
			old, _, err := OpenDir(ctx, dir, reports, Options{})
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(reports, "mini.txt"), "兰州新区小火车报告\n\n全年建成小火车站5座以上。\n")
			var p Progress
			ix, skipped, err := old.Reload(ctx, reports, progressOf(&p))
			if err != nil || len(skipped) > 0 {
				t.Fatalf("Reload: %v %v", err, skipped)
			}
			defer func() { ix.Close() }()
			if p.Parsed != 1 || p.Indexed != 1 || !slices.Equal(ix.Changes.Changed, []string{"兰州新区小火车报告"}) {
				t.Errorf("progress %+v, changes %+v; want the changed report alone parsed", p, ix.Changes)
			}
			if ix.Reports()[0].Paragraphs[0] != old.Reports()[0].Paragraphs[0] {
				t.Error("the unchanged report was read again, not shared")
			}
			if hits := search(t, ix, "小火车站建几座"); len(hits) == 0 || !strings.Contains(hits[0].Sentence.Text, "5座") {
				t.Errorf("reloaded: %q; want 5座", hitTexts(hits))
			}
			fresh, _, err := OpenDir(ctx, "", reports, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(ix.charDF, fresh.charDF) || ix.docCount != fresh.docCount {
				t.Error("the reloaded index counts characters or sentences otherwise than one built anew")
			}
			fresh.Close()
			if hits := search(t, old, "中欧班列目标"); len(hits) == 0 {
				t.Error("the replaced index stopped answering")
			}
			for _, h := range search(t, old, "小火车站建几座") {
				if strings.Contains(h.Sentence.Text, "5座") {
					t.Errorf("the replaced index answers from the new report: %q", h.Sentence.Text)
				}
			}
			if err := old.Close(); err != nil {
				t.Fatal(err)
			}
			if hits := search(t, ix, "中欧班列目标"); len(hits) == 0 {
				t.Error("closing the replaced index closed the new one's bleve")
			}
			if _, _, err := old.Reload(ctx, reports, Options{}); err == nil {
				t.Error("a replaced index reloaded again")
			}

			// Reload after reload, the report changing length, going and
			// coming back: the passage table grows, keeps dead rows, is
			// made anew; answers and counts stay those of an index built
			// from nothing.
			for i := range 12 {
				path := filepath.Join(reports, "mini.txt")
				switch i % 4 {
				case 3:
					os.Remove(path)
				default:
					write(t, path, "兰州新区小火车报告\n\n全年建成小火车站"+strings.Repeat("又", i)+"5座以上。"+strings.Repeat("小火车线路年内通车。", i%4)+"\n")
				}
				next, _, err := ix.Reload(ctx, reports, Options{})
				if err != nil {
					t.Fatalf("reload %d: %v", i, err)
				}
				ix = next
				fresh, _, err := OpenDir(ctx, "", reports, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(ix.charDF, fresh.charDF) || ix.Len() != fresh.Len() {
					t.Errorf("reload %d: %d sentences, counts equal %v; built anew: %d", i, ix.Len(), maps.Equal(ix.charDF, fresh.charDF), fresh.Len())
				}
				for _, q := range []string{"小火车站建几座", "中欧班列目标", "小火车线路"} {
					if got, want := hitTexts(search(t, ix, q)), hitTexts(search(t, fresh, q)); !slices.Equal(got, want) {
						t.Errorf("reload %d: %s → %q; built anew: %q", i, q, got, want)
					}
				}
				fresh.Close()
			}
		})
	}
}

// Questions keep being answered, by the index in use, while a reload
// rewrites bleve and grows the passage table they read (run with -race).
func TestSearchDuringReload(t *testing.T) {
	ctx := t.Context()
	reports, dir := reportFolder(t), t.TempDir()
	ix, _, err := OpenDir(ctx, dir, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func(old *Index) {
		answered := 0
		for {
			select {
			case <-stop:
				done <- answered
				return
			default:
			}
			hits, err := old.Search(ctx, "中欧班列目标", 5)
			if err != nil {
				t.Error(err)
			}
			if len(hits) > 0 {
				answered++
			}
		}
	}(ix)
	for i := range 5 {
		write(t, filepath.Join(reports, "mini.txt"), "兰州新区小火车报告\n\n全年建成小火车站"+strings.Repeat("又", i)+"5座以上。\n")
		next, _, err := ix.Reload(ctx, reports, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if hits := search(t, next, "小火车站建几座"); len(hits) == 0 {
			t.Errorf("reload %d does not answer from the changed report", i)
		}
		ix = next
	}
	close(stop)
	if answered := <-done; answered == 0 {
		t.Error("the index in use answered nothing during the reloads")
	}
	ix.Close()
}
