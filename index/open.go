package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bolt "go.etcd.io/bbolt"

	"github.com/reportbot/reportbot/corpus"
)

// The index is made of units, one per report: the report and its passages
// (what ranking needs of each indexed sentence), derived once by newUnit
// and kept on disk beside bleve (store.go). bleve's documents are named
// after their report and its key (ID/KEY/N), so one report's documents can
// be replaced without touching the others, and an index still searching
// while a reload rewrites them never mistakes a new document for one of
// its own.

// unit is one report as the index holds it.
type unit struct {
	report *corpus.Report
	// key changes whenever the report's parse may change (store.go).
	key    string
	source source
	// passages in document order, their report set when an index is
	// assembled; at is where they are in its passage table, -1 before.
	passages []passage
	at       int
	// folded is kept to be written with the unit; chars until an index
	// sums them.
	folded *folder
	chars  []charCount
}

// newUnit derives a report's passages: the one place where they are
// computed from a report (decodeUnit reads them back).
func newUnit(r *corpus.Report, key string) *unit {
	u := &unit{report: r, key: key, at: -1}
	u.folded = newFolder(r)
	restated := restatedLater(r)
	for _, p := range r.Paragraphs {
		for _, s := range p.Sentences {
			if !restated[s] {
				u.passages = append(u.passages, u.folded.passage(s, corpus.Fold(s.Text), utf8.RuneCountInString(s.Text)))
			}
		}
	}
	u.chars = countChars(u.passages)
	return u
}

// folder holds what the passages of one report share, folded: the title,
// each section's headings, each paragraph's lead and term.
type folder struct {
	title    string
	sections map[*corpus.Section]foldedSection
	leads    []string // by paragraph index
	terms    []string
	// headlines are the report's headline targets (Highlights), found
	// again from the report (parsed or read back) rather than stored.
	headlines map[*corpus.Sentence]bool
}

type foldedSection struct {
	words string   // names and subtitles of the section and those above it
	names []string // names of the section and those above it
}

func newFolder(r *corpus.Report) *folder {
	f := &folder{title: corpus.Fold(r.Title), sections: make(map[*corpus.Section]foldedSection, len(r.Sections)),
		leads: make([]string, len(r.Paragraphs)), terms: make([]string, len(r.Paragraphs))}
	for _, s := range r.Sections {
		fs := foldedSection{words: corpus.Fold(strings.Join(sectionWords(s), " "))}
		for sec := s; sec != nil; sec = sec.Parent {
			fs.names = append(fs.names, corpus.Fold(sec.Name))
		}
		f.sections[s] = fs
	}
	for i, p := range r.Paragraphs {
		f.leads[i], f.terms[i] = corpus.Fold(p.Lead), corpus.Fold(p.Term)
	}
	f.headlines = headlinesOf(r)
	return f
}

func headlinesOf(r *corpus.Report) map[*corpus.Sentence]bool {
	out := map[*corpus.Sentence]bool{}
	for _, s := range r.Highlights() {
		out[s] = true
	}
	return out
}

// passage is the passage of sentence s, whose folded text and rune count
// are given (computed, or read back).
func (f *folder) passage(s *corpus.Sentence, text string, runes int) passage {
	p := s.Paragraph
	ps := passage{sentence: s, text: text, title: f.title, term: f.terms[p.Index], runes: runes, headline: f.headlines[s],
		intro: p.Section != nil && len(p.Section.Paragraphs) > 0 && p.Section.Paragraphs[0] == p && p.Lead == ""}
	if p.Section != nil {
		fs := f.sections[p.Section]
		ps.section, ps.names = fs.words, fs.names
	}
	if p.Lead != "" && s.Index > 0 {
		ps.lead = f.leads[p.Index]
	}
	return ps
}

// ErrNoReports means the report folder could not be read or held no
// report that could be loaded.
var ErrNoReports = errors.New("load reports")

// Changes says what opening or reloading an index changed in it: titles
// of the reports added, changed (same ID, other content) and removed.
type Changes struct {
	Added, Changed, Removed []string
}

