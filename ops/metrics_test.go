package ops

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// exposition is a parsed Prometheus text exposition.
type exposition struct {
	types   map[string]string  // family -> counter/gauge/histogram
	helps   map[string]string  // family -> help text
	samples map[string]float64 // `name{labels}` -> value
	order   []string           // sample keys in order
}

// parseExposition reads the text format back line by line, failing on
// anything a Prometheus scraper would reject.
func parseExposition(t *testing.T, text string) exposition {
	t.Helper()
	e := exposition{types: map[string]string{}, helps: map[string]string{}, samples: map[string]float64{}}
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("exposition does not end with a newline")
	}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, ok := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if !ok || help == "" {
				t.Fatalf("line %d: bad HELP %q", n+1, line)
			}
			e.helps[name] = help
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if typ != "counter" && typ != "gauge" && typ != "histogram" {
				t.Fatalf("line %d: bad TYPE %q", n+1, line)
			}
			if _, dup := e.types[name]; dup {
				t.Fatalf("line %d: second TYPE for %s", n+1, name)
			}
			e.types[name] = typ
		case strings.HasPrefix(line, "#") || line == "":
			t.Fatalf("line %d: unexpected %q", n+1, line)
		default:
			key, value, ok := strings.Cut(line, " ")
			if !ok {
				t.Fatalf("line %d: no value in %q", n+1, line)
			}
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("line %d: value %q: %v", n+1, value, err)
			}
			name := key
			if i := strings.IndexByte(key, '{'); i >= 0 {
				name = key[:i]
				labels := key[i:]
				if !strings.HasSuffix(labels, `"}`) || !strings.Contains(labels, `="`) {
					t.Fatalf("line %d: bad labels %q", n+1, labels)
				}
			}
			family := name
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(name, suffix); ok && e.types[base] == "histogram" {
					family = base
				}
			}
			if _, ok := e.types[family]; !ok {
				t.Fatalf("line %d: sample %s before its TYPE", n+1, name)
			}
			if _, dup := e.samples[key]; dup {
				t.Fatalf("line %d: duplicate sample %s", n+1, key)
			}
			e.samples[key] = v
			e.order = append(e.order, key)
		}
	}
	return e
}

func scrape(t *testing.T, m *Metrics) exposition {
	t.Helper()
	var buf bytes.Buffer
	if err := m.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	return parseExposition(t, buf.String())
}

// checkHistogram checks the buckets rise, +Inf equals _count, and returns
// the cumulative bucket values by bound.
func checkHistogram(t *testing.T, e exposition, name string) map[string]float64 {
	t.Helper()
	buckets := map[string]float64{}
	prev := -1.0
	for _, key := range e.order {
		le, ok := strings.CutPrefix(key, name+`_bucket{le="`)
		if !ok {
			continue
		}
		le = strings.TrimSuffix(le, `"}`)
		v := e.samples[key]
		if v < prev {
			t.Errorf("bucket le=%s = %v below the one before (%v)", le, v, prev)
		}
		prev = v
		buckets[le] = v
	}
	if buckets["+Inf"] != e.samples[name+"_count"] {
		t.Errorf("+Inf bucket %v != count %v", buckets["+Inf"], e.samples[name+"_count"])
	}
	return buckets
}

func TestExpositionOfFreshMetricsHasEveryFamilyAtZero(t *testing.T) {
	e := scrape(t, new(Metrics))
	wantTypes := map[string]string{
		"reportbot_messages_received_total": "counter",
		"reportbot_replies_sent_total":      "counter",
		"reportbot_answers_total":           "counter",
		"reportbot_send_errors_total":       "counter",
		"reportbot_send_queue_depth":        "gauge",
		"reportbot_answer_seconds":          "histogram",
	}
	for name, typ := range wantTypes {
		if e.types[name] != typ {
			t.Errorf("TYPE of %s = %q, want %q", name, e.types[name], typ)
		}
		if e.helps[name] == "" {
			t.Errorf("no HELP for %s", name)
		}
	}
	if len(e.types) != len(wantTypes) {
		t.Errorf("families %v", e.types)
	}
	for key, v := range e.samples {
		if v != 0 {
			t.Errorf("%s = %v in fresh metrics", key, v)
		}
	}
	buckets := checkHistogram(t, e, "reportbot_answer_seconds")
	for _, le := range []string{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"} {
		if _, ok := buckets[le]; !ok {
			t.Errorf("no bucket le=%s", le)
		}
	}
}

