package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "reportbot.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestExampleLoadsToDefault(t *testing.T) {
	got, err := Load(writeConfig(t, Example()), nil)
	if err != nil {
		t.Fatalf("example does not load: %v", err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Fatalf("example differs from Default():\n got  %+v\n want %+v", got, Default())
	}
}

func TestExampleSetsEveryKeyAfterAComment(t *testing.T) {
	var raw map[string]map[string]any
	if _, err := toml.Decode(Example(), &raw); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(Example(), "\n")
	for _, key := range Keys() {
		section, name, _ := strings.Cut(key, ".")
		if _, ok := raw[section][name]; !ok {
			t.Errorf("example lacks %s", key)
			continue
		}
		// The key's line must follow a comment, within its section.
		documented, current := false, ""
		for i, l := range lines {
			if strings.HasPrefix(l, "[") {
				current = strings.Trim(l, "[]")
			}
			if (current == section && strings.HasPrefix(l, name+" =")) || l == "["+key+"]" {
				documented = i > 0 && strings.HasPrefix(lines[i-1], "#")
			}
		}
		if !documented {
			t.Errorf("example: %s has no comment on the line above", key)
		}
	}
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.Bot.UserRate.Per(); got != 12*time.Second {
		t.Errorf("default user rate refills one token every %v, want 12s", got)
	}
	if _, off := time.Date(2026, 12, 1, 8, 0, 0, 0, c.Digest.Timezone.Location()).Zone(); off != 8*3600 {
		t.Errorf("Asia/Shanghai offset %d, want +8h", off)
	}
}

func TestLoadWithoutFileGivesDefault(t *testing.T) {
	got, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Fatalf("got %+v", got)
	}
}