// None reports whether nothing changed.
func (c Changes) None() bool { return len(c.Added)+len(c.Changed)+len(c.Removed) == 0 }

// Progress is what Options.Progress is told while an index is opened.
type Progress struct {
	Reports     int // report files found (0 for reports handed in parsed)
	ReportsRead int // reports read: decoded when unchanged, parsed when not
	Parsed      int // of which parsed
	Sentences   int // sentences to write to bleve, known once every report is read
	Indexed     int // of which written
}

// shared is a bleve index and which Index owns it: a reload hands it on to
// the index it makes, and only the owner closes it.
type shared struct {
	mu    sync.Mutex // one reload at a time
	bleve bleve.Index
	owner *Index
}

// span is where a report's passages are in Index.passages.
type span struct{ first, n int }

// held is a report a bleve index holds: from an index in use, or from the
// manifest of an on-disk one (then its unit is read when needed).
type held struct {
	id, key, title string
	passages       int
	source         source
	unit           *unit
}

// state is a bleve index about to be brought up to date.
type state struct {
	dir        string // "" in memory
	shared     *shared
	generation uint64
	held       []held
	rebuilt    bool
	opts       Options
	progress   Progress
	// charDF is that of the index being reloaded, nil for an open: units
	// keep their character counts only until an index sums them.
	charDF map[rune]int
	// table receives the passages of the units read from disk, in order,
	// so that opening an unchanged index makes one passage table, not two;
	// on a reload it is the reloaded index's (see assemble).
	table []passage
	// reload: the units held are in memory, shared with the index in use.
	reload bool
}

// Build indexes the reports in memory.
func Build(ctx context.Context, reports []*corpus.Report, opts Options) (*Index, error) {
	st, err := openState(ctx, "", opts.withDefaults())
	if err != nil {
		return nil, err
	}
	return st.commitParsed(ctx, reports)
}

// Open opens the on-disk index in dir for reports handed in parsed,
// creating it when it is missing, unreadable or of another version of
// reportbot, and re-indexing the reports that are new or changed.
func Open(ctx context.Context, dir string, reports []*corpus.Report, opts Options) (*Index, error) {
	st, err := openState(ctx, dir, opts.withDefaults())
	if err != nil {
		return nil, err
	}
	return st.commitParsed(ctx, reports)
}

// OpenDir indexes the report files of folder corpusDir, on disk in dir (""
// for memory). With an on-disk index only the report files that changed
// since it last saw them are parsed and re-indexed; the others are read
// back as they were parsed. skipped are the files that were not loaded
// (corpus.LoadDir).
func OpenDir(ctx context.Context, dir, corpusDir string, opts Options) (ix *Index, skipped []corpus.Skipped, err error) {
	st, err := openState(ctx, dir, opts.withDefaults())
	if err != nil {
		return nil, nil, err
	}
	ix, skipped, err = st.commitDir(ctx, corpusDir)
	if err != nil {
		st.shared.bleve.Close()
	}
	return ix, skipped, err
}

// Reload brings the index up to date with folder corpusDir and returns the
// index to use from now on. Reports that did not change are shared with
// ix, not read again; ix keeps answering the searches already started on
// it but cannot be reloaded again, and its Close releases nothing: the new
// index owns bleve. opts replace ix's (a thesaurus file may have changed).
// On failure ix stays in use.
func (ix *Index) Reload(ctx context.Context, corpusDir string, opts Options) (*Index, []corpus.Skipped, error) {
	ix.shared.mu.Lock()
	defer ix.shared.mu.Unlock()
	if ix.shared.owner != ix {
		return nil, nil, errors.New("reload an index that was reloaded already")
	}
	st := &state{dir: ix.Dir, shared: ix.shared, generation: ix.generation(), opts: opts.withDefaults(), charDF: ix.charDF,
		reload: true, table: ix.passages}
	for _, u := range ix.units {
		st.held = append(st.held, held{id: u.report.ID, key: u.key, title: u.report.Title, passages: len(u.passages), source: u.source, unit: u})
	}
	next, skipped, err := st.commitDir(ctx, corpusDir)
	if next != nil {
		next.reloaded = true
	}
	return next, skipped, err
}

