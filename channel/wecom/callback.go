package wecom

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"
)

// CallbackOptions configure the AI bot's callback (HTTPS) mode.
type CallbackOptions struct {
	// Token and EncodingAESKey are the bot's callback settings ("API 模式:
	// URL 回调"). Required; never logged.
	Token, EncodingAESKey string
	// ReceiveID is the receive ID the crypto checks: "" for the AI bot (the
	// default), a corp ID where the same scheme serves a self-built app.
	ReceiveID string
	// Handler answers the messages. Required.
	Handler Handler
	// Names are the bot's names people @ in groups (see Options.Names).
	Names []string
	// Logger and Metrics as in Options.
	Logger  *slog.Logger
	Metrics Metrics
}

// maxCallbackBody bounds a callback request's body.
const maxCallbackBody = 1 << 20

// Callback is the AI bot in callback mode: an http.Handler for the URL set
// in the bot's settings. A GET is the URL check (the decrypted echostr is
// the answer); a POST carries one encrypted message, answered in the same
// response with an encrypted stream that finishes at once.
type Callback struct {
	opts   CallbackOptions
	crypto *Crypto
	log    *slog.Logger
	// listening is true while ListenAndServe serves.
	listening atomic.Bool
}

// NewCallback checks the options and returns the handler.
func NewCallback(opts CallbackOptions) (*Callback, error) {
	if opts.Handler == nil {
		return nil, errors.New("wecom: CallbackOptions.Handler is required")
	}
	crypto, err := NewCrypto(opts.Token, opts.EncodingAESKey, opts.ReceiveID)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = noMetrics{}
	}
	return &Callback{opts: opts, crypto: crypto, log: opts.Logger.With("channel", "wecom_bot", "mode", "callback")}, nil
}

// Listening reports whether ListenAndServe is serving.
func (cb *Callback) Listening() bool { return cb.listening.Load() }

// ListenAndServe serves the handler at path on addr until ctx ends. Put an
// HTTPS proxy in front: 企业微信 calls an https:// URL.
func (cb *Callback) ListenAndServe(ctx context.Context, addr, path string) error {
	mux := http.NewServeMux()
	mux.Handle(path, cb)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("wecom callback: listen on %s: %w", addr, err)
	}
	cb.listening.Store(true)
	defer cb.listening.Store(false)
	cb.log.Info("wecom bot callback listening", "addr", ln.Addr().String(), "path", path)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("wecom callback: %w", err)
	}
	return nil
}

func (cb *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sig, ts, nonce := q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce")
	switch r.Method {
	case http.MethodGet:
		cb.verifyURL(w, sig, ts, nonce, q.Get("echostr"))
	case http.MethodPost:
		cb.receive(w, r, sig, ts, nonce)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verifyURL answers 企业微信's URL check: the decrypted echostr, exactly
// (no quotes, BOM or newline).
func (cb *Callback) verifyURL(w http.ResponseWriter, sig, ts, nonce, echo string) {
	if err := cb.crypto.Verify(sig, ts, nonce, echo); err != nil {
		cb.log.Warn("wecom callback: URL check with a wrong signature refused (token mismatch, or not from 企业微信)")
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	plain, err := cb.crypto.Decrypt(echo)
	if err != nil {
		cb.log.Warn("wecom callback: URL check: echostr does not decrypt", "err", err)
		http.Error(w, "bad echostr", http.StatusBadRequest)
		return
	}
	cb.log.Info("wecom callback: URL check passed")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(plain)
}

type encrypted struct {
	Encrypt string `json:"encrypt"`
}

// encryptedReply is the response to a message: the encrypted reply and
// its signature.
type encryptedReply struct {
	Encrypt   string `json:"encrypt"`
	Signature string `json:"msgsignature"`
	Timestamp int64  `json:"timestamp"`
	Nonce     string `json:"nonce"`
}

func (cb *Callback) receive(w http.ResponseWriter, r *http.Request, sig, ts, nonce string) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxCallbackBody+1))
	if err != nil || len(data) > maxCallbackBody {
		http.Error(w, "unreadable or too large body", http.StatusBadRequest)
		return
	}
	var env encrypted
	if err := json.Unmarshal(data, &env); err != nil || env.Encrypt == "" {
		cb.log.Warn("wecom callback: body is not {\"encrypt\": …}", "bytes", len(data))
		http.Error(w, "want {\"encrypt\": ...}", http.StatusBadRequest)
		return
	}
	if err := cb.crypto.Verify(sig, ts, nonce, env.Encrypt); err != nil {
		cb.log.Warn("wecom callback: message with a wrong signature refused")
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	plain, err := cb.crypto.Decrypt(env.Encrypt)
	if err != nil {
		cb.log.Warn("wecom callback: message does not decrypt", "err", err)
		http.Error(w, "does not decrypt", http.StatusBadRequest)
		return
	}
	var body callbackBody
	if err := json.Unmarshal(plain, &body); err != nil {
		cb.log.Warn("wecom callback: decrypted message is not JSON", "bytes", len(plain), "err", err)
		w.WriteHeader(http.StatusOK) // nothing to answer; a retry would not read better
		return
	}
	if body.MsgType == "event" || body.MsgType == "stream" || body.From.UserID == "" || (body.isGroup() && body.ChatID == "") {
		// Events, and refreshes of a stream (ours finish at once), need no reply.
		w.WriteHeader(http.StatusOK)
		return
	}
	cb.opts.Metrics.MessageReceived()
	text := cb.answer(r.Context(), &body)
	if text == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	reply, err := cb.seal(newReplyBody(text, true))
	if err != nil {
		cb.opts.Metrics.SendFailed()
		cb.log.Error("wecom callback: could not encrypt the reply", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if _, err := w.Write(reply); err != nil {
		cb.opts.Metrics.SendFailed()
		cb.log.Error("wecom callback: reply not delivered", "msgid", body.MsgID, "err", err)
		return
	}
	cb.opts.Metrics.ReplySent()
}

func (cb *Callback) answer(ctx context.Context, body *callbackBody) (text string) {
	defer func() {
		if p := recover(); p != nil {
			cb.log.Error("wecom callback: handler panicked", "msgid", body.MsgID, "panic", p, "stack", string(debug.Stack()))
			text = ""
		}
	}()
	return answer(ctx, cb.opts.Handler, body.message(body.AIBotID, cb.opts.Names))
}

// seal encrypts and signs a reply body.
func (cb *Callback) seal(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	enc, err := cb.crypto.Encrypt(plain)
	if err != nil {
		return nil, err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1e9))
	if err != nil {
		return nil, err
	}
	now := time.Now().Unix()
	nonce := n.String()
	return json.Marshal(encryptedReply{
		Encrypt:   enc,
		Signature: cb.crypto.Signature(strconv.FormatInt(now, 10), nonce, enc),
		Timestamp: now,
		Nonce:     nonce,
	})
}
