// Robot posts messages to a 企业微信 (WeCom) group robot: an HTTPS POST of
// JSON to a webhook URL that carries the robot's key.
//
// The key in the URL is the robot's only secret: anyone holding it can post
// to the group. So the URL never appears in errors or logs with its key;
// RedactURL replaces it.
//
// Delivery is at most once. A rate-limit reply (errcode 45009), an HTTP 5xx
// status, or a network error before the request was completely written is
// retried after a pause (Backoff, doubling), up to MaxRetries times. A network
// error after the request went out (for example the reply timed out) is not
// retried: the robot may already have posted the message, and posting it
// twice is worse than reporting the doubt. Such errors wrap ErrMaybeDelivered.

package wecom

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"
)

// Error codes of the robot API that this package treats specially. Any
// other non-zero code fails at once with an *APIError naming it.
const (
	// CodeRateLimited: more than 20 messages a minute to one robot.
	CodeRateLimited = 45009
	// CodeInvalidWebhook: the key in the URL is wrong or the robot was removed.
	CodeInvalidWebhook = 93000
)

// Content limits of the robot API, in bytes of UTF-8.
const (
	MaxTextBytes     = 2048
	MaxMarkdownBytes = 4096
)

// Defaults used when the Robot's fields are zero.
const (
	DefaultMaxRetries = 5
	DefaultBackoff    = 2 * time.Second
	DefaultTimeout    = 10 * time.Second
)

// ErrMaybeDelivered marks a failure after the request was sent: the message
// may or may not have been posted.
var ErrMaybeDelivered = errors.New("the request was sent but no reply came back, so the message may have been posted")

// ErrTooLong is returned, without sending, for content over the API's limit.
var ErrTooLong = errors.New("content too long")

// APIError is a non-zero errcode in the robot's reply.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string {
	switch e.Code {
	case CodeRateLimited:
		return fmt.Sprintf("errcode %d (rate limited): %s", e.Code, e.Message)
	case CodeInvalidWebhook:
		return fmt.Sprintf("errcode %d (invalid webhook URL or key): %s", e.Code, e.Message)
	}
	return fmt.Sprintf("errcode %d: %s", e.Code, e.Message)
}

// Robot is one 企业微信 group robot.
type Robot struct {
	// URL is the webhook, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...
	// It must be https, except on a loopback host.
	URL string
	// HTTPClient defaults to a client with a 10 s timeout.
	HTTPClient *http.Client
	// Logger receives retries; nil discards.
	Logger *slog.Logger
	// MaxRetries is how many times a retryable failure is retried after the
	// first attempt: 0 means DefaultMaxRetries, a negative value none.
	MaxRetries int
	// Backoff is the first pause before a retry, doubling after each:
	// 0 means DefaultBackoff.
	Backoff time.Duration
}

// SendText posts a plain-text message.
func (r *Robot) SendText(ctx context.Context, content string) error {
	return r.send(ctx, "text", content, MaxTextBytes)
}

// SendMarkdown posts a Markdown message (the robot's Markdown subset: bold,
// headings, links, quotes, <font color="info|comment|warning">).
func (r *Robot) SendMarkdown(ctx context.Context, content string) error {
	return r.send(ctx, "markdown", content, MaxMarkdownBytes)
}

type message struct {
	MsgType  string        `json:"msgtype"`
	Text     *textContent  `json:"text,omitempty"`
	Markdown *textContent  `json:"markdown,omitempty"`
	Image    *imageContent `json:"image,omitempty"`
}

type textContent struct {
	Content string `json:"content"`
}

type reply struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r *Robot) send(ctx context.Context, msgType, content string, limit int) error {
	shown := RedactURL(r.URL)
	if content == "" {
		return fmt.Errorf("wecom: send %s to %s: empty content", msgType, shown)
	}
	if len(content) > limit {
		return fmt.Errorf("wecom: send %s to %s: %w: %d bytes, the limit is %d", msgType, shown, ErrTooLong, len(content), limit)
	}
	if err := ValidateURL(r.URL); err != nil {
		return fmt.Errorf("wecom: send %s to %s: %w", msgType, shown, err)
	}
	m := message{MsgType: msgType}
	if msgType == "text" {
		m.Text = &textContent{Content: content}
	} else {
		m.Markdown = &textContent{Content: content}
	}
	return r.sendMessage(ctx, m)
}

// sendMessage posts m, retrying what may be retried.
func (r *Robot) sendMessage(ctx context.Context, m message) error {
	msgType, shown := m.MsgType, RedactURL(r.URL)
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("wecom: encode %s message: %w", msgType, err)
	}

	retries := r.MaxRetries
	if retries == 0 {
		retries = DefaultMaxRetries
	}
	wait := r.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for attempt := 0; ; attempt++ {
		retryable, err := r.post(ctx, body)
		if err == nil {
			return nil
		}
		if !retryable || attempt >= retries {
			if retryable {
				return fmt.Errorf("wecom: send %s to %s: gave up after %d attempts: %w", msgType, shown, attempt+1, err)
			}
			return fmt.Errorf("wecom: send %s to %s: %w", msgType, shown, err)
		}
		log.Warn("wecom: send failed, retrying", "webhook", shown, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("wecom: send %s to %s: waiting to retry after %v: %w", msgType, shown, err, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// post makes one attempt. retryable says whether trying again cannot post
// the message twice and may succeed.
func (r *Robot) post(ctx context.Context, body []byte) (retryable bool, err error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("build request: %w", unwrapURLError(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	client := r.HTTPClient
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		if wrote.Load() {
			return false, fmt.Errorf("%w: %w", ErrMaybeDelivered, err)
		}
		if ctx.Err() != nil {
			return false, err
		}
		var tlsErr *tls.CertificateVerificationError
		if errors.As(err, &tlsErr) {
			return false, err // a wrong certificate will not fix itself
		}
		return true, fmt.Errorf("network: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return false, fmt.Errorf("%w: read reply: %w", ErrMaybeDelivered, unwrapURLError(err))
	}
	if resp.StatusCode >= 500 {
		return true, fmt.Errorf("HTTP %s", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("HTTP %s", resp.Status)
	}
	var rep reply
	if err := json.Unmarshal(data, &rep); err != nil {
		return false, fmt.Errorf("%w: unreadable reply %.200q: %w", ErrMaybeDelivered, data, err)
	}
	if rep.ErrCode != 0 {
		return rep.ErrCode == CodeRateLimited, &APIError{Code: rep.ErrCode, Message: rep.ErrMsg}
	}
	return false, nil
}

var defaultClient = &http.Client{Timeout: DefaultTimeout}

// unwrapURLError drops the *url.Error layer, whose message repeats the URL
// with its key.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if urlErr.Timeout() {
			return fmt.Errorf("%s: timeout: %w", urlErr.Op, urlErr.Err)
		}
		return fmt.Errorf("%s: %w", urlErr.Op, urlErr.Err)
	}
	return err
}

// ValidateURL checks that raw can be a webhook URL: https, or plain http on
// a loopback host (a local relay or a test server).
func ValidateURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("unparsable webhook URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("webhook URL must be https (the key would travel in clear)")
	}
	return fmt.Errorf("webhook URL scheme %q is not https", u.Scheme)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns the webhook URL with the value of its key parameter
// replaced, for errors and logs.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable webhook URL)"
	}
	u.User = nil
	q := u.Query()
	if q.Has("key") {
		q.Set("key", "REDACTED")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
