package corpus

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	for _, e := range entries {
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
	return reports, nil
})

// IsReportFile reports whether a file name has an extension LoadDir reads:
// .txt, .md, .markdown, .html, .htm.
func IsReportFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".markdown", ".html", ".htm":
		return true
	}
	return false
}

// LoadDir parses every report file directly in dir (not recursive), in file
// name order. A file that fails is skipped and reported in the errors (each
// names the file); the others still load. Hidden files are ignored.
func LoadDir(dir string) ([]*Report, []error) {
	entries, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, []error{fmt.Errorf("corpus: read folder: %w", err)}
	}
	var (
		reports []*Report
		errs    []error
		ids     = map[string]string{}
	)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !IsReportFile(name) {
			continue
		}
		p := filepath.Join(dir, name)
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("corpus: %w", err))
			continue
		}
		r, err := Parse(p, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := ids[r.ID]; dup {
			// a.txt and a.md would share the ID a: answers could not say which.
			errs = append(errs, fmt.Errorf("corpus: %s: report ID %q already used by %s, skipped", p, r.ID, prev))
			continue
		}
		ids[r.ID] = p
		reports = append(reports, r)
	}
	if len(reports) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("corpus: %s: no report files (.txt, .md, .html)", dir))
	}
	return reports, errs
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
