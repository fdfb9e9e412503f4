package wechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eatmoreapple/openwechat"

	"github.com/reportbot/reportbot/internal/backoff"
)

// Ret codes of the web protocol this package acts on.
const (
	retLoginWarn     = openwechat.Ret(1100) // failed login warn: logged out
	retLoginCheck    = openwechat.Ret(1101) // failed login check: logged out
	retCookieInvalid = openwechat.Ret(1102) // cookie invalid: logged out
	retTooOften      = openwechat.Ret(1205) // operate too often
)

// describeRet names a protocol error with its number, which is what
// people search for ("1101"), beside openwechat's text.
func describeRet(err error) string {
	var ret openwechat.Ret
	if errors.As(err, &ret) {
		return fmt.Sprintf("Ret %d, %v", int(ret), err)
	}
	return err.Error()
}

func isLogoutRet(err error) bool {
	var ret openwechat.Ret
	if !errors.As(err, &ret) {
		return false
	}
	return ret == retLoginWarn || ret == retLoginCheck || ret == retCookieInvalid
}

// qrURLPrefix + uuid is what the login QR code encodes.
const qrURLPrefix = "https://login.weixin.qq.com/l/"

// selfInfo is the logged-in account, copied at login.
type selfInfo struct {
	UserName string // changes at every login
	NickName string
}

// session is one logged-in openwechat bot. Its fields are set before the
// session is published and not changed after, except through its own
// synchronisation.
type session struct {
	client   *Client
	bot      *openwechat.Bot
	cancel   context.CancelFunc // stops receiving: cancels the bot's context
	self     selfInfo
	info     *openwechat.LoginInfo
	request  *openwechat.BaseRequest
	contacts *contacts
	log      *slog.Logger
	// ready is closed once the fields above are set. openwechat starts
	// polling (and may deliver messages) before HotLogin returns.
	ready chan struct{}

	endMu  sync.Mutex
	endErr error // why WeChat ended the session; nil when we stopped it

	// Used only on openwechat's sync goroutine.
	syncDelay backoff.Backoff
	lastPoll  time.Time
}

// minPollGap is the least time between two message polls. WeChat holds a
// poll for up to 25 s when nothing is new, so this only matters when a
// server answers at once, again and again: it caps the client at 10 polls a
// second instead of thousands.
const minPollGap = 100 * time.Millisecond

// login logs the account in: with the stored session when there is one
// (unless skipStored), else (or when WeChat rejects it) with a QR scan.
func (c *Client) login(ctx context.Context, skipStored bool) (*session, error) {
	stored, err := io.ReadAll(c.opts.LoginStorage)
	switch {
	case skipStored:
		stored = nil
	case err == nil:
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, openwechat.ErrInvalidStorage):
		stored = nil
	default:
		// Do not ask a person to scan because the storage hiccupped: the
		// stored session may well be good.
		return nil, fmt.Errorf("read stored login session: %w", err)
	}
	if len(stored) == 0 && !skipStored {
		c.log.Info("no stored WeChat login session; a QR scan is needed")
	}
	if len(stored) > 0 {
		c.hasStoredSession.Store(true)
	}

	recvCtx, cancel := context.WithCancel(ctx)
	b := openwechat.DefaultBot(openwechat.Desktop, openwechat.WithContextOption(recvCtx))
	client := b.Caller.Client
	if c.opts.Transport != nil {
		client.HTTPClient().Transport = c.opts.Transport
	}
	// openwechat retries a failed request at once, up to MaxRetryTimes: a
	// send that failed after reaching WeChat would go out twice, and a dead
	// server would be hammered. This package retries itself, with backoff.
	// (0 is not "no retry": the library would write 1 back, racily.)
	client.MaxRetryTimes = 1

	sess := &session{client: c, bot: b, cancel: cancel, log: c.log, ready: make(chan struct{})}
	sess.syncDelay = backoff.Backoff{Base: c.opts.SyncRetryBackoff, Max: c.opts.SyncRetryMaxBackoff}
	var usedQR atomic.Bool
	b.UUIDCallback = func(uuid string) {
		usedQR.Store(true)
		c.showQR(uuid)
	}
	b.ScanCallBack = func(openwechat.CheckLoginResponse) {
		c.log.Info("login QR code scanned; confirm the login on the phone")
	}
	b.LoginCallBack = func(openwechat.CheckLoginResponse) {}
	b.LogoutCallBack = nil // never reached: this package never lets openwechat exit
	b.SyncCheckCallback = sess.onPoll
	b.MessageErrorHandler = sess.onSyncError
	b.MessageHandler = sess.onMessage

	storage := &hotStorage{stored: bytes.NewReader(stored), w: c.opts.LoginStorage, log: c.log}
	if err := b.HotLogin(storage, qrFallback{openwechat.NewRetryLoginOption(), c.log}); err != nil {
		cancel()
		return nil, fmt.Errorf("log in account %q: %w", c.opts.Account, err)
	}
	user, err := b.GetCurrentUser()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("log in account %q: %w", c.opts.Account, err)
	}
	sess.self = selfInfo{UserName: user.UserName, NickName: cleanName(user.NickName)}
	sess.info = b.Storage.LoginInfo
	sess.request = b.Storage.Request
	sess.contacts = newContacts(b.Caller, sess.info, sess.request, c.opts.ContactRefreshInterval, c.log)
	if resp := b.Storage.Response; resp != nil {
		sess.contacts.add(resp.ContactList)
	}
	close(sess.ready)
	if usedQR.Load() && c.opts.QRPNGPath != "" {
		if err := os.Remove(c.opts.QRPNGPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("remove the login QR image", "path", c.opts.QRPNGPath, "err", err)
		}
	}
	how := "stored session"
	if usedQR.Load() {
		how = "QR scan"
	}
	c.log.Info("wechat logged in", "nickname", sess.self.NickName, "with", how)
	return sess, nil
}

