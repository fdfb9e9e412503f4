package wechat

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake account: the bot itself, one group with the bot and Alice, and
// one friend, Bob. UserNames are session-bound in real WeChat; here they
// are fixed.
const (
	fakeSelfUser   = "@selfuser"
	fakeSelfNick   = "reportbot"
	fakeGroupUser  = "@@group1"
	fakeGroupName  = "兰州新区政策交流群"
	fakeAliceUser  = "@alice"
	fakeAliceNick  = "Alice"
	fakeAliceCard  = "张三" // Alice's name in the group
	fakeBobUser    = "@bob"
	fakeBobNick    = "Bob"
	fakeBobRemark  = "王主任" // the remark name the bot's account gave Bob
	fakeUUID       = "fakeUUID=="
	fakeSid        = "fakesid"
	fakeSKey       = "@crypt_fake"
	fakeUin        = 1001
	fakePassTicket = "fakepassticket"
)

// fakeWeChat is a local stand-in for the WeChat web servers, enough for
// openwechat to log in (QR or hot), poll, receive messages, look up
// contacts and send texts. Every request is recorded.
type fakeWeChat struct {
	t      testing.TB
	srv    *httptest.Server
	closed chan struct{}

	mu        sync.Mutex
	requests  []fakeRequest
	sends     []fakeSend
	pending   []map[string]any // messages the next webwxsync returns
	newMsg    chan struct{}    // wakes a held synccheck
	confirm   chan struct{}    // closed when the QR code is "scanned"
	loggedOut bool             // WeChat ended the session: synccheck and webwxinit say 1101
	badPolls  bool             // synccheck answers garbage at once
	dropPolls bool             // synccheck answers 1101, yet webwxinit accepts the session
	sendRets  []int            // Ret of the next sends, in order; then 0
	dropSends int              // the next sends lose their connection after being read
	uploads   [][]byte         // pictures uploaded
	syncKey   int
	msgSeq    int
	scanPolls int // login polls answered since the QR code was scanned
	// Alice's names, which she can change at will.
	aliceNick, aliceCard string
}

type fakeRequest struct {
	host, path string
	at         time.Time
}

// fakeSend is one webwxsendmsg request as the fake received it.
type fakeSend struct {
	To, From, Content, ClientMsgID, LocalID string
	At                                      time.Time
	Ret                                     int
}

func newFakeWeChat(t testing.TB) *fakeWeChat {
	f := &fakeWeChat{t: t, closed: make(chan struct{}), newMsg: make(chan struct{}, 1), confirm: make(chan struct{}),
		aliceNick: fakeAliceNick, aliceCard: fakeAliceCard}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.closed)
		f.srv.Close()
	})
	return f
}

