package console

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Password hashes are PBKDF2-SHA256 (the standard library's crypto/pbkdf2),
// written pbkdf2-sha256$ITERATIONS$SALT$KEY with SALT and KEY in unpadded
// base64. HashPassword uses DefaultIterations (OWASP's 2023 advice).
const (
	hashScheme        = "pbkdf2-sha256"
	DefaultIterations = 600_000
	keyLen            = 32
)

// HashPassword returns the hash of password to put in console.users.
func HashPassword(password string, iterations int) (string, error) {
	if password == "" {
		return "", errors.New("console: empty password")
	}
	if iterations < 1 {
		iterations = DefaultIterations
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, keyLen)
	if err != nil {
		return "", fmt.Errorf("console: hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

type passwordHash struct {
	iterations int
	salt, key  []byte
}

// parseHash reads a hash written by HashPassword.
func parseHash(s string) (passwordHash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return passwordHash{}, fmt.Errorf("not a %s$ITERATIONS$SALT$KEY hash (make one with `reportbot console passwd NAME`)", hashScheme)
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 {
		return passwordHash{}, fmt.Errorf("bad iteration count %q", parts[1])
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) != keyLen {
		return passwordHash{}, errors.New("bad salt or key")
	}
	return passwordHash{iterations: n, salt: salt, key: key}, nil
}

func (h passwordHash) matches(password string) bool {
	key, err := pbkdf2.Key(sha256.New, password, h.salt, h.iterations, keyLen)
	return err == nil && subtle.ConstantTimeCompare(key, h.key) == 1
}

// MinSecretLen is the shortest console.secret accepted.
const MinSecretLen = 32

// link is a one-time sign-in link: for user, valid until expires, signed
// with the console secret; nonce makes each link distinct and is what the
// store remembers once the link is used.
type link struct {
	user    string
	expires time.Time
	nonce   string
}

func (l link) mac(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "console-link\x00%s\x00%d\x00%s", l.user, l.expires.Unix(), l.nonce)
	return hex.EncodeToString(m.Sum(nil))
}

// SignInLink returns a sign-in link for user under base (the console's
// URL), valid for ttl and usable once.
func SignInLink(base, secret, user string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fmt.Errorf("console.secret must be at least %d characters to sign links", MinSecretLen)
	}
	if err := checkUserName(user); err != nil {
		return "", err
	}
	b := make([]byte, 12)
	rand.Read(b)
	l := link{user: user, expires: now.Add(ttl), nonce: hex.EncodeToString(b)}
	q := url.Values{"u": {l.user}, "e": {strconv.FormatInt(l.expires.Unix(), 10)}, "n": {l.nonce}, "s": {l.mac(secret)}}
	return strings.TrimRight(base, "/") + "/login/link?" + q.Encode(), nil
}

// checkUserName refuses names that cannot be shown or stored plainly.
func checkUserName(user string) error {
	if user == "" || len(user) > 64 || strings.TrimSpace(user) != user || strings.ContainsAny(user, "$\n\r\t") {
		return fmt.Errorf("console: user name %q: want 1 to 64 bytes, no surrounding spaces", user)
	}
	return nil
}

// parseLink checks a link's query against the secret and the clock.
func parseLink(q url.Values, secret string, now time.Time) (link, error) {
	exp, err := strconv.ParseInt(q.Get("e"), 10, 64)
	if err != nil {
		return link{}, errors.New("登录链接不完整")
	}
	l := link{user: q.Get("u"), expires: time.Unix(exp, 0), nonce: q.Get("n")}
	if len(secret) < MinSecretLen || l.user == "" || l.nonce == "" || !hmac.Equal([]byte(l.mac(secret)), []byte(q.Get("s"))) {
		return link{}, errors.New("登录链接无效(签名不对,或服务器的 console.secret 已更换)")
	}
	if !now.Before(l.expires) {
		return link{}, errors.New("登录链接已过期,请管理员重新生成")
	}
	return l, nil
}

// session is a signed-in console user.
type session struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// storeID is the key a session is stored under: the hash of its cookie, so
// that reading the store does not give away a usable cookie.
func storeID(cookie string) string {
	sum := sha256.Sum256([]byte(cookie))
	return hex.EncodeToString(sum[:])
}

func (c *Console) newSession(ctx context.Context, user string) (cookie string, err error) {
	cookie = randomToken()
	data, _ := json.Marshal(session{User: user, CSRF: randomToken(), Created: c.now()})
	if err := c.store.PutConsoleSession(ctx, storeID(cookie), data, c.opts.SessionTTL); err != nil {
		return "", fmt.Errorf("console: store the session of %s: %w", user, err)
	}
	return cookie, nil
}

func (c *Console) loadSession(ctx context.Context, cookie string) (session, bool, error) {
	if cookie == "" {
		return session{}, false, nil
	}
	data, ok, err := c.store.GetConsoleSession(ctx, storeID(cookie))
	if err != nil || !ok {
		return session{}, false, err
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil || s.User == "" || s.CSRF == "" {
		return session{}, false, nil
	}
	return s, true, nil
}

func constantEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
