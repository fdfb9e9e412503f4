package wecom

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/reportbot/reportbot/internal/backoff"
)

// DefaultURL is the AI bot's long-connection endpoint.
const DefaultURL = "wss://openws.work.weixin.qq.com"

// Options configure a Client. Zero values take the defaults written beside
// each field.
type Options struct {
	// BotID and Secret identify the AI bot (its settings page, "API 模式:
	// 长连接"). Required. The secret is sent in the subscribe frame only and
	// never logged.
	BotID, Secret string
	// Handler answers the messages. Required.
	Handler Handler
	// Names are the bot's names people @ in groups (its 企业微信 name),
	// removed from the question; a leading "@word" is removed anyway.
	Names []string
	// URL is the WebSocket endpoint (default DefaultURL); tests point it at
	// a fake server.
	URL string
	// Stream sends answers as a stream that finishes at once instead of
	// markdown.
	Stream bool
	// Logger receives everything the channel reports. nil discards.
	Logger *slog.Logger
	// Metrics counts messages and sends. nil counts nothing.
	Metrics Metrics
	// HTTPClient dials the WebSocket (nil: http.DefaultClient).
	HTTPClient *http.Client

	// Heartbeat is the time between two pings (default 30s, what 企业微信
	// expects); a ping not acknowledged within AckTimeout ends the
	// connection.
	Heartbeat time.Duration
	// AckTimeout bounds the wait for the server's acknowledgement of a
	// command, and the dial (default 10s).
	AckTimeout time.Duration
	// ReconnectBackoff is the first pause before reconnecting after a lost
	// connection (default 1s); it doubles up to ReconnectMaxBackoff (default
	// 1min), with random jitter, and starts over after a connection that
	// lasted a minute.
	ReconnectBackoff, ReconnectMaxBackoff time.Duration
	// ReplacedWait is the pause after 企业微信 replaced our connection with
	// a newer one of the same bot ID (another process, or a restart that
	// overlapped); default 1min, doubling up to 16 times that while it
	// keeps happening, so two processes with one bot ID take turns instead
	// of fighting.
	ReplacedWait time.Duration
	// ReceiveQueueSize bounds the messages waiting for the Handler; when it
	// is full, new ones are dropped with a log line (default 256).
	ReceiveQueueSize int
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	def(&o.Heartbeat, 30*time.Second)
	def(&o.AckTimeout, 10*time.Second)
	def(&o.ReconnectBackoff, time.Second)
	def(&o.ReconnectMaxBackoff, time.Minute)
	def(&o.ReplacedWait, time.Minute)
	if o.ReceiveQueueSize <= 0 {
		o.ReceiveQueueSize = 256
	}
	return o
}

// ErrNotConnected is returned by SendToChat while there is no subscribed
// connection: nothing was sent.
var ErrNotConnected = errors.New("wecom: the AI bot is not connected")

// errReplaced ends a connection that 企业微信 replaced with a newer one.
var errReplaced = errors.New("a newer connection with the same bot ID replaced this one")

// Client is one AI bot on its WebSocket long connection.
type Client struct {
	opts Options
	log  *slog.Logger

	running atomic.Bool
	inbox   chan inbound

	mu      sync.Mutex
	cur     *conn         // the subscribed connection; nil while down
	changed chan struct{} // closed when cur changes
	state   string        // what Status says
}

// inbound is a received message waiting for the Handler.
type inbound struct {
	reqID string
	body  json.RawMessage
}

// New checks the options and returns a Client; Run connects it.
func New(opts Options) (*Client, error) {
	switch {
	case opts.Handler == nil:
		return nil, errors.New("wecom: Options.Handler is required")
	case strings.TrimSpace(opts.BotID) == "" || strings.TrimSpace(opts.Secret) == "":
		return nil, errors.New("wecom: the AI bot's bot ID and secret are required")
	}
	opts = opts.withDefaults()
	return &Client{
		opts:    opts,
		log:     opts.Logger.With("channel", "wecom_bot", "bot_id", opts.BotID),
		inbox:   make(chan inbound, opts.ReceiveQueueSize),
		changed: make(chan struct{}),
		state:   "not started",
	}, nil
}

// Connected reports whether the bot holds a subscribed connection now.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil
}

// Status says whether the bot is connected, and if not, why.
func (c *Client) Status() (connected bool, detail string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil, c.state
}