// transport sends every request to the fake, keeping the host it was
// meant for in X-Original-Host.
func (f *fakeWeChat) transport(t testing.TB) http.RoundTripper {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	target, _ := url.Parse(f.srv.URL)
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Header.Set("X-Original-Host", req.URL.Host)
		r.URL.Scheme = target.Scheme
		r.URL.Host = target.Host
		r.Host = target.Host
		return base.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// confirmScan lets the held login poll report a scanned and confirmed QR code.
func (f *fakeWeChat) confirmScan() { close(f.confirm) }

// logout makes WeChat end the session: the next synccheck answers 1101 and
// the stored session is no longer accepted.
func (f *fakeWeChat) logout() {
	f.mu.Lock()
	f.loggedOut = true
	f.mu.Unlock()
	f.wake()
}

// dropEverySession makes WeChat accept the stored session at login and
// end it at the first poll, every time.
func (f *fakeWeChat) dropEverySession() {
	f.mu.Lock()
	f.dropPolls = true
	f.mu.Unlock()
	f.wake()
}

// breakPolls makes every synccheck fail at once, as a broken proxy would.
func (f *fakeWeChat) breakPolls() {
	f.mu.Lock()
	f.badPolls = true
	f.mu.Unlock()
	f.wake()
}

func (f *fakeWeChat) failNextSends(rets ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sendRets = append(f.sendRets, rets...)
}

func (f *fakeWeChat) dropNextSends(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropSends += n
}

func (f *fakeWeChat) wake() {
	select {
	case f.newMsg <- struct{}{}:
	default:
	}
}

// fakeMsg is a message WeChat delivers to the bot.
type fakeMsg struct {
	ID       string // MsgId; "" numbers it
	From, To string
	Content  string // as WeChat sends it: in groups "<member>:<br/>text"
	Type     int    // 0: text
}

// deliver queues messages for the next webwxsync, in one batch.
func (f *fakeWeChat) deliver(msgs ...fakeMsg) {
	f.mu.Lock()
	for _, m := range msgs {
		f.msgSeq++
		if m.ID == "" {
			m.ID = strconv.Itoa(900000 + f.msgSeq)
		}
		if m.Type == 0 {
			m.Type = 1
		}
		f.pending = append(f.pending, map[string]any{
			"MsgId": m.ID, "NewMsgId": 0, "FromUserName": m.From, "ToUserName": m.To,
			"MsgType": m.Type, "Content": m.Content, "CreateTime": time.Now().Unix(),
			"Url": "", "Status": 3, "ImgStatus": 1,
		})
	}
	f.mu.Unlock()
	f.wake()
}

// renameAlice gives Alice another nickname and group nickname (群昵称), as
// any member can.
func (f *fakeWeChat) renameAlice(nick, card string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aliceNick, f.aliceCard = nick, card
}

// groupText is a text from Alice in the group.
func groupText(id, text string) fakeMsg {
	return fakeMsg{ID: id, From: fakeGroupUser, To: fakeSelfUser, Content: fakeAliceUser + ":<br/>" + text}
}

func (f *fakeWeChat) sent() []fakeSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeSend(nil), f.sends...)
}

// accepted are the sends answered with Ret 0.
func (f *fakeWeChat) accepted() []fakeSend {
	var out []fakeSend
	for _, s := range f.sent() {
		if s.Ret == 0 {
			out = append(out, s)
		}
	}
	return out
}

func (f *fakeWeChat) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// requestsSince returns the requests from the index mark on.
func (f *fakeWeChat) requestsSince(mark int) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests[mark:]...)
}

func countPath(reqs []fakeRequest, suffix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasSuffix(r.path, suffix) {
			n++
		}
	}
	return n
}

