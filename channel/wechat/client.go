// Package wechat connects the chat core to a personal WeChat account through
// the web (UOS desktop) protocol, with github.com/eatmoreapple/openwechat.
//
// It logs the account in (a hot login from the stored session, else a QR
// code to scan), turns incoming messages into bot.Message for a Handler, and
// sends the Handler's replies through one paced queue per account: WeChat
// bans accounts that send too fast, so every send waits SendInterval plus a
// random jitter after the previous one, and "operate too often" (Ret 1205)
// or a network failure pauses sending with a doubling backoff.
//
// The openwechat client is never shared with other goroutines in ways the
// library does not survive: received messages are copied into plain values
// on openwechat's sync goroutine and handled on a worker of this package;
// contact names are fetched into this package's own cache; the library is
// stopped by cancelling its context, never with Bot.Exit (which races).
package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reportbot/reportbot/bot"
	"github.com/reportbot/reportbot/internal/backoff"
)

// Handler answers one chat message. bot.Bot satisfies it: it de-duplicates
// by Message.ID, decides whether to answer in groups (Mentioned), ignores
// FromSelf and splits long answers into several replies.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) []bot.Reply
}

// Metrics counts what the channel does, for the ops endpoints. The methods
// are called from several goroutines.
type Metrics interface {
	MessageReceived()
	ReplySent()
	SendFailed()
	QueueDepth(n int)
}

// Options configure a Client. Zero values take the defaults written beside
// each field.
type Options struct {
	// Account is a stable name of the bot account ("default"); it keys the
	// login session and prefixes message IDs for de-duplication.
	Account string
	// Handler answers the messages. Required.
	Handler Handler
	// LoginStorage keeps the hot-login session (openwechat's JSON), such as
	// redisstore.Store.LoginStorage. Reading it to io.EOF must deliver the
	// whole session and the next read must start over; a read error wrapping
	// fs.ErrNotExist means "no session stored". nil keeps the session in
	// memory only, so a restart needs a new QR scan.
	LoginStorage io.ReadWriter
	// Logger receives everything the channel reports. nil discards.
	Logger *slog.Logger

	// SendInterval is the least time between two sends (default 1s); a
	// random jitter in [0, SendJitter) is added each time (default 500ms;
	// a negative SendJitter means none).
	SendInterval, SendJitter time.Duration
	// SendRetryBackoff is the pause after a send refused with Ret 1205 or
	// failed on the network before reaching WeChat (default 5s); it doubles
	// with each failure in a row up to SendRetryMaxBackoff (default 5min).
	SendRetryBackoff, SendRetryMaxBackoff time.Duration
	// SendMaxAge drops a queued message not sent within this time of being
	// queued, e.g. after a long logout (default 30min).
	SendMaxAge time.Duration
	// SendQueueSize bounds the outgoing queue (default 1000).
	SendQueueSize int
	// ReceiveQueueSize bounds the messages waiting for the Handler; when it
	// is full, new messages are dropped with a log line (default 256).
	ReceiveQueueSize int

	// SyncRetryBackoff is the first pause after a failed message poll
	// (default 1s); it doubles up to SyncRetryMaxBackoff (default 1min).
	SyncRetryBackoff, SyncRetryMaxBackoff time.Duration
	// LoginRetryBackoff is the pause after a failed login, or before logging
	// in again after a session that lasted less than a minute (default 5s);
	// it doubles up to LoginRetryMaxBackoff (default 5min).
	LoginRetryBackoff, LoginRetryMaxBackoff time.Duration
	// ContactRefreshInterval is the least time between two fetches of the
	// contact list, or of one group's members, when a name is not cached
	// (default 1min).
	ContactRefreshInterval time.Duration
	// ShutdownTimeout bounds how long Run keeps handling received messages
	// and sending queued replies after its context is cancelled (default 10s).
	ShutdownTimeout time.Duration

	// QRWriter receives the login QR code drawn with text blocks and its URL
	// (typically os.Stdout), and a line for every failed login attempt, so
	// a person waiting there for the QR code learns why none comes. nil
	// draws nothing; the URL and the failures are logged anyway.
	QRWriter io.Writer
	// QRPNGPath, when set, also gets the QR code as a PNG image, for
	// headless servers. It is removed after a successful login.
	QRPNGPath string
	// Alert tells a person that the account was logged out (e.g. through a
	// 企业微信 robot webhook). nil: only the log says so.
	Alert func(ctx context.Context, text string) error
	// Metrics counts messages and sends. nil counts nothing.
	Metrics Metrics
	// Transport carries every HTTP request to WeChat. nil uses
	// http.DefaultTransport. Tests point it at a fake server.
	Transport http.RoundTripper
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Account == "" {
		o.Account = "default"
	}
	if o.Logger == nil {
		o.Logger = discardLogger()
	}
	def(&o.SendInterval, time.Second)
	switch {
	case o.SendJitter == 0:
		o.SendJitter = 500 * time.Millisecond
	case o.SendJitter < 0:
		o.SendJitter = 0
	}
	def(&o.SendRetryBackoff, 5*time.Second)
	def(&o.SendRetryMaxBackoff, 5*time.Minute)
	def(&o.SendMaxAge, 30*time.Minute)
	if o.SendQueueSize <= 0 {
		o.SendQueueSize = 1000
	}
	if o.ReceiveQueueSize <= 0 {
		o.ReceiveQueueSize = 256
	}
	def(&o.SyncRetryBackoff, time.Second)
	def(&o.SyncRetryMaxBackoff, time.Minute)
	def(&o.LoginRetryBackoff, 5*time.Second)
	def(&o.LoginRetryMaxBackoff, 5*time.Minute)
	def(&o.ContactRefreshInterval, time.Minute)
	def(&o.ShutdownTimeout, 10*time.Second)
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	if o.LoginStorage == nil {
		o.LoginStorage = &memoryStorage{}
	}
	return o
}

