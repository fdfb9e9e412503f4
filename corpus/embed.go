package corpus

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed reports/*
var embedded embed.FS

// Default returns the reports embedded in the binary (corpus/reports/),
// parsed once per process. The reports are shared: treat them as read-only.
func Default() ([]*Report, error) { return defaultReports() }

var defaultReports = sync.OnceValues(func() ([]*Report, error) {
	entries, err := fs.ReadDir(embedded, "reports")
	if err != nil {
		return nil, fmt.Errorf("corpus: read embedded reports: %w", err)
	}
	var reports []*Report
	thesauri := map[string]string{}
	for _, e := range entries {
		if id, ok := thesaurusOf(e.Name()); ok {
			data, err := embedded.ReadFile(path.Join("reports", e.Name()))
			if err != nil {
				return nil, fmt.Errorf("corpus: read embedded %s: %w", e.Name(), err)
			}
			thesauri[id] = string(data)
			continue
		}
		if e.IsDir() || !IsReportFile(e.Name()) {
			continue
		}
		data, err := embedded.ReadFile(path.Join("reports", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("corpus: read embedded %s: %w", e.Name(), err)
		}
		r, err := Parse(e.Name(), data)
		if err != nil {
			return nil, err // a broken embedded report is a build bug: fail loudly
		}
		reports = append(reports, r)
	}
	attachThesauri(reports, thesauri)
	return reports, nil
})

// ThesaurusSuffix names the file of rules beside a report that only that
// report's wording needs: 2022-lanzhou-xinqu-work-report.thesaurus.txt goes
// with 2022-lanzhou-xinqu-work-report.txt.
const ThesaurusSuffix = ".thesaurus.txt"

func thesaurusOf(name string) (reportID string, ok bool) {
	if !strings.HasSuffix(strings.ToLower(name), ThesaurusSuffix) {
		return "", false
	}
	return name[:len(name)-len(ThesaurusSuffix)], true
}

func attachThesauri(reports []*Report, thesauri map[string]string) {
	for _, r := range reports {
		// Written only when it differs: a report kept from an earlier
		// load may be in use elsewhere.
		if t := thesauri[r.ID]; r.Thesaurus != t {
			r.Thesaurus = t
		}
	}
}

// IsReportFile reports whether a file name has an extension LoadDir reads:
// .txt, .md, .markdown, .html, .htm, .docx.
func IsReportFile(name string) bool {
	if _, ok := thesaurusOf(name); ok {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown", ".html", ".htm", ".docx":
		return true
	}
	return false
}

// Skipped is a file of a corpus folder that LoadDir did not load, and why.
type Skipped struct {
	File   string // path of the file
	Reason error
}

func (s Skipped) Error() string { return s.File + ": " + s.Reason.Error() }

// Formats that users save reports in but LoadDir cannot read, with what to do.
var unsupportedHint = map[string]string{
	".doc": "old Word format: save it as .docx", ".wps": "WPS format: save it as .docx",
	".pdf": "PDF is not read: save the report as .docx or text", ".rtf": "save it as .docx",
	".odt": "save it as .docx", ".xls": "a spreadsheet, not a report", ".xlsx": "a spreadsheet, not a report",
}

// LoadDir parses every report file directly in dir (not recursive), in file
// name order. Every other file, and every report file that fails, is named
// in skipped with its reason; the others still load. Hidden files and
// folders are ignored. err is set when dir cannot be read or when no report
// could be loaded from it: an answer set built from nothing would only ever
// say "not found".
func LoadDir(dir string) (reports []*Report, skipped []Skipped, err error) {
	return LoadDirWith(dir, ParseFile)
}

// File is a report file of a folder, not read yet.
type File struct {
	Path    string
	ID      string // the Report.ID it gives: its name without the extension
	Size    int64
	ModTime time.Time
}

// Parse parses the file's content; errors do not name the file.
func (f File) Parse(data []byte) (*Report, error) { return parse(f.Path, data) }

// ParseFile reads and parses f: LoadDir's loader.
func ParseFile(f File) (*Report, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, err
	}
	return f.Parse(data)
}

// LoadDirWith is LoadDir with the reading and parsing of each report file
// left to load, which may instead return a report it kept from an earlier
// run (an on-disk index does). Everything else (which files are reports,
// sizes, duplicate IDs, thesaurus files) is LoadDir's.
func LoadDirWith(dir string, load func(File) (*Report, error)) (reports []*Report, skipped []Skipped, err error) {
	entries, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, nil, fmt.Errorf("corpus: read report folder: %w", err)
	}
	ids := map[string]string{}
	thesauri := map[string]string{}
	skip := func(p string, reason error) { skipped = append(skipped, Skipped{File: p, Reason: reason}) }
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		if id, ok := thesaurusOf(name); ok {
			data, err := os.ReadFile(p)
			if err != nil {
				skip(p, err)
				continue
			}
			thesauri[id] = string(data)
			continue
		}
		if !IsReportFile(name) {
			hint := unsupportedHint[strings.ToLower(filepath.Ext(name))]
			if hint == "" {
				hint = "not a report format (.txt, .md, .html, .docx)"
			}
			skip(p, errors.New(hint))
			continue
		}
		info, err := e.Info()
		if err != nil {
			skip(p, err)
			continue
		}
		if info.Size() > MaxSize {
			skip(p, ErrTooLarge) // refused before reading it
			continue
		}
		r, err := load(File{Path: p, ID: strings.TrimSuffix(name, filepath.Ext(name)), Size: info.Size(), ModTime: info.ModTime()})
		if err != nil {
			skip(p, err)
			continue
		}
		if prev, dup := ids[r.ID]; dup {
			// a.txt and a.md would share the ID a: answers could not say which.
			skip(p, fmt.Errorf("report ID %q already used by %s", r.ID, prev))
			continue
		}
		ids[r.ID] = p
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		if len(skipped) == 0 {
			return nil, nil, fmt.Errorf("corpus: %s: the folder has no report files (.txt, .md, .html, .docx)", dir)
		}
		return nil, skipped, fmt.Errorf("corpus: %s: no report could be read (%d files skipped, first %v)", dir, len(skipped), skipped[0])
	}
	attachThesauri(reports, thesauri)
	for id := range thesauri {
		if _, ok := ids[id]; !ok {
			skip(filepath.Join(dir, id+ThesaurusSuffix), fmt.Errorf("no report %q beside it", id))
		}
	}
	return reports, skipped, nil
}

// Fingerprint is a content hash of parsed reports: it changes when a report
// is added, removed or edited in a way that changes its text or structure,
// and when ParserVersion changes. An index stores it to know when to rebuild.
func Fingerprint(reports []*Report) string {
	h := sha256.New()
	field := func(s string) {
		// Length-prefixed so that field boundaries cannot shift.
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(ParserVersion)
	for _, r := range reports {
		field("report")
		field(r.ID)
		field(r.Title)
		field(r.Source)
		field(r.Date)
		field(strconv.Itoa(r.Year))
		field(r.Region)
		field(r.Thesaurus)
		secIndex := map[*Section]int{}
		for i, s := range r.Sections {
			secIndex[s] = i
			field("section")
			field(strconv.Itoa(s.Level))
			field(s.Number)
			field(s.Name)
			field(s.Subtitle)
		}
		for _, p := range r.Paragraphs {
			field("paragraph")
			if p.Section != nil {
				field(strconv.Itoa(secIndex[p.Section]))
			}
			field(p.Text)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