func (f *fakeWeChat) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{host: r.Header.Get("X-Original-Host"), path: r.URL.Path, at: time.Now()})
	f.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/jslogin":
		fmt.Fprintf(w, `window.QRLogin.code = 200; window.QRLogin.uuid = "%s";`, fakeUUID)
	case p == "/cgi-bin/mmwebwx-bin/login":
		f.serveLoginPoll(w, r)
	case strings.HasSuffix(p, "/webwxnewloginpage"):
		// The login page hands out the credentials and sets the cookies
		// the session carries from then on.
		for _, c := range []*http.Cookie{{Name: "wxuin", Value: strconv.Itoa(fakeUin)}, {Name: "wxsid", Value: fakeSid}, {Name: "webwx_data_ticket", Value: "ticket"}} {
			c.Domain, c.Path = "wx.qq.com", "/"
			http.SetCookie(w, c)
		}
		fmt.Fprintf(w, `<error><ret>0</ret><message></message><skey>%s</skey><wxsid>%s</wxsid><wxuin>%d</wxuin><pass_ticket>%s</pass_ticket><isgrayscale>1</isgrayscale></error>`,
			fakeSKey, fakeSid, fakeUin, fakePassTicket)
	case strings.HasSuffix(p, "/webwxinit"):
		f.serveInit(w, r)
	case strings.HasSuffix(p, "/webwxstatusnotify"):
		writeJSON(w, map[string]any{"BaseResponse": ret(0), "MsgID": ""})
	case strings.HasSuffix(p, "/synccheck"):
		f.serveSyncCheck(w, r)
	case strings.HasSuffix(p, "/webwxsync"):
		f.mu.Lock()
		msgs := f.pending
		f.pending = nil
		f.syncKey++
		key := map[string]any{"Count": 1, "List": []map[string]int{{"Key": 1, "Val": f.syncKey}}}
		f.mu.Unlock()
		if msgs == nil {
			msgs = []map[string]any{}
		}
		writeJSON(w, map[string]any{"BaseResponse": ret(0), "AddMsgCount": len(msgs), "AddMsgList": msgs, "SyncKey": key, "SyncCheckKey": key})
	case strings.HasSuffix(p, "/webwxgetcontact"):
		list := f.contacts()
		writeJSON(w, map[string]any{"BaseResponse": ret(0), "MemberCount": len(list), "MemberList": list, "Seq": 0})
	case strings.HasSuffix(p, "/webwxbatchgetcontact"):
		var body struct{ List []struct{ UserName string } }
		_ = json.NewDecoder(r.Body).Decode(&body)
		var found []map[string]any
		for _, want := range body.List {
			for _, c := range f.contacts() {
				if c["UserName"] == want.UserName {
					found = append(found, c)
				}
			}
		}
		writeJSON(w, map[string]any{"BaseResponse": ret(0), "Count": len(found), "ContactList": found})
	case strings.HasSuffix(p, "/webwxsendmsg"):
		f.serveSend(w, r)
	case strings.HasSuffix(p, "/webwxuploadmedia"):
		f.serveUpload(w, r)
	case strings.HasSuffix(p, "/webwxsendmsgimg"):
		f.serveSendImage(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeWeChat) serveLoginPoll(w http.ResponseWriter, r *http.Request) {
	// Like WeChat, hold the poll until something happens (WeChat answers
	// 408 after about 25 s; the tests never wait that long).
	select {
	case <-f.confirm:
		f.mu.Lock()
		f.scanPolls++
		first := f.scanPolls == 1
		f.mu.Unlock()
		if first {
			fmt.Fprint(w, `window.code=201;window.userAvatar = 'data:img/jpg;base64,';`)
			return
		}
		fmt.Fprintf(w, `window.code=200;
window.redirect_uri="https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T&uuid=%s&lang=zh_CN&scan=1";`, fakeUUID)
	case <-r.Context().Done():
	case <-f.closed:
	}
}

func (f *fakeWeChat) serveInit(w http.ResponseWriter, r *http.Request) {
	var body struct{ BaseRequest struct{ Sid, Skey string } }
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	valid := !f.loggedOut && body.BaseRequest.Sid == fakeSid
	f.mu.Unlock()
	if !valid {
		writeJSON(w, map[string]any{"BaseResponse": ret(1101)})
		return
	}
	writeJSON(w, map[string]any{
		"BaseResponse": ret(0),
		"Count":        1,
		"User":         map[string]any{"UserName": fakeSelfUser, "NickName": fakeSelfNick, "Uin": fakeUin},
		"SyncKey":      map[string]any{"Count": 1, "List": []map[string]int{{"Key": 1, "Val": 1}}},
		"ContactList":  []map[string]any{{"UserName": fakeGroupUser, "NickName": fakeGroupName}},
		"SKey":         fakeSKey,
	})
}

