package wechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptrace"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eatmoreapple/openwechat"

	"github.com/reportbot/reportbot/internal/backoff"
)

// sendTimeout bounds one webwxsendmsg request.
const sendTimeout = 30 * time.Second

// outgoing is one queued text.
type outgoing struct {
	chat  string // stable name, resolved to a UserName when sent
	group bool
	text  string
	// image, when set, is sent instead of text: a PNG or JPEG, uploaded
	// then sent as an image message.
	image []byte
	// hintUser is the UserName of chat in hintSess, known when this is a
	// reply; it is used only while that session lasts.
	hintSess *session
	hintUser string

	queued time.Time
	// clientMsgID is fixed when the text is queued and sent with every try
	// (as LocalID and ClientMsgId), so WeChat sees a retry as the same
	// message.
	clientMsgID string
	// done, when set, receives the final outcome: nil once sent.
	done chan error
	// inFlight is set (under outbox.mu) while a request carries the text;
	// a text in flight can no longer be withdrawn.
	inFlight bool
}

// finish reports the final outcome to whoever waits for it.
func (item *outgoing) finish(err error) {
	if item.done != nil {
		item.done <- err
	}
}

// outbox is the one outgoing queue of an account: first in, first out, so
// replies to one chat keep their order.
type outbox struct {
	metrics Metrics
	max     int
	wakeCh  chan struct{}

	mu    sync.Mutex
	items []*outgoing
}

func newOutbox(max int, metrics Metrics) *outbox {
	return &outbox{metrics: metrics, max: max, wakeCh: make(chan struct{}, 1)}
}

// push queues item; false when the queue is full.
func (o *outbox) push(item *outgoing) bool {
	o.mu.Lock()
	if len(o.items) >= o.max {
		o.mu.Unlock()
		return false
	}
	item.queued = time.Now()
	item.clientMsgID = newClientMsgID()
	o.items = append(o.items, item)
	n := len(o.items)
	o.mu.Unlock()
	o.metrics.QueueDepth(n)
	o.wake()
	return true
}

func (o *outbox) head() *outgoing {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.items) == 0 {
		return nil
	}
	return o.items[0]
}

// pop removes item, the head.
func (o *outbox) pop(item *outgoing) {
	o.mu.Lock()
	if len(o.items) > 0 && o.items[0] == item {
		o.items[0] = nil
		o.items = o.items[1:]
	}
	n := len(o.items)
	o.mu.Unlock()
	o.metrics.QueueDepth(n)
}

// begin marks item, the head, as in flight; false when it was withdrawn.
func (o *outbox) begin(item *outgoing) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.items) == 0 || o.items[0] != item {
		return false
	}
	item.inFlight = true
	return true
}

// end marks item as no longer in flight (it waits for a retry).
func (o *outbox) end(item *outgoing) {
	o.mu.Lock()
	item.inFlight = false
	o.mu.Unlock()
}

// withdraw removes item unless it is in flight or already gone; it reports
// whether it removed it.
func (o *outbox) withdraw(item *outgoing) bool {
	o.mu.Lock()
	if item.inFlight {
		o.mu.Unlock()
		return false
	}
	i := slices.Index(o.items, item)
	if i < 0 {
		o.mu.Unlock()
		return false
	}
	o.items = slices.Delete(o.items, i, i+1)
	n := len(o.items)
	o.mu.Unlock()
	o.metrics.QueueDepth(n)
	return true
}

func (o *outbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.items)
}

// wake tells the sender that something changed (a new item, a login).
func (o *outbox) wake() {
	select {
	case o.wakeCh <- struct{}{}:
	default:
	}
}

var lastClientMsgID atomic.Int64

// newClientMsgID returns an ID shaped like the ones openwechat and the web
// client make (the time in units of 100 ns), unique within the process.
func newClientMsgID() string {
	for {
		last := lastClientMsgID.Load()
		id := max(time.Now().UnixNano()/100, last+1)
		if lastClientMsgID.CompareAndSwap(last, id) {
			return strconv.FormatInt(id, 10)
		}
	}
}

// sendOutcome is what one try of a send came to.
type sendOutcome int

const (
	sent       sendOutcome = iota
	retryLater             // refused (1205) or not delivered: try again after a backoff
	loggedOut              // WeChat says the session is gone: keep the text for the next login
	failed                 // give the text up
	stopped                // shutting down
)

