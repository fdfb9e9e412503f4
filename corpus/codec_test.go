package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// codecReports are every report the repository holds: the embedded one and
// the real .docx reports used for tuning and testing.
func codecReports(t *testing.T) []*Report {
	t.Helper()
	var reports []*Report
	for _, dir := range []string{"reports", "../testdata/reports", "../testdata/tuning-reports"} {
		rs, _, err := LoadDir(dir)
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		reports = append(reports, rs...)
	}
	if len(reports) < 5 {
		t.Fatalf("only %d reports to encode", len(reports))
	}
	return reports
}

func TestReportCodecRoundTrip(t *testing.T) {
	for _, r := range codecReports(t) {
		got, err := DecodeReport(string(EncodeReport(r)))
		if err != nil {
			t.Fatalf("%s: decode: %v", r.ID, err)
		}
		want := *r
		want.Thesaurus = "" // not encoded: it has its own file
		for _, p := range want.Paragraphs {
			for _, s := range p.Sentences {
				if len(s.Figures) == 0 {
					s.Figures = nil // decoding gives nil for none
				}
			}
		}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("%s: decoded report differs from the parsed one", r.ID)
		}
		if Fingerprint([]*Report{got}) != Fingerprint([]*Report{&want}) {
			t.Errorf("%s: decoded report has another fingerprint", r.ID)
		}
	}
}

// Every truncation and a flipped byte anywhere give ErrCorrupt or another
// report, never a panic or a huge allocation.
func TestReportCodecCorrupt(t *testing.T) {
	r := codecReports(t)[0]
	data := string(EncodeReport(r))
	for n := 0; n < len(data); n += 1 + n/50 {
		if _, err := DecodeReport(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d of %d bytes: err %v, want ErrCorrupt", n, len(data), err)
		}
	}
	for i := 0; i < len(data); i += 1 + i/100 {
		b := []byte(data)
		b[i] ^= 0xff
		DecodeReport(string(b)) // must not panic
	}
}

func FuzzDecodeReport(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("reports", "2022-lanzhou-xinqu-work-report.txt"))
	if err != nil {
		f.Fatal(err)
	}
	r, err := Parse("seed.txt", seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(EncodeReport(r))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, err := DecodeReport(string(data)); err == nil {
			EncodeReport(got)
		}
	})
}
