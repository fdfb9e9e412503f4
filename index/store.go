package index

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/reportbot/reportbot/corpus"
)

// An on-disk index is a folder:
//
//	reportbot.bleve/    bleve's index of the passages
//	reports/KEY.rpt     one parsed report with its passages and character counts
//	manifest.json       which reports the index holds, from which files, under which keys
//
// A report's KEY hashes what its parse depends on (parser version, file
// name, file content), so an unchanged report is decoded, never parsed,
// and a changed one gets a new file. bleve records the manifest's
// generation with the documents it wrote (one batch), so a crash between
// the two is seen at the next open and the index rebuilt.

const (
	bleveDir     = "reportbot.bleve"
	unitsDir     = "reports"
	manifestFile = "manifest.json"
	unitExt      = ".rpt"

	generationKey = "reportbot.generation"
	// storeVersion changes with the layout of the folder and of the .rpt
	// files beyond the report itself.
	storeVersion = "store/2"
)

// formatVersion names everything an on-disk index's layout depends on; a
// manifest of another version is not read, and the index is built anew.
func formatVersion() string {
	return strings.Join([]string{storeVersion, "mapping/" + mappingVersion, corpus.ParserVersion, corpus.CodecVersion}, " ")
}

// manifest lists the reports of an on-disk index, in load order.
type manifest struct {
	Version    string          `json:"version"`
	Generation uint64          `json:"generation"`
	Reports    []manifestEntry `json:"reports"`
	// Chars are how many passages hold each character, as pairs
	// (character, count), sorted: what ranking weighs characters by,
	// summed over all reports, kept so that an open sums nothing.
	Chars []int32 `json:"chars"`
}

func (m manifest) charDF() map[rune]int {
	df := make(map[rune]int, len(m.Chars)/2)
	for i := 0; i+1 < len(m.Chars); i += 2 {
		df[m.Chars[i]] = int(m.Chars[i+1])
	}
	return df
}

func flattenChars(df map[rune]int) []int32 {
	out := make([]int32, 0, 2*len(df))
	for _, r := range slices.Sorted(maps.Keys(df)) {
		out = append(out, r, int32(df[r]))
	}
	return out
}

type manifestEntry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Key   string `json:"key"`
	// Passages is how many documents the report has in bleve.
	Passages int `json:"passages"`
	source
}

// source is the report file a unit was read from, to know it unchanged
// without reading it; zero for reports handed in parsed.
type source struct {
	File    string `json:"file,omitempty"` // base name
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mtime,omitempty"` // Unix nanoseconds
}

func sourceOf(f corpus.File) source {
	return source{File: filepath.Base(f.Path), Size: f.Size, ModTime: f.ModTime.UnixNano()}
}

// readManifest reads dir's manifest; ok is false when there is none or it
// is of another version.
func readManifest(dir string) (m manifest, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("read index manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, false, nil // unreadable: built anew
	}
	return m, m.Version == formatVersion(), nil
}

