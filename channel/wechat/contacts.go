package wechat

import (
	"context"
	"html"
	"log/slog"
	"sync"
	"time"

	"github.com/eatmoreapple/openwechat"
)

// contactFetchTimeout bounds one contact request.
const contactFetchTimeout = 15 * time.Second

// contacts caches the names behind the UserNames of one login session
// (UserNames change at every login, names do not). A name that is not
// cached is fetched, but the whole contact list at most once per
// refreshEvery and one contact's (a group's) details at most once per
// refreshEvery: every contact request is one more chance for WeChat to
// answer "operate too often".
//
// It calls openwechat's Caller directly and never the contact methods of
// openwechat's Self or Message: those mutate caches shared with the sync
// goroutine without locks.
type contacts struct {
	caller       *openwechat.Caller
	info         *openwechat.LoginInfo
	request      *openwechat.BaseRequest
	refreshEvery time.Duration
	log          *slog.Logger

	fetchMu sync.Mutex // one fetch at a time; held without mu

	mu         sync.Mutex
	byUser     map[string]*contact
	lastList   time.Time            // last webwxgetcontact
	lastDetail map[string]time.Time // last webwxbatchgetcontact per UserName
}

type contact struct {
	nick   string
	remark string
	group  bool
	// members of a group by UserName; nil until the member list was seen.
	members map[string]member
}

type member struct {
	nick    string
	display string // the name set for this group (群昵称), often ""
}

// name is what a person sees in the group: the group nickname, else the
// WeChat nickname.
func (m member) name() string {
	if m.display != "" {
		return m.display
	}
	return m.nick
}

func newContacts(caller *openwechat.Caller, info *openwechat.LoginInfo, request *openwechat.BaseRequest, refreshEvery time.Duration, log *slog.Logger) *contacts {
	return &contacts{
		caller: caller, info: info, request: request, refreshEvery: refreshEvery, log: log,
		byUser:     map[string]*contact{},
		lastDetail: map[string]time.Time{},
	}
}

// cleanName turns a name as WeChat sends it into what users type: HTML
// entities decoded and emoji spans turned into emoji, as openwechat does to
// message texts.
func cleanName(s string) string {
	return openwechat.FormatEmoji(html.UnescapeString(s))
}

// add merges users (from webwxinit, webwxgetcontact or webwxbatchgetcontact).
func (cs *contacts) add(users openwechat.Members) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, u := range users {
		if u == nil || u.UserName == "" {
			continue
		}
		c := cs.byUser[u.UserName]
		if c == nil {
			c = &contact{}
			cs.byUser[u.UserName] = c
		}
		c.nick = cleanName(u.NickName)
		c.remark = cleanName(u.RemarkName)
		c.group = isGroupUserName(u.UserName)
		if len(u.MemberList) > 0 {
			members := make(map[string]member, len(u.MemberList))
			for _, m := range u.MemberList {
				members[m.UserName] = member{nick: cleanName(m.NickName), display: cleanName(m.DisplayName)}
			}
			c.members = members
		}
	}
}

// chat returns the cached contact of userName, fetching it when unknown.
func (cs *contacts) chat(ctx context.Context, userName string) (contact, bool) {
	lookup := func() (contact, bool) {
		if c := cs.byUser[userName]; c != nil && c.nick != "" {
			return *c, true
		}
		return contact{}, false
	}
	if c, ok := cs.locked(lookup); ok {
		return c, true
	}
	cs.fetchMu.Lock()
	defer cs.fetchMu.Unlock()
	if c, ok := cs.locked(lookup); ok {
		return c, true
	}
	cs.refreshList(ctx)
	if c, ok := cs.locked(lookup); ok {
		return c, true
	}
	// Groups the account did not save to its contacts are not in the list.
	cs.refreshDetail(ctx, userName)
	return cs.locked(lookup)
}