func (c *Client) setConn(cn *conn, state string) {
	c.mu.Lock()
	c.cur = cn
	c.state = state
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

func (c *Client) setState(state string) {
	c.mu.Lock()
	c.state = state
	c.mu.Unlock()
}

// waitConn returns the subscribed connection, waiting up to d for one.
func (c *Client) waitConn(ctx context.Context, d time.Duration) (*conn, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		c.mu.Lock()
		cn, changed := c.cur, c.changed
		c.mu.Unlock()
		if cn != nil {
			return cn, nil
		}
		select {
		case <-changed:
		case <-t.C:
			return nil, ErrNotConnected
		case <-ctx.Done():
			return nil, ErrNotConnected
		}
	}
}

// Run connects, subscribes and serves the bot until ctx is cancelled,
// reconnecting after every loss. It returns nil on cancellation; it never
// gives up on its own (a wrong secret is logged at each try and shown by
// Status).
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("wecom: Run called twice")
	}
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		c.receiveLoop(ctx)
	}()
	defer func() { <-workerDone }()

	lost := backoff.Backoff{Base: c.opts.ReconnectBackoff, Max: c.opts.ReconnectMaxBackoff}
	replaced := backoff.Backoff{Base: c.opts.ReplacedWait, Max: 16 * c.opts.ReplacedWait}
	for ctx.Err() == nil {
		c.setState("connecting")
		started := time.Now()
		err := c.connectOnce(ctx)
		if ctx.Err() != nil {
			break
		}
		lasted := time.Since(started)
		var wait time.Duration
		if errors.Is(err, errReplaced) {
			if lasted > 2*c.opts.ReplacedWait {
				replaced.Reset()
			}
			wait = replaced.Next()
			c.log.Warn("wecom bot: 企业微信 replaced this connection with a newer one of the same bot ID (another reportbot process, or an overlapping restart); waiting before taking it back",
				"wait", wait)
		} else {
			if lasted > time.Minute {
				lost.Reset()
			}
			wait = backoff.Jitter(lost.Next())
			c.log.Warn("wecom bot: connection lost; reconnecting", "err", err, "retry_in", wait.Round(time.Millisecond))
		}
		c.setState(fmt.Sprintf("down since %s: %v; retrying in %s", time.Now().Format(time.DateTime), err, wait.Round(time.Second)))
		if !backoff.Sleep(ctx, wait) {
			break
		}
	}
	c.setConn(nil, "stopped")
	c.log.Info("wecom bot channel stopped")
	return nil
}

// connectOnce dials, subscribes and serves one connection until it ends.
func (c *Client) connectOnce(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, c.opts.AckTimeout)
	ws, resp, err := websocket.Dial(dctx, c.opts.URL, &websocket.DialOptions{HTTPClient: c.opts.HTTPClient})
	cancel()
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(4 << 20) // messages with quotes or mixed content exceed the default 32 KB
	cn := newConn(ws, c.opts.AckTimeout)
	readDone := make(chan error, 1)
	go func() { readDone <- c.readLoop(ctx, cn) }()
	stop := func() error {
		cn.close()
		return <-readDone
	}

	reqID := newReqID()
	body, _ := json.Marshal(subscribeBody{BotID: c.opts.BotID, Secret: c.opts.Secret})
	if err := cn.request(ctx, frame{Cmd: cmdSubscribe, Headers: headers{reqID}, Body: body}); err != nil {
		// A disconnected_event before the acknowledgement: a newer
		// connection won, and the wait before retrying is the longer one.
		if rerr := stop(); errors.Is(rerr, errReplaced) {
			return rerr
		}
		var api *APIError
		if errors.As(err, &api) {
			return fmt.Errorf("subscribe refused (check wecom_bot.bot_id and wecom_bot.secret): %w", err)
		}
		return fmt.Errorf("subscribe: %w", err)
	}
	c.setConn(cn, "connected")
	defer c.setConn(nil, "connection lost")
	c.log.Info("wecom bot connected and subscribed")

	tick := time.NewTicker(c.opts.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			stop()
			return nil
		case err := <-readDone:
			cn.close()
			return err
		case <-tick.C:
			if err := cn.request(ctx, frame{Cmd: cmdPing, Headers: headers{newReqID()}}); err != nil {
				if rerr := stop(); errors.Is(rerr, errReplaced) {
					return rerr
				}
				if errors.Is(err, ErrMaybeDelivered) {
					return fmt.Errorf("heartbeat lost: no answer to a ping within %s", c.opts.AckTimeout)
				}
				return fmt.Errorf("heartbeat lost: %w", err)
			}
		}
	}
}