// ErrNotLoggedIn is returned by SendToGroup while no account is logged in.
var ErrNotLoggedIn = errors.New("wechat: not logged in")

// ErrUnknownGroup is returned by SendToGroup for a group name the account
// does not know.
var ErrUnknownGroup = errors.New("wechat: unknown group")

// ErrQueueFull is returned by SendToGroup when the outgoing queue is full.
var ErrQueueFull = errors.New("wechat: send queue full")

// Client is one WeChat account.
type Client struct {
	opts Options
	log  *slog.Logger

	running atomic.Bool

	mu   sync.Mutex
	sess *session // nil while logged out

	inbox    chan incoming // received messages waiting for the Handler
	outbox   *outbox
	loggedIn atomic.Bool
	// hasStoredSession is set once a stored login session was found or a
	// login succeeded (which stores one): what the stop message says.
	hasStoredSession atomic.Bool
}

// New checks the options and returns a Client; Run logs it in.
func New(opts Options) (*Client, error) {
	if opts.Handler == nil {
		return nil, errors.New("wechat: Options.Handler is required")
	}
	opts = opts.withDefaults()
	c := &Client{
		opts:  opts,
		log:   opts.Logger.With("channel", "wechat", "account", opts.Account),
		inbox: make(chan incoming, opts.ReceiveQueueSize),
	}
	c.outbox = newOutbox(opts.SendQueueSize, opts.Metrics)
	return c, nil
}

// LoggedIn reports whether the account is logged in right now.
func (c *Client) LoggedIn() bool { return c.loggedIn.Load() }

// SendToGroup sends text to the group named group (its WeChat name, as
// bot.Message.Chat gives it) through the paced queue, and returns nil once
// WeChat accepted it. It fails at once when no account is logged in, the
// group is unknown, or the queue is full; later when the send fails for
// good. When ctx ends first, a text still waiting in the queue is taken
// out (not sent); one already in flight may or may not arrive.
func (c *Client) SendToGroup(ctx context.Context, group, text string) error {
	sess := c.session()
	if sess == nil {
		return fmt.Errorf("send to group %q: %w", group, ErrNotLoggedIn)
	}
	if text == "" {
		return fmt.Errorf("send to group %q: empty text", group)
	}
	return c.sendToGroup(ctx, sess, &outgoing{chat: group, group: true, text: text, done: make(chan error, 1)})
}

// sendToGroup queues item for a group of sess and waits for its outcome.
func (c *Client) sendToGroup(ctx context.Context, sess *session, item *outgoing) error {
	group := item.chat
	if _, ok := sess.contacts.findByName(ctx, group, true); !ok {
		return fmt.Errorf("send to group %q: %w", group, ErrUnknownGroup)
	}
	if !c.outbox.push(item) {
		return fmt.Errorf("send to group %q: %w", group, ErrQueueFull)
	}
	select {
	case err := <-item.done:
		if err != nil {
			return fmt.Errorf("send to group %q: %w", group, err)
		}
		return nil
	case <-ctx.Done():
		if c.outbox.withdraw(item) {
			return fmt.Errorf("send to group %q: gave up before sending: %w", group, ctx.Err())
		}
		select {
		case err := <-item.done:
			if err == nil {
				return nil
			}
		default:
		}
		return fmt.Errorf("send to group %q: gave up while sending, may or may not have been delivered: %w", group, ctx.Err())
	}
}