// member returns the member memberUser of group, fetching the group's
// member list when the member is unknown.
func (cs *contacts) member(ctx context.Context, group, memberUser string) (member, bool) {
	lookup := func() (member, bool) {
		if c := cs.byUser[group]; c != nil {
			m, ok := c.members[memberUser]
			return m, ok
		}
		return member{}, false
	}
	if m, ok := lockedMember(cs, lookup); ok {
		return m, true
	}
	cs.fetchMu.Lock()
	defer cs.fetchMu.Unlock()
	if m, ok := lockedMember(cs, lookup); ok {
		return m, true
	}
	cs.refreshDetail(ctx, group)
	return lockedMember(cs, lookup)
}

// remark returns the remark name (备注) the bot's account gave the contact
// userName, "" for a stranger (a group member who is not a contact) or a
// contact without one. Only the account's operator sets remark names, so
// they, not display names, carry admin rights. A UserName not in the
// contact list refreshes the list (at most once per refreshEvery); no
// per-person request is made for strangers.
func (cs *contacts) remark(ctx context.Context, userName string) string {
	lookup := func() (string, bool) {
		c := cs.byUser[userName]
		if c == nil {
			return "", false
		}
		if c.group {
			return "", true
		}
		return c.remark, true
	}
	cs.mu.Lock()
	r, known := lookup()
	cs.mu.Unlock()
	if known {
		return r
	}
	cs.fetchMu.Lock()
	defer cs.fetchMu.Unlock()
	cs.refreshList(ctx)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	r, _ = lookup()
	return r
}

// findByName returns the UserName of the group (or, with group false, the
// friend) called name: its nickname, else its remark name. An ambiguous name
// is not found: sending to the wrong chat is worse than not sending.
func (cs *contacts) findByName(ctx context.Context, name string, group bool) (string, bool) {
	lookup := func() (string, bool) {
		for _, byRemark := range []bool{false, true} {
			found, n := "", 0
			for u, c := range cs.byUser {
				cn := c.nick
				if byRemark {
					cn = c.remark
				}
				if c.group == group && cn != "" && cn == name {
					found, n = u, n+1
				}
			}
			if n == 1 {
				return found, true
			}
			if n > 1 {
				cs.log.Warn("several chats have this name; not sending by name", "name", name, "count", n)
				return "", false
			}
		}
		return "", false
	}
	cs.mu.Lock()
	u, ok := lookup()
	cs.mu.Unlock()
	if ok {
		return u, true
	}
	cs.fetchMu.Lock()
	defer cs.fetchMu.Unlock()
	cs.refreshList(ctx)
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return lookup()
}

func (cs *contacts) locked(f func() (contact, bool)) (contact, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return f()
}

func lockedMember(cs *contacts, f func() (member, bool)) (member, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return f()
}

// refreshList fetches the whole contact list unless that was done within
// refreshEvery. The caller holds fetchMu.
func (cs *contacts) refreshList(ctx context.Context) {
	cs.mu.Lock()
	if time.Since(cs.lastList) < cs.refreshEvery {
		cs.mu.Unlock()
		return
	}
	cs.lastList = time.Now()
	cs.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, contactFetchTimeout)
	defer cancel()
	users, err := cs.caller.WebWxGetContact(ctx, cs.info)
	if err != nil {
		cs.log.Warn("fetch the WeChat contact list", "err", err)
		return
	}
	cs.add(users)
}

// refreshDetail fetches one contact (for a group: with its members) unless
// that was done within refreshEvery. The caller holds fetchMu.
func (cs *contacts) refreshDetail(ctx context.Context, userName string) {
	if userName == "" {
		return
	}
	cs.mu.Lock()
	if time.Since(cs.lastDetail[userName]) < cs.refreshEvery {
		cs.mu.Unlock()
		return
	}
	cs.lastDetail[userName] = time.Now()
	cs.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, contactFetchTimeout)
	defer cancel()
	users, err := cs.caller.WebWxBatchGetContact(ctx, openwechat.Members{{UserName: userName}}, cs.request)
	if err != nil {
		cs.log.Warn("fetch WeChat contact details", "user", userName, "err", err)
		return
	}
	cs.add(users)
}