// sendLoop sends the queued texts, one at a time, at least SendInterval
// plus jitter apart, pausing with a doubling backoff after a refusal. It
// returns when ctx is done, or once the worker is done (workerDone) and the
// queue is empty.
func (c *Client) sendLoop(ctx context.Context, workerDone <-chan struct{}) {
	var notBefore time.Time // earliest time of the next send
	retry := backoff.Backoff{Base: c.opts.SendRetryBackoff, Max: c.opts.SendRetryMaxBackoff}
	for {
		if ctx.Err() != nil {
			return
		}
		item := c.outbox.head()
		sess := c.session()
		draining := isClosed(workerDone)
		if item == nil || sess == nil {
			if draining {
				if item != nil {
					c.log.Warn("not logged in at shutdown: dropping unsent messages", "unsent", c.outbox.len())
				}
				return
			}
			select {
			case <-c.outbox.wakeCh:
			case <-workerDone:
			case <-ctx.Done():
			}
			continue
		}
		if d := time.Until(notBefore); d > 0 {
			if !backoff.Sleep(ctx, d) {
				return
			}
			continue // look again: the session may have changed meanwhile
		}
		if age := time.Since(item.queued); age > c.opts.SendMaxAge {
			c.outbox.pop(item)
			c.opts.Metrics.SendFailed()
			c.log.Error("dropping a message not sent in time", "chat", item.chat, "queued_for", age.Round(time.Second))
			item.finish(fmt.Errorf("not sent within %v of being queued", c.opts.SendMaxAge))
			continue
		}
		to, ok := c.resolve(ctx, sess, item)
		if !ok {
			c.outbox.pop(item)
			c.opts.Metrics.SendFailed()
			c.log.Error("dropping a message to an unknown chat", "chat", item.chat, "group", item.group)
			item.finish(fmt.Errorf("chat %q not found", item.chat))
			continue
		}
		if !c.outbox.begin(item) {
			continue // withdrawn by a SendToGroup that gave up
		}
		outcome, err := c.sendOnce(ctx, sess, item, to)
		notBefore = time.Now().Add(c.pause())
		switch outcome {
		case sent:
			c.outbox.pop(item)
			retry.Reset()
			c.opts.Metrics.ReplySent()
			c.log.Debug("sent", "chat", item.chat, "bytes", len(item.text))
			item.finish(nil)
		case retryLater:
			c.outbox.end(item)
			wait := retry.Next()
			notBefore = time.Now().Add(wait)
			c.opts.Metrics.SendFailed()
			c.log.Warn("wechat send refused or not delivered; pausing all sends", "chat", item.chat, "err", err, "retry_in", wait)
		case loggedOut:
			c.outbox.end(item)
			wait := retry.Next()
			notBefore = time.Now().Add(wait)
			c.opts.Metrics.SendFailed()
			c.log.Error("wechat send: the session is logged out; keeping the message for the next login", "chat", item.chat, "err", err)
			sess.loggedOut(fmt.Errorf("WeChat refused a send (%s): %w", describeRet(err), err))
		case failed:
			c.outbox.pop(item)
			c.opts.Metrics.SendFailed()
			c.log.Error("wechat send failed; not retried", "chat", item.chat, "err", err)
			item.finish(err)
		case stopped:
			item.finish(fmt.Errorf("interrupted by shutdown, may or may not have been delivered: %w", err))
			return
		}
	}
}

// pause is the time between two sends: SendInterval plus a random jitter.
func (c *Client) pause() time.Duration {
	d := c.opts.SendInterval
	if j := c.opts.SendJitter; j > 0 {
		d += rand.N(j)
	}
	return d
}

// resolve finds the UserName to send item to in sess.
func (c *Client) resolve(ctx context.Context, sess *session, item *outgoing) (string, bool) {
	if item.hintSess == sess && item.hintUser != "" {
		return item.hintUser, true
	}
	return sess.contacts.findByName(ctx, item.chat, item.group)
}

// sendOnce makes one webwxsendmsg request.
//
// A retry must not make a text arrive twice. openwechat's own immediate
// retries are off (Client.MaxRetryTimes = 1), and this package retries only
// what WeChat certainly did not take: a refusal with Ret 1205, or a network
// failure before the request was fully written (seen with httptrace). A
// failure after the request was written (a timeout, a dropped connection)
// may have been delivered, so it is not retried. Every try carries the same
// ClientMsgId; whether WeChat de-duplicates on it is not documented.
func (c *Client) sendOnce(ctx context.Context, sess *session, item *outgoing, to string) (sendOutcome, error) {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	rctx, cancel := context.WithTimeout(httptrace.WithClientTrace(ctx, trace), sendTimeout)
	defer cancel()
	var err error
	if item.image != nil {
		// Upload (in chunks) then webwxsendmsgimg; openwechat copies the
		// reader to a temporary file first.
		_, err = sess.bot.Caller.WebWxSendImageMsg(rctx, bytes.NewReader(item.image), &openwechat.CallerWebWxSendImageMsgOptions{
			FromUserName: sess.self.UserName,
			ToUserName:   to,
			BaseRequest:  sess.request,
			LoginInfo:    sess.info,
		})
	} else {
		_, err = sess.bot.Caller.WebWxSendMsg(rctx, &openwechat.CallerWebWxSendMsgOptions{
			LoginInfo:   sess.info,
			BaseRequest: sess.request,
			Message: &openwechat.SendMessage{
				Type:         openwechat.MsgTypeText,
				Content:      item.text,
				FromUserName: sess.self.UserName,
				ToUserName:   to,
				LocalID:      item.clientMsgID,
				ClientMsgId:  item.clientMsgID,
			},
		})
	}
	var ret openwechat.Ret
	switch {
	case err == nil:
		return sent, nil
	case ctx.Err() != nil:
		return stopped, err
	case isLogoutRet(err):
		return loggedOut, err
	case errors.As(err, &ret) && ret == retTooOften:
		return retryLater, err
	case openwechat.IsNetworkError(err) && !wrote.Load():
		return retryLater, err
	case openwechat.IsNetworkError(err):
		return failed, fmt.Errorf("may or may not have been delivered; not retried to avoid sending it twice: %w", err)
	default:
		return failed, err
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
