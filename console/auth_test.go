package console

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reportbot/reportbot/store/memstore"
)

func TestConsolePasswordHash(t *testing.T) {
	h, err := HashPassword("口令 with spaces", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$1000$") {
		t.Errorf("hash %q", h)
	}
	p, err := parseHash(h)
	if err != nil {
		t.Fatal(err)
	}
	if !p.matches("口令 with spaces") || p.matches("口令") || p.matches("") {
		t.Error("the hash matches the wrong passwords")
	}
	other, _ := HashPassword("口令 with spaces", 1000)
	if other == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("", 0); err == nil {
		t.Error("an empty password was hashed")
	}
	for _, bad := range []string{"", "plain", "pbkdf2-sha256$x$a$b", "bcrypt$10$a$b", "pbkdf2-sha256$1000$c2FsdHNhbHQ$c2hvcnQ"} {
		if _, err := parseHash(bad); err == nil {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

func TestConsoleNewChecksUsersAndSecret(t *testing.T) {
	store := memstore.New()
	good, _ := HashPassword("pw", 1000)
	for name, tc := range map[string]struct {
		opts Options
		want string
	}{
		"nobody":       {Options{Store: store}, "nobody can sign in"},
		"bad hash":     {Options{Store: store, Users: map[string]string{"王芳": "secret"}}, "console.users.王芳"},
		"short secret": {Options{Store: store, Secret: "short"}, "console.secret"},
		"bad name":     {Options{Store: store, Users: map[string]string{" 王芳": good}}, "console.users"},
		"no store":     {Options{Users: map[string]string{"王芳": good}}, "no store"},
	} {
		_, err := New(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want one naming %q", name, err, tc.want)
		}
	}
	if _, err := New(Options{Store: store, Users: map[string]string{"王芳": good}}); err != nil {
		t.Errorf("good options: %v", err)
	}
}

func TestConsoleLinkChecks(t *testing.T) {
	secret := strings.Repeat("k", MinSecretLen)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	link, err := SignInLink("https://console.example/", secret, "王芳", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != "/login/link" {
		t.Fatalf("link %q", link)
	}
	if l, err := parseLink(u.Query(), secret, now.Add(59*time.Minute)); err != nil || l.user != "王芳" {
		t.Errorf("fresh link: %+v, %v", l, err)
	}
	if _, err := parseLink(u.Query(), secret, now.Add(time.Hour)); err == nil {
		t.Error("expired link accepted")
	}
	if _, err := parseLink(u.Query(), strings.Repeat("j", MinSecretLen), now); err == nil {
		t.Error("link accepted under another secret")
	}
	q := u.Query()
	q.Set("e", "99999999999")
	if _, err := parseLink(q, secret, now); err == nil {
		t.Error("link with a moved expiry accepted")
	}
	if _, err := SignInLink("x", "short", "王芳", time.Hour, now); err == nil {
		t.Error("link signed with a short secret")
	}
	if _, err := SignInLink("x", secret, "", time.Hour, now); err == nil {
		t.Error("link for an empty name")
	}
}

func TestConsoleWeComPreviewEscapes(t *testing.T) {
	got := string(wecomHTML("**每日一读** <script>alert(1)</script>\n> **引领力**\n数字:<font color=\"warning\">200列</font> <font color=\"red\">x</font>\n# 标题"))
	for _, want := range []string{"<b>每日一读</b> &lt;script&gt;", `<div class="wc-quote"><b>引领力</b></div>`,
		`<span class="wc-warning">200列</span>`, "&lt;font color=&#34;red&#34;&gt;x&lt;/font&gt;", `<div class="wc-head">标题</div>`} {
		if !strings.Contains(got, want) {
			t.Errorf("preview lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("preview lets a script through:\n%s", got)
	}
}

func TestConsoleCSVCellNeverAFormula(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+86": "'+86", "-x": "'-x", "@a": "'@a", "中欧班列": "中欧班列", "": ""} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}