// Close releases the bleve index, unless a reload handed it on.
func (ix *Index) Close() error {
	ix.shared.mu.Lock()
	defer ix.shared.mu.Unlock()
	if ix.shared.owner != ix {
		return nil
	}
	ix.shared.owner = nil
	return ix.bleve.Close()
}

func (ix *Index) generation() uint64 {
	got, err := ix.bleve.GetInternal([]byte(generationKey))
	if err != nil {
		return 0
	}
	g, _ := strconv.ParseUint(string(got), 10, 64)
	return g
}

// openState opens dir's bleve index and reads what it holds; anything
// missing, unreadable or out of step starts an empty one.
func openState(ctx context.Context, dir string, opts Options) (*state, error) {
	st := &state{dir: dir, opts: opts}
	if dir == "" {
		// Scorch kept in memory (an empty path): bleve.NewMemOnly still
		// gives the older upsidedown index, several times slower to build
		// and query.
		bi, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
		if err != nil {
			return nil, fmt.Errorf("create in-memory index: %w", err)
		}
		st.shared, st.rebuilt = &shared{bleve: bi}, true
		return st, nil
	}
	path := filepath.Join(dir, bleveDir)
	m, ok, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	if ok {
		// A bounded wait for the file lock: another reportbot holding the
		// index must not hang this one.
		bi, err := bleve.OpenUsing(path, map[string]any{"bolt_timeout": "3s"})
		switch {
		case err == nil:
			got, gerr := bi.GetInternal([]byte(generationKey))
			if gerr == nil && string(got) == strconv.FormatUint(m.Generation, 10) {
				st.shared, st.generation, st.charDF = &shared{bleve: bi}, m.Generation, m.charDF()
				for _, e := range m.Reports {
					st.held = append(st.held, held{id: e.ID, key: e.Key, title: e.Title, passages: e.Passages, source: e.source})
				}
				return st, nil
			}
			opts.Logger.Info("index out of step with its manifest; rebuilding", "dir", dir, "err", gerr)
			bi.Close()
		case errors.Is(err, bolt.ErrTimeout):
			return nil, fmt.Errorf("open index %s: in use by another reportbot process: %w", path, err)
		case !errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
			opts.Logger.Warn("index unreadable; rebuilding", "dir", dir, "err", err)
		}
	} else if _, err := os.Stat(path); err == nil {
		opts.Logger.Info("index of another version or without manifest; rebuilding", "dir", dir)
	}
	for _, p := range []string{path, filepath.Join(dir, unitsDir), filepath.Join(dir, manifestFile)} {
		if err := os.RemoveAll(p); err != nil {
			return nil, fmt.Errorf("remove old index %s: %w", p, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index dir: %w", err)
	}
	bi, err := bleve.New(path, newMapping())
	if err != nil {
		return nil, fmt.Errorf("create index %s: %w", path, err)
	}
	st.shared, st.rebuilt = &shared{bleve: bi}, true
	return st, nil
}

// commitParsed indexes reports handed in parsed.
func (st *state) commitParsed(ctx context.Context, reports []*corpus.Report) (*Index, error) {
	units := make([]*unit, len(reports))
	for i, r := range reports {
		units[i] = newUnit(r, reportKey(r))
		st.progress.ReportsRead++
		st.progress.Parsed++
		st.report()
	}
	ix, err := st.commit(ctx, units)
	if err != nil && st.shared.owner == nil {
		st.shared.bleve.Close()
	}
	return ix, err
}

// commitDir loads the report files of corpusDir, reusing the units held
// for the files that did not change, and indexes them.
func (st *state) commitDir(ctx context.Context, corpusDir string) (*Index, []corpus.Skipped, error) {
	if entries, err := os.ReadDir(corpusDir); err == nil {
		for _, e := range entries {
			if !e.IsDir() && corpus.IsReportFile(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
				st.progress.Reports++
			}
		}
	}
	byID := make(map[string]*held, len(st.held))
	total := 0
	for i := range st.held {
		byID[st.held[i].id] = &st.held[i]
		total += st.held[i].passages
	}
	if st.dir != "" && total > 0 && !st.reload {
		// Room for reloads to add to (see assemble).
		st.table = make([]passage, 0, total+total/16)
	}
	units := map[*corpus.Report]*unit{}
	load := func(f corpus.File) (*corpus.Report, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		u, err := st.loadFile(f, byID[f.ID])
		if err != nil {
			return nil, err
		}
		units[u.report] = u
		st.progress.ReportsRead++
		st.report()
		return u.report, nil
	}
	reports, skipped, err := corpus.LoadDirWith(corpusDir, load)
	if cerr := ctx.Err(); cerr != nil {
		return nil, skipped, fmt.Errorf("load reports: %w", cerr)
	}
	if err != nil {
		return nil, skipped, fmt.Errorf("%w: %w", ErrNoReports, err)
	}
	list := make([]*unit, len(reports))
	for i, r := range reports {
		list[i] = units[r]
	}
	ix, err := st.commit(ctx, list)
	return ix, skipped, err
}

// loadFile is the unit of a report file: the held one when the file did
// not change (same size and time, or else same content), else parsed.
func (st *state) loadFile(f corpus.File, h *held) (*unit, error) {
	src := sourceOf(f)
	if h != nil && h.source == src {
		u, err := st.unitOf(h)
		if err == nil {
			return u, nil
		}
		st.opts.Logger.Warn("kept report unreadable; reading the file again", "file", f.Path, "err", err)
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	key := fileKey(f, data)
	if h != nil && h.key == key {
		if u, err := st.unitOf(h); err == nil {
			u.source = src // touched, not changed
			return u, nil
		}
	}
	r, err := f.Parse(data)
	if err != nil {
		return nil, err
	}
	u := newUnit(r, key)
	u.source = src
	st.progress.Parsed++
	return u, nil
}

// unitOf is the unit of a held report, read from disk when not in memory.
func (st *state) unitOf(h *held) (*unit, error) {
	if h.unit != nil {
		u := *h.unit // its report and passages shared with the index in use
		return &u, nil
	}
	if st.dir == "" {
		return nil, errors.New("not kept")
	}
	u, err := loadUnit(st.dir, h.key, &st.table)
	if err != nil {
		return nil, err
	}
	u.source = h.source
	return u, nil
}

func (st *state) report() {
	if st.opts.Progress != nil {
		st.opts.Progress(st.progress)
	}
}

// commit writes to bleve what differs between the reports it holds and
// units, records it (on disk, the unit files first and the manifest last)
// and assembles the index.
func (st *state) commit(ctx context.Context, units []*unit) (*Index, error) {
	var ch Changes
	heldByID := make(map[string]*held, len(st.held))
	for i := range st.held {
		heldByID[st.held[i].id] = &st.held[i]
	}
	var write []*unit
	var remove []*held
	wanted := make(map[string]bool, len(units))
	for _, u := range units {
		wanted[u.report.ID] = true
		h := heldByID[u.report.ID]
		switch {
		case h == nil:
			ch.Added = append(ch.Added, u.report.Title)
		case h.key != u.key:
			ch.Changed = append(ch.Changed, u.report.Title)
			remove = append(remove, h)
		default:
			continue
		}
		write = append(write, u)
		st.progress.Sentences += len(u.passages)
	}
	for i := range st.held {
		if h := &st.held[i]; !wanted[h.id] {
			ch.Removed = append(ch.Removed, h.title)
			remove = append(remove, h)
		}
	}
	st.report()
	charDF := st.countChars(units, write, remove)
	if st.dir != "" {
		for _, u := range write {
			if err := saveUnit(st.dir, u); err != nil {
				return nil, err
			}
		}
	}
	generation := st.generation
	if len(write)+len(remove) > 0 {
		generation++
		if err := st.write(ctx, write, remove, generation); err != nil {
			return nil, err
		}
		if err := st.compact(ctx, units); err != nil {
			return nil, err
		}
	}
	if st.dir != "" && (generation != st.generation || sourcesMoved(st.held, units)) {
		m := manifest{Version: formatVersion(), Generation: generation, Chars: flattenChars(charDF)}
		for _, u := range units {
			m.Reports = append(m.Reports, manifestEntry{ID: u.report.ID, Title: u.report.Title, Key: u.key, Passages: len(u.passages), source: u.source})
		}
		if err := writeManifest(st.dir, m); err != nil {
			return nil, err
		}
	}
	ix, err := assemble(units, st)
	if err != nil {
		return nil, err
	}
	ix.charDF = charDF
	ix.Changes = ch
	return ix, nil
}

// sourcesMoved reports whether a report file was touched without changing,
// or handed in instead of read: the manifest is rewritten to know it.
func sourcesMoved(old []held, units []*unit) bool {
	if len(old) != len(units) {
		return true
	}
	for i, u := range units {
		if old[i].id != u.report.ID || old[i].source != u.source {
			return true
		}
	}
	return false
}

type document struct {
	Text    string `json:"text"`
	Context string `json:"context"`
	Report  string `json:"report"` // the report's ID: questions are scoped by it
}

func docID(reportID, key string, n int) string {
	return reportID + "/" + key + "/" + strconv.Itoa(n)
}

// passageOf is the position in ix.passages of a bleve document.
func (ix *Index) passageOf(docID string) (int, bool) {
	i := strings.LastIndexByte(docID, '/')
	if i < 0 {
		return 0, false
	}
	sp, ok := ix.spans[docID[:i]]
	n, err := strconv.Atoi(docID[i+1:])
	if !ok || err != nil || n < 0 || n >= sp.n {
		return 0, false
	}
	return sp.first + n, true
}

// batchSize bounds the documents of one bleve batch.
const batchSize = 2000

// write deletes the documents of the reports removed and indexes those of
// units, in batches; the last records the generation, so an index cut
// short is seen at the next open.
func (st *state) write(ctx context.Context, units []*unit, remove []*held, generation uint64) error {
	bi := st.shared.bleve
	batch := bi.NewBatch()
	flush := func(last bool) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("index reports: %w", err)
		}
		if last {
			batch.SetInternal([]byte(generationKey), []byte(strconv.FormatUint(generation, 10)))
		}
		if err := bi.Batch(batch); err != nil {
			return fmt.Errorf("write index batch: %w", err)
		}
		// A new batch rather than Reset: scorch may still be walking the
		// old one's operations when a batch mixes deletes with documents.
		batch = bi.NewBatch()
		st.report()
		return nil
	}
	for _, h := range remove {
		for n := range h.passages {
			batch.Delete(docID(h.id, h.key, n))
		}
		if batch.Size() >= batchSize {
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	for _, u := range units {
		for n, p := range u.passages {
			// The title stays out: it would put every sentence of a report
			// among the candidates of any question naming the report's subject.
			doc := document{Text: p.text, Context: p.section + " " + p.lead, Report: u.report.ID}
			if err := batch.Index(docID(u.report.ID, u.key, n), doc); err != nil {
				return fmt.Errorf("index sentence %d of %s: %w", p.sentence.Index, u.report.ID, err)
			}
			st.progress.Indexed++
			if batch.Size() >= batchSize {
				if err := flush(false); err != nil {
					return err
				}
			}
		}
	}
	return flush(true)
}

// compact merges an on-disk index into one segment after a write of a
// quarter of its documents or more (a build): a process opening it then
// maps one dictionary instead of one per batch, which saves 15 MiB of
// memory on 1,000 reports. A smaller update adds a small segment, left to
// bleve's own merging.
func (st *state) compact(ctx context.Context, units []*unit) error {
	if st.dir == "" {
		return nil
	}
	total := 0
	for _, u := range units {
		total += len(u.passages)
	}
	if st.progress.Sentences*4 < total {
		return nil
	}
	adv, err := st.shared.bleve.Advanced()
	if err != nil {
		return fmt.Errorf("compact index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	one := mergeplan.SingleSegmentMergePlanOptions
	if err := s.ForceMerge(ctx, &one); err != nil {
		return fmt.Errorf("compact index: %w", err)
	}
	return nil
}

// assemble lays the units' passages out in one table, in the order of the
// reports, with what ranking derives from all of them.
func assemble(units []*unit, st *state) (*Index, error) {
	reports := make([]*corpus.Report, len(units))
	live := 0
	for i, u := range units {
		reports[i] = u.report
		live += len(u.passages)
	}
	th, err := st.opts.Thesaurus.withReports(reports)
	if err != nil {
		return nil, fmt.Errorf("read the reports' thesaurus files: %w", err)
	}
	bi := st.shared.bleve
	ix := &Index{reports: reports, units: units, bleve: bi, shared: st.shared, thesaurus: th, log: st.opts.Logger,
		analyzer: bi.Mapping().AnalyzerNamed(analyzerName), spans: make(map[string]span, len(units)),
		titles: make([]string, len(units)), Dir: st.dir, Rebuilt: st.rebuilt && st.dir != "",
		reportPos: make(map[*corpus.Report]int, len(units))}
	for i, r := range reports {
		ix.reportPos[r] = i
	}

	// The passage table only grows: a unit whose passages are in it already
	// (read into it at open, or unchanged since the index reloaded) keeps
	// them where they are; the others are appended, in the room left at the
	// end, where no index in use reads. The passages of reports replaced
	// or removed stay as dead rows until they are a fifth of the table, or
	// the room runs out: then a new table is made.
	table := st.table
	kept := 0
	for _, u := range units {
		if u.at >= 0 && u.at+len(u.passages) <= len(table) && (len(u.passages) == 0 || &table[u.at] == &u.passages[0]) {
			kept += len(u.passages)
		} else {
			u.at = -1
		}
	}
	if added := live - kept; len(table)+added > cap(table) || len(table)+added-live > live/4 {
		table = make([]passage, 0, live+live/16)
		for _, u := range units {
			u.at = -1
		}
	}
	for ri, u := range units {
		n := len(u.passages)
		if u.at < 0 {
			u.at = len(table)
			table = append(table, u.passages...)
		}
		if n > 0 && table[u.at].report != u.report { // rows no index reads yet
			for i := range n {
				table[u.at+i].report = u.report
			}
		}
		// The unit's passages are the table's from now on: one copy. Its
		// folded strings live on in the passages; the rest was for
		// writing it.
		u.passages = table[u.at : u.at+n : u.at+n]
		u.folded = nil
		ix.spans[u.report.ID+"/"+u.key] = span{first: u.at, n: n}
		ix.titles[ri] = corpus.Fold(u.report.Title)
	}
	ix.passages, ix.docCount = table, live
	st.shared.owner = ix
	return ix, nil
}

// countChars is the index's character counts: those of the index before
// (the one reloaded, or the manifest's), less the reports removed or
// replaced, plus those written; for a new index, the sum of the units'.
// Units drop their counts once summed.
func (st *state) countChars(units, written []*unit, removed []*held) map[rune]int {
	df := make(map[rune]int, len(st.charDF))
	add := func(cs []charCount, sign int) {
		for _, c := range cs {
			if df[c.r] += sign * c.n; df[c.r] == 0 {
				delete(df, c.r)
			}
		}
	}
	defer func() {
		for _, u := range units {
			u.chars = nil
		}
	}()
	if st.charDF == nil {
		written = units // all new
	}
	maps.Copy(df, st.charDF)
	for _, h := range removed {
		u := h.unit
		if u == nil {
			var err error
			if u, err = loadUnit(st.dir, h.key, nil); err != nil {
				// Counted anew from every passage: slower, as right.
				st.opts.Logger.Warn("replaced report unreadable; counting characters anew", "report", h.id, "err", err)
				clear(df)
				for _, u := range units {
					if u.chars == nil {
						u.chars = countChars(u.passages)
					}
					add(u.chars, 1)
				}
				return df
			}
		}
		add(countChars(u.passages), -1)
	}
	for _, u := range written {
		add(u.chars, 1)
	}
	return df
}

// ReloadChanges tells 重载 what the reload that made ix changed; ok is
// false for an index that Reload did not make.
func (ix *Index) ReloadChanges() (added, changed, removed []string, ok bool) {
	return ix.Changes.Added, ix.Changes.Changed, ix.Changes.Removed, ix.reloaded
}