// Run logs the account in and serves it until ctx is cancelled: it receives
// messages, hands them to the Handler and sends the replies. When WeChat
// logs the account out it says so loudly (log and Alert), tries the stored
// session again and then the QR scan, never faster than LoginRetryBackoff
// after a short-lived session.
//
// When ctx is cancelled, Run stops receiving, handles the messages already
// received and sends what is queued (at most ShutdownTimeout), and returns
// nil. The stored session is kept, so the next start needs no scan.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("wechat: Run called twice")
	}
	// The worker and the sender outlive ctx by the shutdown drain.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workerDone := make(chan struct{})
	senderDone := make(chan struct{})
	stopping := make(chan struct{})
	go func() {
		defer close(workerDone)
		c.receiveLoop(workCtx, stopping)
	}()
	go func() {
		defer close(senderDone)
		c.sendLoop(workCtx, workerDone)
	}()

	c.loginLoop(ctx)

	// Shutdown: stop receiving, then let the worker and the sender finish
	// within ShutdownTimeout.
	if sess := c.session(); sess != nil {
		sess.stopReceiving()
	}
	close(stopping)
	c.outbox.wake()
	deadline := time.NewTimer(c.opts.ShutdownTimeout)
	defer deadline.Stop()
	select {
	case <-senderDone:
	case <-deadline.C:
		left := c.outbox.len()
		c.log.Warn("shutdown timeout: dropping unsent messages", "unsent", left, "timeout", c.opts.ShutdownTimeout)
		stopWork()
		// The sender and worker return promptly once workCtx is done, unless
		// the Handler ignores its context; do not wait for that forever.
		select {
		case <-senderDone:
		case <-time.After(2 * time.Second):
			c.log.Error("sender did not stop after the shutdown timeout")
		}
	}
	c.setSession(nil)
	if c.hasStoredSession.Load() {
		c.log.Info("wechat channel stopped; the login session stays stored for the next start")
	} else {
		c.log.Info("wechat channel stopped; it never logged in and no login session is stored: the next start needs a QR scan")
	}
	return nil
}

// loginLoop logs in, serves the session until it ends, and logs in again
// after a logout, until ctx is cancelled.
func (c *Client) loginLoop(ctx context.Context) {
	delay := backoff.Backoff{Base: c.opts.LoginRetryBackoff, Max: c.opts.LoginRetryMaxBackoff}
	shortSessions := 0 // sessions in a row that WeChat ended within a minute
	for ctx.Err() == nil {
		// A stored session that WeChat accepts at login but drops at once,
		// again and again, is not going to work: ask for a scan instead.
		skipStored := shortSessions >= 2
		if skipStored {
			c.log.Warn("the stored session keeps being logged out at once; asking for a QR scan")
		}
		sess, err := c.login(ctx, skipStored)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := delay.Next()
			c.log.Error("wechat login failed; retrying", "err", err, "retry_in", wait)
			if w := c.opts.QRWriter; w != nil {
				fmt.Fprintf(w, "WeChat login failed, retrying in %s: %v\n", wait, err)
			}
			if !backoff.Sleep(ctx, wait) {
				return
			}
			continue
		}
		c.hasStoredSession.Store(true)
		c.setSession(sess)
		started := time.Now()
		reason := sess.wait(ctx)
		if ctx.Err() != nil {
			return // shutdown: Run keeps the session for draining
		}
		c.setSession(nil)
		lasted := time.Since(started)
		msg := fmt.Sprintf("WeChat account %q (%s) was logged out after %s: %v. Trying the stored session again, then a QR scan: check the server's terminal or QR image.",
			c.opts.Account, sess.self.NickName, lasted.Round(time.Second), reason)
		c.log.Error("WECHAT LOGGED OUT: the bot is not answering until it logs in again", "reason", reason, "session_lasted", lasted.Round(time.Second))
		c.alert(ctx, msg)
		if lasted < time.Minute {
			// A session that dies at once must not turn into a login loop.
			shortSessions++
			wait := delay.Next()
			c.log.Warn("short-lived session; waiting before logging in again", "wait", wait)
			if !backoff.Sleep(ctx, wait) {
				return
			}
		} else {
			shortSessions = 0
			delay.Reset()
		}
	}
}

func (c *Client) alert(ctx context.Context, text string) {
	if c.opts.Alert == nil {
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := c.opts.Alert(actx, text); err != nil {
		c.log.Error("alert about the logout failed", "err", err)
	}
}

func (c *Client) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

func (c *Client) setSession(s *session) {
	c.mu.Lock()
	c.sess = s
	c.mu.Unlock()
	c.loggedIn.Store(s != nil)
	c.outbox.wake()
}

type noMetrics struct{}

func (noMetrics) MessageReceived() {}
func (noMetrics) ReplySent()       {}
func (noMetrics) SendFailed()      {}
func (noMetrics) QueueDepth(int)   {}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