// qrFallback is openwechat's retry option (scan the QR code when the hot
// login fails) except when the hot login failed on the network: a
// reachable WeChat may still accept the stored session, so Run retries it
// later instead of asking a person to scan.
type qrFallback struct {
	openwechat.BotLoginOption
	log *slog.Logger
}

func (q qrFallback) OnError(b *openwechat.Bot, err error) error {
	if openwechat.IsNetworkError(err) || errors.Is(err, context.Canceled) {
		return err
	}
	if !errors.Is(err, openwechat.ErrInvalidStorage) {
		q.log.Warn("WeChat rejected the stored login session; falling back to a QR scan", "err", err)
	}
	return q.BotLoginOption.OnError(b, err)
}

// wait blocks until the session ends and returns why: WeChat's reason for a
// logout, or nil when ctx was cancelled.
func (s *session) wait(ctx context.Context) error {
	select {
	case <-s.bot.Context().Done():
	case <-ctx.Done():
	}
	s.endMu.Lock()
	defer s.endMu.Unlock()
	return s.endErr
}

// stopReceiving ends the sync loop. The credentials stay usable for
// sending the queued replies.
func (s *session) stopReceiving() {
	s.cancel()
	<-s.bot.Context().Done()
}

// loggedOut records why WeChat ended the session and stops receiving.
func (s *session) loggedOut(err error) {
	s.endMu.Lock()
	if s.endErr == nil {
		s.endErr = err
	}
	s.endMu.Unlock()
	s.cancel()
}

// onSyncError runs on openwechat's sync goroutine when a poll failed. It
// never returns an error: that would make openwechat call Bot.Exit, which
// races with readers of the bot. A logout cancels the bot's context
// instead; anything else waits a doubling backoff, so a dead server is not
// polled in a tight loop.
func (s *session) onSyncError(err error) error {
	if s.bot.Context().Err() != nil {
		return nil // stopping: the sync loop sees it and returns
	}
	if isLogoutRet(err) {
		s.loggedOut(fmt.Errorf("WeChat ended the session (%s): %w", describeRet(err), err))
		return nil
	}
	wait := s.syncDelay.Next()
	s.log.Warn("wechat message poll failed; retrying", "err", err, "retry_in", wait)
	backoff.Sleep(s.bot.Context(), wait)
	return nil
}

// onPoll runs on the sync goroutine after every answered poll.
func (s *session) onPoll(resp openwechat.SyncCheckResponse) {
	if resp.Success() {
		s.syncDelay.Reset()
	}
	now := time.Now()
	if gap := now.Sub(s.lastPoll); gap < minPollGap {
		backoff.Sleep(s.bot.Context(), minPollGap-gap)
		now = time.Now()
	}
	s.lastPoll = now
}

// hotStorage is what openwechat reads the stored session from and writes it
// to during one login attempt.
type hotStorage struct {
	stored *bytes.Reader // read once, before the attempt
	w      io.Writer
	log    *slog.Logger
	failed atomic.Bool
}

func (h *hotStorage) Read(p []byte) (int, error) {
	if h.stored.Size() == 0 {
		// openwechat's retry option then falls back to the QR scan.
		return 0, openwechat.ErrInvalidStorage
	}
	return h.stored.Read(p)
}

// Write stores the session. A failure is logged, not returned: openwechat
// would fail the whole login (after a person scanned the code) over it,
// and it writes the session again after every message sync anyway.
func (h *hotStorage) Write(p []byte) (int, error) {
	if _, err := h.w.Write(p); err != nil {
		if !h.failed.Swap(true) {
			h.log.Error("cannot store the WeChat login session; until this works again the stored one may be stale and a restart may need a QR scan", "err", err)
		}
		return len(p), nil
	}
	if h.failed.Swap(false) {
		h.log.Info("WeChat login session stored again")
	}
	return len(p), nil
}

// memoryStorage keeps the session in the process when no LoginStorage is
// configured.
type memoryStorage struct {
	mu     sync.Mutex
	data   []byte
	reader *bytes.Reader
}

func (m *memoryStorage) Read(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.data) == 0 {
		return 0, fs.ErrNotExist
	}
	if m.reader == nil {
		m.reader = bytes.NewReader(m.data)
	}
	n, err := m.reader.Read(p)
	if err == io.EOF {
		m.reader = nil
	}
	return n, err
}

func (m *memoryStorage) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = bytes.Clone(p)
	m.reader = nil
	return len(p), nil
}