func TestLoadReadsEveryKindOfValue(t *testing.T) {
	path := writeConfig(t, `
[bot]
name = "政府报告助手"
prefix = "问"
admins = ["张三", "李四"]
session_ttl = "45m"
max_reply_chars = 800
user_rate = "3/30s"
group_rate = "60/h"
[redis]
url = "rediss://user:secret@redis.example:6380/2"
[ops]
addr = ""
[digest]
enabled = true
start_date = 2026-12-01
catch_up = "0s"
after_last = "stop"
[digest.webhooks]
publicity = "https://qyapi.example/cgi-bin/webhook/send?key=abc"
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Bot.Name = "政府报告助手"
	want.Bot.Prefix = "问"
	want.Bot.Admins = []string{"张三", "李四"}
	want.Bot.SessionTTL = 45 * time.Minute
	want.Bot.MaxReplyChars = 800
	want.Bot.UserRate = Rate{Burst: 3, Period: 30 * time.Second}
	want.Bot.GroupRate = Rate{Burst: 60, Period: time.Hour}
	want.Redis.URL = "rediss://user:secret@redis.example:6380/2"
	want.Ops.Addr = ""
	want.Digest.Enabled = true
	want.Digest.StartDate = "2026-12-01"
	want.Digest.CatchUp = 0
	want.Digest.AfterLast = "stop"
	want.Digest.Webhooks = map[string]string{"publicity": "https://qyapi.example/cgi-bin/webhook/send?key=abc"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string // substrings of the error
		notWant    string
	}{
		{"unknown key", "[bot]\nnmae = \"x\"\n", []string{"config ", "reportbot.toml: unknown key bot.nmae (did you mean bot.name?)"}, ""},
		{"unknown section", "[bots]\nname = \"x\"\n", []string{"unknown key bots (did you mean bot?)"}, ""},
		{"unknown top-level key", "name = \"x\"\n", []string{"unknown key name"}, ""},
		{"section not a table", "bot = 3\n", []string{"bot: want a table [bot], got integer 3"}, ""},
		{"bad duration", "[bot]\nsession_ttl = \"3x\"\n", []string{`bot.session_ttl: invalid duration "3x"`}, ""},
		{"duration without quotes", "[bot]\nsession_ttl = 30\n", []string{`bot.session_ttl: want a quoted duration such as "30m", got integer 30`}, ""},
		{"negative duration", "[wechat]\nsend_interval = \"-1s\"\n", []string{"wechat.send_interval: must not be negative (got -1s)"}, ""},
		{"zero duration", "[bot]\nsession_ttl = \"0s\"\n", []string{"bot.session_ttl: must be greater than zero"}, ""},
		{"integer as string", "[bot]\nmax_reply_chars = \"1500\"\n", []string{`bot.max_reply_chars: want an integer, got string "1500"`}, ""},
		{"zero parts", "[bot]\nmax_reply_parts = 0\n", []string{"bot.max_reply_parts: must be greater than zero (got 0)"}, ""},
		{"bool as string", "[digest]\nenabled = \"yes\"\n", []string{"digest.enabled: want true or false"}, ""},
		{"list as string", "[bot]\nadmins = \"张三\"\n", []string{"bot.admins: want a list of strings"}, ""},
		{"empty name", "[bot]\nname = \"\"\n", []string{"bot.name: must not be empty"}, ""},
		{"bad rate", "[bot]\nuser_rate = \"5 per minute\"\n", []string{`bot.user_rate: invalid rate "5 per minute"`}, ""},
		{"zero burst", "[bot]\ngroup_rate = \"0/1m\"\n", []string{`bot.group_rate: invalid rate "0/1m": burst`}, ""},
		{"bad time zone", "[bot]\ntimezone = \"Asia/Beijing\"\n", []string{`bot.timezone: unknown time zone "Asia/Beijing"`}, ""},
		{"local time zone", "[digest]\ntimezone = \"Local\"\n", []string{`digest.timezone: "Local" is not allowed`}, ""},
		{"redis url without scheme", "[redis]\nurl = \"localhost:6379\"\n", []string{"redis.url: must start with redis:// or rediss://"}, ""},
		{"redis url hides password", "[redis]\nurl = \"http://u:hunter2@localhost:6379\"\n", []string{"redis.url: must start with redis://", "***@localhost"}, "hunter2"},
		{"redis bad db", "[redis]\nurl = \"redis://localhost:6379/x\"\n", []string{`redis.url: invalid database number "x"`}, ""},
		{"alert webhook not http", "[wechat]\nalert_webhook = \"qyapi.weixin.qq.com/send?key=k1\"\n", []string{"wechat.alert_webhook: must be an https:// or http:// URL"}, "k1"},
		{"digest webhook not http", "[digest.webhooks]\nteam = \"ftp://example/x\"\n", []string{"digest.webhooks.team: must be an https:// or http:// URL"}, ""},
		{"digest webhook not string", "[digest.webhooks]\nteam = 1\n", []string{"digest.webhooks.team: want a string, got integer 1"}, ""},
		{"ops addr without port", "[ops]\naddr = \"8080\"\n", []string{`ops.addr: invalid address "8080"`}, ""},
		{"cron with four fields", "[digest]\nschedule = \"0 8 * *\"\n", []string{`digest.schedule: invalid cron spec "0 8 * *": want 5 fields`}, ""},
		{"cron descriptor", "[digest]\nschedule = \"@sometimes\"\n", []string{`digest.schedule: invalid cron spec "@sometimes"`}, ""},
		{"after_last", "[digest]\nafter_last = \"again\"\n", []string{`digest.after_last: invalid value "again" (want restart or stop)`}, ""},
		{"start date format", "[digest]\nstart_date = \"2026/12/01\"\n", []string{`digest.start_date: invalid date "2026/12/01" (want YYYY-MM-DD)`}, ""},
		{"digest without start date", "[digest]\nenabled = true\n", []string{"digest.start_date: required when digest.enabled is true"}, ""},
		{"toml syntax", "[bot]\nname = \"x\n", []string{"reportbot.toml: toml: line 2"}, ""},
		{"several problems at once", "[bot]\nnmae = 1\nsession_ttl = \"3x\"\n[redis]\nurl = \"x\"\n", []string{"unknown key bot.nmae", "bot.session_ttl: invalid duration", "redis.url: must start"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tc.file), nil)
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
				t.Errorf("error %q repeats the secret %q", err, tc.notWant)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, err := Load(path, nil)
	if err == nil || err.Error() != "config "+path+": no such file or directory" {
		t.Fatalf("got %v", err)
	}
}

func TestLoadTakesPathFromEnvironment(t *testing.T) {
	path := writeConfig(t, "[bot]\nname = \"fromfile\"\n")
	c, err := Load("", envOf(map[string]string{"REPORTBOT_CONFIG": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Bot.Name != "fromfile" {
		t.Fatalf("name %q", c.Bot.Name)
	}
	// An explicit path (the --config flag) wins over REPORTBOT_CONFIG.
	other := writeConfig(t, "[bot]\nname = \"explicit\"\n")
	c, err = Load(other, envOf(map[string]string{"REPORTBOT_CONFIG": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Bot.Name != "explicit" {
		t.Fatalf("name %q", c.Bot.Name)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	path := writeConfig(t, `
[bot]
name = "filebot"
admins = ["王五"]
max_reply_parts = 2
[redis]
url = "redis://file:6379/0"
[corpus]
dir = "/file/reports"
`)
	c, err := Load(path, envOf(map[string]string{
		"REPORTBOT_REDIS_URL":         "redis://env:6379/1",
		"REPORTBOT_BOT_ADMINS":        "张三, 李四，赵六",
		"REPORTBOT_BOT_USER_RATE":     "10/1m",
		"REPORTBOT_DIGEST_ENABLED":    "true",
		"REPORTBOT_DIGEST_START_DATE": "2026-12-01",
		"REPORTBOT_DIGEST_WEBHOOKS":   "a=https://a.example/x, b=http://b.example/y",
		"REPORTBOT_CORPUS":            "/alias/reports",
		"REPORTBOT_INDEX":             "/alias/index",
	}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"redis.url", c.Redis.URL, "redis://env:6379/1"},
		{"bot.name (file only)", c.Bot.Name, "filebot"},
		{"bot.max_reply_parts (file only)", c.Bot.MaxReplyParts, 2},
		{"bot.admins", c.Bot.Admins, []string{"张三", "李四", "赵六"}},
		{"bot.user_rate", c.Bot.UserRate, Rate{Burst: 10, Period: time.Minute}},
		{"digest.enabled", c.Digest.Enabled, true},
		{"digest.webhooks", c.Digest.Webhooks, map[string]string{"a": "https://a.example/x", "b": "http://b.example/y"}},
		{"corpus.dir via REPORTBOT_CORPUS", c.Corpus.Dir, "/alias/reports"},
		{"corpus.index_dir via REPORTBOT_INDEX", c.Corpus.IndexDir, "/alias/index"},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.what, ch.got, ch.want)
		}
	}
}

func TestFullEnvironmentNameBeatsAlias(t *testing.T) {
	c, err := Load("", envOf(map[string]string{
		"REPORTBOT_CORPUS":     "/alias",
		"REPORTBOT_CORPUS_DIR": "/full",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Corpus.Dir != "/full" {
		t.Fatalf("corpus.dir = %q", c.Corpus.Dir)
	}
}

// envSamples holds a valid, non-default string value for every key. A new
// key without a sample fails TestEveryKeyHasAnEnvironmentVariable.
var envSamples = map[string]string{
	"bot.name": "小助手", "bot.prefix": "问", "bot.admins": "张三", "bot.groups": "测试群,工作群",
	"bot.session_ttl": "10m", "bot.max_reply_chars": "900", "bot.max_reply_parts": "5",
	"bot.timezone": "Asia/Urumqi", "bot.user_rate": "2/10s", "bot.group_rate": "40/2m",
	"corpus.dir": "/r", "corpus.index_dir": "/i", "corpus.thesaurus": "/t.txt",
	"redis.url":      "redis://127.0.0.1:6379/3",
	"wechat.account": "second", "wechat.send_interval": "2s", "wechat.send_jitter": "0s",
	"wechat.qr_png": "/tmp/qr.png", "wechat.alert_webhook": "https://alert.example/hook",
	"ops.addr":       ":9090",
	"digest.enabled": "false", "digest.schedule": "30 7 * * 1-5", "digest.timezone": "UTC",
	"digest.catch_up": "30m", "digest.start_date": "2027-01-01", "digest.after_last": "stop",
	"digest.override_dir": "/o", "digest.groups": "测试群", "digest.webhooks": "x=https://x.example",
	"wechat.enabled": "false", "digest.wecom_chats": "pub=wrkPub,head=single:zhangsan",
	"wecom_bot.enabled": "false", "wecom_bot.mode": "callback", "wecom_bot.bot_id": "aib1",
	"wecom_bot.secret": "s", "wecom_bot.url": "ws://127.0.0.1:9/", "wecom_bot.name": "报告助手",
	"wecom_bot.admins": "zhangsan", "wecom_bot.reply": "stream", "wecom_bot.heartbeat": "20s",
	"wecom_bot.token": "t", "wecom_bot.encoding_aes_key": "k", "wecom_bot.callback_addr": ":8443",
	"wecom_bot.callback_path": "/cb", "wecom_bot.alert_chat": "single:zhangsan",
	"digest.cards": "false",
	"console.addr": "127.0.0.1:8081", "console.url": "https://console.example", "console.secret": "0123456789abcdef0123456789abcdef",
	"console.session_ttl": "1h", "console.link_ttl": "2h", "console.secure_cookies": "true", "console.users": "王芳=pbkdf2-sha256$1$c2FsdHNhbHQ$x",
}

func TestEveryKeyHasAnEnvironmentVariable(t *testing.T) {
	for _, key := range Keys() {
		sample, ok := envSamples[key]
		if !ok {
			t.Errorf("no sample value for %s", key)
			continue
		}
		env := EnvVar(key)
		if want := "REPORTBOT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_")); env != want {
			t.Errorf("EnvVar(%s) = %s, want %s", key, env, want)
		}
		c, err := Load("", envOf(map[string]string{env: sample}))
		if err != nil {
			t.Errorf("%s=%s: %v", env, sample, err)
			continue
		}
		f := fieldByKey[key]
		def := Default()
		// The enabled samples are their defaults, since true needs more keys.
		if key != "digest.enabled" && key != "wecom_bot.enabled" && reflect.DeepEqual(f.value(&c), f.value(&def)) {
			t.Errorf("%s=%s left %s at its default", env, sample, key)
		}
		var viaSet Config = Default()
		if err := viaSet.Set(key, sample); err != nil {
			t.Errorf("Set(%s, %s): %v", key, sample, err)
		}
		if !reflect.DeepEqual(viaSet, c) {
			t.Errorf("Set(%s) and %s disagree", key, env)
		}
	}
}

func TestBadEnvironmentValueNamesTheVariable(t *testing.T) {
	cases := map[string]string{
		"REPORTBOT_BOT_SESSION_TTL":     `invalid duration "3x"`,
		"REPORTBOT_BOT_MAX_REPLY_CHARS": `invalid integer "3x"`,
		"REPORTBOT_DIGEST_ENABLED":      `invalid boolean "3x"`,
		"REPORTBOT_REDIS_URL":           "must start with redis://",
		"REPORTBOT_BOT_GROUP_RATE":      `invalid rate "3x"`,
		"REPORTBOT_DIGEST_WEBHOOKS":     `invalid entry "3x"`,
	}
	for env, want := range cases {
		_, err := Load("", envOf(map[string]string{env: "3x"}))
		if err == nil {
			t.Errorf("%s=3x accepted", env)
			continue
		}
		if !strings.Contains(err.Error(), "environment "+env+": ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=3x: error %q, want the variable and %q", env, err, want)
		}
	}
}

func TestSetOverridesEnvironment(t *testing.T) {
	path := writeConfig(t, "[redis]\nurl = \"redis://file:6379/0\"\n")
	c, err := Load(path, envOf(map[string]string{"REPORTBOT_REDIS_URL": "redis://env:6379/0", "REPORTBOT_BOT_NAME": "envbot"}))
	if err != nil {
		t.Fatal(err)
	}
	// What cmd does for --redis and --name.
	if err := c.Set("redis.url", "redis://flag:6379/0"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("bot.name", "flagbot"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Redis.URL != "redis://flag:6379/0" || c.Bot.Name != "flagbot" {
		t.Fatalf("got redis %q name %q", c.Redis.URL, c.Bot.Name)
	}
}

func TestSetRejectsBadInput(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"redis.uri", "redis://x", "unknown key redis.uri (did you mean redis.url?)"},
		{"bogus", "1", "unknown key bogus"},
		{"redis.url", "localhost:6379", "redis.url: must start with redis://"},
		{"bot.session_ttl", "3x", `bot.session_ttl: invalid duration "3x"`},
		{"bot.max_reply_parts", "0", "bot.max_reply_parts: must be greater than zero"},
		{"digest.webhooks.team", "not a url", "digest.webhooks.team: must be an https:// or http:// URL"},
	}
	for _, tc := range cases {
		c := Default()
		err := c.Set(tc.key, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%q, %q) = %v, want %q", tc.key, tc.value, err, tc.want)
		}
		if !reflect.DeepEqual(c, Default()) {
			t.Errorf("Set(%q, %q) failed but changed the config", tc.key, tc.value)
		}
	}
}

func TestSetThenValidateCatchesCrossKeyRules(t *testing.T) {
	c := Default()
	if err := c.Set("digest.enabled", "true"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "digest.start_date: required") {
		t.Fatalf("Validate = %v", err)
	}
	if err := c.Set("digest.start_date", "2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("digest.webhooks.team", "https://team.example/hook"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Digest.Webhooks["team"] != "https://team.example/hook" {
		t.Fatalf("webhooks %v", c.Digest.Webhooks)
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]Rate{
		"5/1m":   {5, time.Minute},
		"20/1m":  {20, time.Minute},
		"30/m":   {30, time.Minute},
		" 1/10s": {1, 10 * time.Second},
		"100/2h": {100, 2 * time.Hour},
	}
	for in, want := range good {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
		back, err := ParseRate(got.String())
		if err != nil || back != got {
			t.Errorf("ParseRate(%q.String() = %q) = %v, %v", in, got.String(), back, err)
		}
	}
	if s := (Rate{5, time.Minute}).String(); s != "5/1m" {
		t.Errorf("String = %q", s)
	}
	for _, bad := range []string{"", "5", "/1m", "x/1m", "0/1m", "-1/1m", "5/", "5/0s", "5/-1m", "5/soon", "10/5ns"} {
		if r, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) = %v, want an error", bad, r)
		}
	}
}

func TestBadFileAndBadEnvironmentAreReportedTogether(t *testing.T) {
	path := writeConfig(t, "[bot]\nsession_ttl = \"3x\"\n")
	_, err := Load(path, envOf(map[string]string{"REPORTBOT_OPS_ADDR": "nowhere"}))
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{`bot.session_ttl: invalid duration "3x"`, `environment REPORTBOT_OPS_ADDR: invalid address "nowhere"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestConfigDocShowsTheExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```toml\n"+Example()+"```") {
		t.Fatal("docs/config.md does not show config/reportbot.example.toml as it is; paste it again")
	}
}

func TestRedisURLForms(t *testing.T) {
	for _, ok := range []string{
		"redis://127.0.0.1:6379/0",
		"redis://:pw@10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000",
		"redis://10.0.0.1:7000,10.0.0.2:7000/0",
		"redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/mymaster/2",
		"rediss+sentinel://:pw@s1:26379/mymaster?sentinel_password=x",
		"redis+sentinel://s1:26379",
	} {
		if err := checkRedisURL(ok); err != nil {
			t.Errorf("checkRedisURL(%q): %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"redis://a:7000,b:7000/3":             "a Redis Cluster has only database 0",
		"redis://a:7000,,b:7000":              "invalid URL",
		"redis+sentinel://s1:26379/m/x":       `invalid database number "x"`,
		"redis+sentinel://s1:26379/m/1/2":     "invalid Sentinel path",
		"sentinel://:hunter2@s1:26379/m":      "must start with redis://",
		"redis+cluster://a:7000,b:7000/mymas": "must start with redis://",
	} {
		err := checkRedisURL(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkRedisURL(%q) = %v; want an error saying %q", bad, err, want)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("checkRedisURL(%q) shows the password: %v", bad, err)
		}
	}
}