// readLoop reads frames until the connection ends: acknowledgements go to
// the request waiting for them, messages to the worker.
func (c *Client) readLoop(ctx context.Context, cn *conn) error {
	defer cn.close()
	for {
		_, data, err := cn.ws.Read(ctx)
		if err != nil {
			if cn.replaced.Load() {
				return errReplaced
			}
			return fmt.Errorf("read: %w", err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.log.Warn("wecom bot: ignoring a frame that is not JSON", "bytes", len(data), "err", err)
			continue
		}
		switch f.Cmd {
		case cmdMsgCallback:
			c.opts.Metrics.MessageReceived()
			select {
			case c.inbox <- inbound{reqID: f.Headers.ReqID, body: f.Body}:
			default:
				c.log.Warn("wecom bot: receive queue full: dropping a message", "req_id", f.Headers.ReqID, "queue", cap(c.inbox))
			}
		case cmdEventCallback:
			var cb callbackBody
			if err := json.Unmarshal(f.Body, &cb); err != nil {
				c.log.Warn("wecom bot: ignoring an unreadable event", "err", err)
				continue
			}
			if cb.Event != nil && cb.Event.EventType == eventDisconnected {
				cn.replaced.Store(true)
				return errReplaced
			}
			if cb.Event != nil {
				c.log.Debug("wecom bot: event", "type", cb.Event.EventType)
			}
		default:
			if !cn.deliver(f) {
				c.log.Debug("wecom bot: ignoring an unexpected frame", "cmd", f.Cmd, "req_id", f.Headers.ReqID)
			}
		}
	}
}

// receiveLoop answers the received messages one at a time, so that replies
// to one chat keep the order of the questions.
func (c *Client) receiveLoop(ctx context.Context) {
	for {
		select {
		case in := <-c.inbox:
			c.handle(ctx, in)
		case <-ctx.Done():
			return
		}
	}
}

func (c *Client) handle(ctx context.Context, in inbound) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("wecom bot: handler panicked", "req_id", in.reqID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	var cb callbackBody
	if err := json.Unmarshal(in.body, &cb); err != nil {
		c.log.Warn("wecom bot: ignoring a message with an unreadable body", "req_id", in.reqID, "err", err)
		return
	}
	if cb.From.UserID == "" || (cb.isGroup() && cb.ChatID == "") {
		c.log.Warn("wecom bot: ignoring a message without sender or chat", "req_id", in.reqID, "msgid", cb.MsgID)
		return
	}
	// The chat ID is what digest.wecom_chats needs; debug shows it.
	c.log.Debug("wecom bot: message", "req_id", in.reqID, "msgid", cb.MsgID, "chattype", cb.ChatType, "chat", cb.chatTarget(), "msgtype", cb.MsgType)
	text := answer(ctx, c.opts.Handler, cb.message(c.opts.BotID, c.opts.Names))
	if text == "" {
		return
	}
	c.reply(ctx, in.reqID, &cb, text)
}

// reply answers the message with req_id. When the connection that brought
// it is gone (or 企业微信 no longer knows the req_id), the answer is pushed
// to the chat instead; a reply whose fate is unknown is not sent again.
func (c *Client) reply(ctx context.Context, reqID string, cb *callbackBody, text string) {
	body, _ := json.Marshal(newReplyBody(text, c.opts.Stream))
	cn, err := c.waitConn(ctx, c.opts.AckTimeout)
	if err == nil {
		err = cn.request(ctx, frame{Cmd: cmdRespond, Headers: headers{reqID}, Body: body})
	}
	switch {
	case err == nil:
		c.opts.Metrics.ReplySent()
		return
	case ctx.Err() != nil:
		c.opts.Metrics.SendFailed()
		c.log.Warn("wecom bot: shutting down; reply not sent", "req_id", reqID, "err", err)
		return
	case errors.Is(err, ErrMaybeDelivered):
		c.opts.Metrics.SendFailed()
		c.log.Error("wecom bot: reply may or may not have arrived; not sent again", "req_id", reqID, "err", err)
		return
	}
	c.log.Warn("wecom bot: reply by req_id failed; pushing it to the chat instead", "req_id", reqID, "err", err)
	if err := c.SendToChat(ctx, cb.chatTarget(), text); err != nil {
		c.opts.Metrics.SendFailed()
		c.log.Error("wecom bot: reply lost", "req_id", reqID, "err", err)
		return
	}
	c.opts.Metrics.ReplySent()
}

// SendToChat pushes markdown to a chat (aibot_send_msg): chat is a group's
// chat ID, or SinglePrefix + a user ID for a private chat. It fails with
// ErrNotConnected (nothing sent) while the bot is down, and with an error
// wrapping ErrMaybeDelivered when the push went out but no
// acknowledgement came back.
func (c *Client) SendToChat(ctx context.Context, chat, markdown string) error {
	chatType, chatID := chatTypeGroup, chat
	if id, ok := strings.CutPrefix(chat, SinglePrefix); ok {
		chatType, chatID = chatTypeSingle, id
	}
	switch {
	case chatID == "":
		return errors.New("wecom: send to chat: empty chat ID")
	case markdown == "":
		return fmt.Errorf("wecom: send to chat %s: empty content", chat)
	case len(markdown) > MaxReplyBytes:
		return fmt.Errorf("wecom: send to chat %s: %w: %d bytes, the limit is %d", chat, ErrTooLong, len(markdown), MaxReplyBytes)
	}
	cn, err := c.waitConn(ctx, c.opts.AckTimeout)
	if err != nil {
		return fmt.Errorf("wecom: send to chat %s: %w", chat, err)
	}
	body, _ := json.Marshal(sendBody{ChatID: chatID, ChatType: chatType, MsgType: "markdown", Markdown: &content{Content: markdown}})
	if err := cn.request(ctx, frame{Cmd: cmdSend, Headers: headers{newReqID()}, Body: body}); err != nil {
		return fmt.Errorf("wecom: send to chat %s: %w", chat, err)
	}
	return nil
}

// conn is one WebSocket connection and the commands awaiting their
// acknowledgement on it.
type conn struct {
	ws         *websocket.Conn
	ackTimeout time.Duration
	replaced   atomic.Bool
	done       chan struct{}
	closeOnce  sync.Once

	mu      sync.Mutex
	pending map[string]chan frame
}

func newConn(ws *websocket.Conn, ackTimeout time.Duration) *conn {
	return &conn{ws: ws, ackTimeout: ackTimeout, done: make(chan struct{}), pending: map[string]chan frame{}}
}

func (cn *conn) close() {
	cn.closeOnce.Do(func() {
		close(cn.done)
		// CloseNow: a polite close handshake waits for a peer that may be
		// the very thing that stopped answering.
		cn.ws.CloseNow()
	})
}

// deliver hands an acknowledgement to the request waiting for it.
func (cn *conn) deliver(f frame) bool {
	cn.mu.Lock()
	ch, ok := cn.pending[f.Headers.ReqID]
	delete(cn.pending, f.Headers.ReqID)
	cn.mu.Unlock()
	if ok {
		ch <- f
	}
	return ok
}

// request writes f and waits for its acknowledgement. An error before the
// frame was written means nothing was sent; after it, the error wraps
// ErrMaybeDelivered; a non-zero errcode is an *APIError.
func (cn *conn) request(ctx context.Context, f frame) error {
	ch := make(chan frame, 1)
	id := f.Headers.ReqID
	cn.mu.Lock()
	cn.pending[id] = ch
	cn.mu.Unlock()
	defer func() {
		cn.mu.Lock()
		delete(cn.pending, id)
		cn.mu.Unlock()
	}()
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode %s: %w", f.Cmd, err)
	}
	wctx, cancel := context.WithTimeout(ctx, cn.ackTimeout)
	defer cancel()
	if err := cn.ws.Write(wctx, websocket.MessageText, data); err != nil {
		// coder/websocket writes a frame whole or not at all, unless the
		// connection broke mid-frame; a frame cut off is not a command.
		return fmt.Errorf("write %s: %w", f.Cmd, err)
	}
	var ended error
	select {
	case ack := <-ch:
		return ack.err()
	case <-cn.done:
		ended = fmt.Errorf("%s: %w: the connection closed first", f.Cmd, ErrMaybeDelivered)
	case <-wctx.Done():
		ended = fmt.Errorf("%s: %w: no acknowledgement within %s", f.Cmd, ErrMaybeDelivered, cn.ackTimeout)
	}
	// select picks at random among ready cases: the read loop may have
	// handed over the acknowledgement and then closed the connection (on
	// the frame right after it, such as a disconnected_event), so both are
	// ready. An acknowledgement that arrived settles the command.
	select {
	case ack := <-ch:
		return ack.err()
	default:
		return ended
	}
}

// newReqID returns a random request ID.
func newReqID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