func (f *fakeWeChat) serveSyncCheck(w http.ResponseWriter, r *http.Request) {
	hold := time.NewTimer(25 * time.Second)
	defer hold.Stop()
	for {
		f.mu.Lock()
		out, pending, bad := f.loggedOut || f.dropPolls, len(f.pending) > 0, f.badPolls
		f.mu.Unlock()
		switch {
		case bad:
			fmt.Fprint(w, `<html>502 Bad Gateway</html>`)
			return
		case out:
			fmt.Fprint(w, `window.synccheck={retcode:"1101",selector:"0"}`)
			return
		case pending:
			fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"2"}`)
			return
		}
		// Nothing new: hold the poll, as WeChat does.
		select {
		case <-f.newMsg:
		case <-hold.C:
			fmt.Fprint(w, `window.synccheck={retcode:"0",selector:"0"}`)
			return
		case <-r.Context().Done():
			return
		case <-f.closed:
			return
		}
	}
}

func (f *fakeWeChat) serveSend(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var body struct {
		Msg struct{ ToUserName, FromUserName, Content, ClientMsgId, LocalID string }
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	if f.dropSends > 0 {
		// The request arrived, then the connection dies before the answer:
		// the client cannot know whether the text was delivered.
		f.dropSends--
		f.sends = append(f.sends, fakeSend{To: body.Msg.ToUserName, From: body.Msg.FromUserName, Content: body.Msg.Content,
			ClientMsgID: body.Msg.ClientMsgId, LocalID: body.Msg.LocalID, At: at, Ret: -1})
		f.mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
		}
		return
	}
	code := 0
	if len(f.sendRets) > 0 {
		code, f.sendRets = f.sendRets[0], f.sendRets[1:]
	}
	f.sends = append(f.sends, fakeSend{To: body.Msg.ToUserName, From: body.Msg.FromUserName, Content: body.Msg.Content,
		ClientMsgID: body.Msg.ClientMsgId, LocalID: body.Msg.LocalID, At: at, Ret: code})
	n := len(f.sends)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": ret(code), "MsgID": strconv.Itoa(5000 + n), "LocalID": body.Msg.LocalID})
}

// serveUpload takes an uploaded picture (one chunk) and names it.
func (f *fakeWeChat) serveUpload(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("filename")
	if err != nil || r.FormValue("webwx_data_ticket") == "" {
		http.Error(w, fmt.Sprintf("bad upload: %v", err), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploads = append(f.uploads, data)
	id := fmt.Sprintf("media-%d", len(f.uploads))
	f.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": ret(0), "MediaId": id, "StartPos": len(data)})
}

// serveSendImage records an image message as a send whose Content is
// "image:" and the media ID.
func (f *fakeWeChat) serveSendImage(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Msg struct {
			Type                              int
			ToUserName, FromUserName, MediaId string
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Msg.Type != 3 || body.Msg.MediaId == "" {
		http.Error(w, fmt.Sprintf("bad image message: %v", err), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.sends = append(f.sends, fakeSend{To: body.Msg.ToUserName, From: body.Msg.FromUserName, Content: "image:" + body.Msg.MediaId, At: time.Now()})
	n := len(f.sends)
	f.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": ret(0), "MsgID": strconv.Itoa(5000 + n), "LocalID": "1"})
}

func ret(code int) map[string]any { return map[string]any{"Ret": code, "ErrMsg": ""} }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// contacts is the account's contact list: Bob is a friend (with a remark
// name) and a member of the group, Alice only a member. The group comes
// with its members inline, so openwechat never needs webwxbatchgetcontact.
func (f *fakeWeChat) contacts() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []map[string]any{
		{"UserName": fakeBobUser, "NickName": fakeBobNick, "RemarkName": fakeBobRemark, "VerifyFlag": 0},
		{"UserName": fakeGroupUser, "NickName": fakeGroupName, "VerifyFlag": 0, "MemberCount": 3, "MemberList": []map[string]any{
			{"UserName": fakeSelfUser, "NickName": fakeSelfNick, "DisplayName": ""},
			{"UserName": fakeAliceUser, "NickName": f.aliceNick, "DisplayName": f.aliceCard},
			{"UserName": fakeBobUser, "NickName": fakeBobNick, "DisplayName": ""},
		}},
	}
}

// fakeSession is the hot-login session a previous login would have stored
// for the fake (openwechat's HotReloadStorageItem as JSON).
func fakeSession() []byte {
	b, _ := json.Marshal(map[string]any{
		// The upload of a picture needs this cookie of the file host.
		"Jar":          map[string]any{"https://file.wx.qq.com": []map[string]any{{"Name": "webwx_data_ticket", "Value": "ticket"}}},
		"BaseRequest":  map[string]any{"Uin": fakeUin, "Sid": fakeSid, "Skey": fakeSKey, "DeviceID": "e123456789012345"},
		"LoginInfo":    map[string]any{"Ret": 0, "WxUin": fakeUin, "IsGrayScale": 1, "SKey": fakeSKey, "WxSid": fakeSid, "PassTicket": fakePassTicket},
		"WechatDomain": "wx.qq.com",
		"SyncKey":      map[string]any{"Count": 1, "List": []map[string]int{{"Key": 1, "Val": 1}}},
		"UUID":         "",
	})
	return b
}