func TestExpositionReportsWhatWasRecorded(t *testing.T) {
	m := new(Metrics)
	for range 3 {
		m.MessageReceived()
	}
	m.ReplySent()
	m.ReplySent()
	m.SendFailed()
	m.QueueDepth(7)
	m.AnswerObserved(true, 300*time.Microsecond) // le=0.0005
	m.AnswerObserved(true, time.Millisecond)     // le=0.001 (bounds are inclusive)
	m.AnswerObserved(false, 40*time.Millisecond) // le=0.05
	m.AnswerObserved(true, 3*time.Second)        // only +Inf
	m.AnswerObserved(false, -5*time.Millisecond) // a clock step back counts as 0

	e := scrape(t, m)
	want := map[string]float64{
		"reportbot_messages_received_total":           3,
		"reportbot_replies_sent_total":                2,
		"reportbot_send_errors_total":                 1,
		"reportbot_send_queue_depth":                  7,
		`reportbot_answers_total{result="found"}`:     3,
		`reportbot_answers_total{result="not_found"}`: 2,
		"reportbot_answer_seconds_count":              5,
		"reportbot_answer_seconds_sum":                3.0413,
	}
	for key, v := range want {
		if got, ok := e.samples[key]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, v)
		}
	}
	buckets := checkHistogram(t, e, "reportbot_answer_seconds")
	wantBuckets := map[string]float64{"0.0005": 2, "0.001": 3, "0.0025": 3, "0.025": 3, "0.05": 4, "1": 4, "+Inf": 5}
	for le, v := range wantBuckets {
		if buckets[le] != v {
			t.Errorf("bucket le=%s = %v, want %v", le, buckets[le], v)
		}
	}

	m.QueueDepth(0)
	if got := scrape(t, m).samples["reportbot_send_queue_depth"]; got != 0 {
		t.Errorf("queue depth after QueueDepth(0) = %v", got)
	}
}

func TestNilMetricsIgnoresCallsAndReadsAsZero(t *testing.T) {
	var m *Metrics
	m.MessageReceived()
	m.ReplySent()
	m.SendFailed()
	m.QueueDepth(3)
	m.AnswerObserved(true, time.Millisecond)
	var nilOut, freshOut bytes.Buffer
	if err := m.WritePrometheus(&nilOut); err != nil {
		t.Fatal(err)
	}
	new(Metrics).WritePrometheus(&freshOut)
	if nilOut.String() != freshOut.String() {
		t.Fatalf("nil metrics exposition differs:\n%s", nilOut.String())
	}
}

func TestConcurrentRecordingCountsEveryCall(t *testing.T) {
	m := new(Metrics)
	const workers, each = 8, 500
	var wg sync.WaitGroup
	stopScraping := make(chan struct{})
	scraped := make(chan error, 1)
	// Scrape while recording: every scrape must still be self-consistent.
	go func() {
		for {
			select {
			case <-stopScraping:
				scraped <- nil
				return
			default:
			}
			var buf bytes.Buffer
			m.WritePrometheus(&buf)
			if err := consistent(buf.String()); err != nil {
				scraped <- err
				return
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m.MessageReceived()
				m.ReplySent()
				m.SendFailed()
				m.QueueDepth(i)
				m.AnswerObserved((w+i)%2 == 0, time.Duration(i)*time.Millisecond)
			}
		}()
	}
	wg.Wait()
	close(stopScraping)
	if err := <-scraped; err != nil {
		t.Fatalf("inconsistent scrape during recording: %v", err)
	}
	e := scrape(t, m)
	total := float64(workers * each)
	for _, key := range []string{"reportbot_messages_received_total", "reportbot_replies_sent_total", "reportbot_send_errors_total", "reportbot_answer_seconds_count"} {
		if e.samples[key] != total {
			t.Errorf("%s = %v, want %v", key, e.samples[key], total)
		}
	}
	if f, nf := e.samples[`reportbot_answers_total{result="found"}`], e.samples[`reportbot_answers_total{result="not_found"}`]; f+nf != total || f != total/2 {
		t.Errorf("found %v + not found %v, want %v each", f, nf, total/2)
	}
	if d := e.samples["reportbot_send_queue_depth"]; d < 0 || d >= each {
		t.Errorf("queue depth %v is none of the values set", d)
	}
	checkHistogram(t, e, "reportbot_answer_seconds")
}

// consistent checks what a scraper relies on: +Inf bucket equals _count and
// buckets never fall.
func consistent(text string) error {
	var prev, inf, count float64 = -1, -1, -2
	for _, line := range strings.Split(text, "\n") {
		key, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(key, "reportbot_answer_seconds_bucket"):
			if v < prev {
				return fmt.Errorf("bucket %s fell to %v", key, v)
			}
			prev = v
			if strings.Contains(key, "+Inf") {
				inf = v
			}
		case key == "reportbot_answer_seconds_count":
			count = v
		}
	}
	if inf != count {
		return fmt.Errorf("+Inf %v != count %v", inf, count)
	}
	return nil
}

func TestMetricsEndpoint(t *testing.T) {
	m := new(Metrics)
	m.MessageReceived()
	srv := httptest.NewServer(Handler(Handlers{Metrics: m}, nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	e := parseExposition(t, string(body))
	if e.samples["reportbot_messages_received_total"] != 1 {
		t.Errorf("messages received %v", e.samples["reportbot_messages_received_total"])
	}

	resp, err = http.Post(srv.URL+"/metrics", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: status %d", resp.StatusCode)
	}
}
