// Package ops serves reportbot's operations endpoints: /healthz, /metrics
// in the Prometheus text format, and /api/ask.
package ops

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// answerBuckets are the upper bounds of the answer-latency histogram. An
// answer from the in-memory index takes around a millisecond, so the
// buckets are fine there and coarse towards the 1 s that would mean trouble.
var answerBuckets = [...]time.Duration{
	500 * time.Microsecond,
	time.Millisecond,
	2500 * time.Microsecond,
	5 * time.Millisecond,
	10 * time.Millisecond,
	25 * time.Millisecond,
	50 * time.Millisecond,
	100 * time.Millisecond,
	250 * time.Millisecond,
	500 * time.Millisecond,
	time.Second,
}

// Metrics counts what the bot does. The zero value is ready; every method is
// safe for concurrent use and lock-free, and a nil *Metrics ignores the
// calls, so code can record unconditionally.
type Metrics struct {
	messagesReceived atomic.Uint64
	repliesSent      atomic.Uint64
	answersFound     atomic.Uint64
	answersNotFound  atomic.Uint64
	sendErrors       atomic.Uint64
	queueDepth       atomic.Int64
	// answerCounts[i] counts answers in bucket i alone (not cumulative);
	// the last slot holds those slower than the largest bound.
	answerCounts   [len(answerBuckets) + 1]atomic.Uint64
	answerSumNanos atomic.Uint64
	// channels count per chat channel (channels.go).
	channels channelSet
}

// MessageReceived counts one incoming chat message.
func (m *Metrics) MessageReceived() {
	if m != nil {
		m.messagesReceived.Add(1)
	}
}

// ReplySent counts one message delivered to a chat.
func (m *Metrics) ReplySent() {
	if m != nil {
		m.repliesSent.Add(1)
	}
}

// SendFailed counts one failed send attempt.
func (m *Metrics) SendFailed() {
	if m != nil {
		m.sendErrors.Add(1)
	}
}

// QueueDepth sets how many replies wait in the send queue.
func (m *Metrics) QueueDepth(n int) {
	if m != nil {
		m.queueDepth.Store(int64(n))
	}
}

// AnswerObserved records one answered question: whether the reports covered
// it, and how long answering took.
func (m *Metrics) AnswerObserved(found bool, took time.Duration) {
	if m == nil {
		return
	}
	if found {
		m.answersFound.Add(1)
	} else {
		m.answersNotFound.Add(1)
	}
	took = max(took, 0)
	i := 0
	for i < len(answerBuckets) && took > answerBuckets[i] {
		i++
	}
	m.answerCounts[i].Add(1)
	m.answerSumNanos.Add(uint64(took))
}

// WritePrometheus writes the metrics in the Prometheus text exposition
// format (version 0.0.4).
func (m *Metrics) WritePrometheus(w io.Writer) error {
	if m == nil {
		m = new(Metrics) // a nil Metrics reads as all zeros
	}
	bw := bufio.NewWriter(w)
	family := func(name, typ, help string) {
		bw.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
	}
	sample := func(name, labels, value string) {
		bw.WriteString(name + labels + " " + value + "\n")
	}
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }

	family("reportbot_messages_received_total", "counter", "Chat messages received.")
	sample("reportbot_messages_received_total", "", u(m.messagesReceived.Load()))
	family("reportbot_replies_sent_total", "counter", "Chat messages sent.")
	sample("reportbot_replies_sent_total", "", u(m.repliesSent.Load()))
	family("reportbot_answers_total", "counter", "Questions answered, by whether the reports covered them.")
	sample("reportbot_answers_total", `{result="found"}`, u(m.answersFound.Load()))
	sample("reportbot_answers_total", `{result="not_found"}`, u(m.answersNotFound.Load()))
	family("reportbot_send_errors_total", "counter", "Failed send attempts.")
	sample("reportbot_send_errors_total", "", u(m.sendErrors.Load()))
	family("reportbot_send_queue_depth", "gauge", "Messages waiting in the send queue.")
	sample("reportbot_send_queue_depth", "", strconv.FormatInt(m.queueDepthTotal(), 10))
	m.writeChannels(bw, family)

	family("reportbot_answer_seconds", "histogram", "Time taken to answer a question.")
	// The count is the sum of the buckets read here, so +Inf and _count
	// agree even while answers are being recorded.
	var cumulative uint64
	for i, bound := range answerBuckets {
		cumulative += m.answerCounts[i].Load()
		le := strconv.FormatFloat(bound.Seconds(), 'g', -1, 64)
		sample("reportbot_answer_seconds_bucket", `{le="`+le+`"}`, u(cumulative))
	}
	cumulative += m.answerCounts[len(answerBuckets)].Load()
	sample("reportbot_answer_seconds_bucket", `{le="+Inf"}`, u(cumulative))
	sum := time.Duration(m.answerSumNanos.Load()).Seconds()
	sample("reportbot_answer_seconds_sum", "", strconv.FormatFloat(sum, 'g', -1, 64))
	sample("reportbot_answer_seconds_count", "", u(cumulative))
	return bw.Flush()
}

// ServeHTTP serves the metrics to a Prometheus scraper.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !allowGet(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.WritePrometheus(w)
}