// writeManifest replaces dir's manifest atomically and removes the unit
// files it no longer names.
func writeManifest(dir string, m manifest) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode index manifest: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, manifestFile), data); err != nil {
		return fmt.Errorf("write index manifest: %w", err)
	}
	keep := map[string]bool{}
	for _, e := range m.Reports {
		keep[e.Key+unitExt] = true
	}
	entries, _ := os.ReadDir(filepath.Join(dir, unitsDir))
	for _, e := range entries {
		if !keep[e.Name()] {
			os.Remove(filepath.Join(dir, unitsDir, e.Name())) // a leftover costs disk only
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// fileKey is the key of a report read from a file: what its parse depends on.
func fileKey(f corpus.File, data []byte) string {
	h := sha256.New()
	h.Write([]byte(corpus.ParserVersion + "\x00" + filepath.Base(f.Path) + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// reportKey is the key of a report handed in parsed.
func reportKey(r *corpus.Report) string {
	return corpus.Fingerprint([]*corpus.Report{r})[:24]
}

func unitPath(dir, key string) string { return filepath.Join(dir, unitsDir, key+unitExt) }

// saveUnit writes u's file unless it exists (same key, same content).
func saveUnit(dir string, u *unit) error {
	path := unitPath(dir, u.key)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create index folder: %w", err)
	}
	if err := writeFileAtomic(path, encodeUnit(u)); err != nil {
		return fmt.Errorf("save parsed report %s: %w", u.report.ID, err)
	}
	return nil
}

// loadUnit reads the unit kept under key. The long strings of the file are
// mapped, not read (readUnitFile): the text of the reports takes memory
// only once it is read, as with bleve's own segments. Its passages go at
// the end of table when it has room (see decodeUnit).
func loadUnit(dir, key string, table *[]passage) (*unit, error) {
	path := unitPath(dir, key)
	front, long, err := readUnitFile(path)
	if err != nil {
		return nil, err
	}
	d, err := corpus.NewSplitDecoder(front, long)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	u, err := decodeUnit(d, table)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	u.key = key
	return u, nil
}

// encodeUnit is the report, then its folded headings, leads and terms, then
// its passages (which sentence, its rune count and folded text): what
// newUnit computes slowly.
func encodeUnit(u *unit) []byte {
	var e corpus.Encoder
	r, f := u.report, u.folded
	e.Report(r)
	e.String(f.title)
	for _, s := range r.Sections {
		e.String(f.sections[s].words)
		e.String(f.sections[s].names[0])
	}
	for i := range r.Paragraphs {
		e.String(f.leads[i])
		e.String(f.terms[i])
	}
	e.Uvarint(uint64(len(u.passages)))
	for _, p := range u.passages {
		e.Uvarint(uint64(p.sentence.Paragraph.Index))
		e.Uvarint(uint64(p.sentence.Index))
		e.Uvarint(uint64(p.runes))
		e.String(p.text)
	}
	return e.Bytes()
}

// decodeFolder reads what encodeUnit wrote of f.
func decodeFolder(d *corpus.Decoder, r *corpus.Report) *folder {
	f := &folder{title: d.String(), sections: make(map[*corpus.Section]foldedSection, len(r.Sections)),
		leads: make([]string, len(r.Paragraphs)), terms: make([]string, len(r.Paragraphs))}
	for _, s := range r.Sections { // parents come first
		fs := foldedSection{words: d.String(), names: []string{d.String()}}
		if s.Parent != nil {
			fs.names = append(fs.names, f.sections[s.Parent].names...)
		}
		f.sections[s] = fs
	}
	for i := range r.Paragraphs {
		f.leads[i], f.terms[i] = d.String(), d.String()
	}
	f.headlines = headlinesOf(r)
	return f
}

// decodeUnit reads a unit. When table (may be nil) has room, the passages
// are put at its end: an index opened with nothing changed then finds them
// laid out in one table already (assemble).
func decodeUnit(d *corpus.Decoder, table *[]passage) (*unit, error) {
	r, err := d.Report()
	if err != nil {
		return nil, err
	}
	u := &unit{report: r, at: -1}
	f := decodeFolder(d, r)
	u.folded = f
	n := d.Count()
	if table != nil && cap(*table)-len(*table) >= n {
		u.at = len(*table)
		*table = (*table)[:u.at+n]
		u.passages = (*table)[u.at : u.at+n : u.at+n]
	} else {
		u.passages = make([]passage, n)
	}
	for i := range u.passages {
		pi, si, runes, text := d.Uvarint(), d.Uvarint(), int(d.Uvarint()), d.String()
		if d.Err != nil {
			break
		}
		if pi >= uint64(len(r.Paragraphs)) || si >= uint64(len(r.Paragraphs[pi].Sentences)) {
			return nil, fmt.Errorf("%w: passage %d names no sentence", corpus.ErrCorrupt, i)
		}
		u.passages[i] = f.passage(r.Paragraphs[pi].Sentences[si], text, runes)
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return u, nil
}

// charCount is how many passages of a report hold a character.
type charCount struct {
	r rune
	n int
}

// countChars counts, for each character, the passages holding it in their
// text, headings, lead or report title: the document frequencies ranking
// weighs characters by.
func countChars(passages []passage) []charCount {
	counts := map[rune]int{}
	seen := map[rune]bool{}
	for _, p := range passages {
		clear(seen)
		for _, s := range [...]string{p.text, p.section, p.lead, p.title} {
			for _, r := range s {
				if !seen[r] {
					seen[r] = true
					counts[r]++
				}
			}
		}
	}
	out := make([]charCount, 0, len(counts))
	for r, n := range counts {
		out = append(out, charCount{r, n})
	}
	slices.SortFunc(out, func(a, b charCount) int { return int(a.r - b.r) })
	return out
}
