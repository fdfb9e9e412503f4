// Package config loads reportbot's configuration: one TOML file, then
// REPORTBOT_* environment variables, then command-line flags (through Set),
// each overriding the one before, on top of the defaults.
//
// Every key is described once, by the struct tags of Config; the file
// decoder, the environment overrides and Set all walk the same table, so a
// new key needs nothing but a field (and a line in reportbot.example.toml,
// which a test enforces).
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"

	// The machine running the bot may lack /usr/share/zoneinfo; embedding
	// the database keeps "Asia/Shanghai" loadable everywhere.
	_ "time/tzdata"
)

// Config is the whole configuration. The toml tags are the keys of the file;
// the check tags name the validation each value gets (see checks.go).
type Config struct {
	Bot    Bot    `toml:"bot"`
	Corpus Corpus `toml:"corpus"`
	Redis  Redis  `toml:"redis"`
	WeChat WeChat `toml:"wechat"`
	// WeComBot is the 企业微信 AI bot channel (config/wecom.go).
	WeComBot WeComBot `toml:"wecom_bot"`
	Ops      Ops      `toml:"ops"`
	Digest   Digest   `toml:"digest"`
	Console  Console  `toml:"console"`
}

// Bot is how the chat core behaves.
type Bot struct {
	// Name is the bot's chat name; group messages must @ it.
	Name string `toml:"name" check:"nonempty"`
	// Prefix, when set, makes group messages starting with it answered
	// without an @ (e.g. "问").
	Prefix string `toml:"prefix"`
	// Admins are the remark names (备注) the bot's account gives the
	// contacts allowed to run the admin commands (统计, 重载, 订阅, 退订,
	// 今日推送预览); display names never count (docs/config.md, "Admins").
	Admins []string `toml:"admins"`
	// Groups is the allowlist of group names; empty means every group.
	Groups []string `toml:"groups"`
	// SessionTTL is how long 更多 / 详情N remember the last question.
	SessionTTL    time.Duration `toml:"session_ttl" check:"positive"`
	MaxReplyChars int           `toml:"max_reply_chars" check:"positive"`
	MaxReplyParts int           `toml:"max_reply_parts" check:"positive"`
	// Timezone decides which day a question counts for in 统计.
	Timezone  TimeZone `toml:"timezone" check:"timezone"`
	UserRate  Rate     `toml:"user_rate"`
	GroupRate Rate     `toml:"group_rate"`
}

// Corpus is where the reports come from.
type Corpus struct {
	// Dir is a folder of reports; empty means the embedded 2022 report.
	Dir string `toml:"dir"`
	// IndexDir keeps the search index on disk across runs; empty means
	// an in-memory index built at start.
	IndexDir string `toml:"index_dir"`
	// Thesaurus is an extra thesaurus file, added to the built-in one.
	Thesaurus string `toml:"thesaurus"`
}

// Redis is the shared state store.
type Redis struct {
	// URL is redis://[user:password@]host:port/db or rediss://...; empty
	// means in-memory state (not shared, lost on restart).
	URL string `toml:"url" check:"redis_url"`
}

// WeChat is the WeChat channel.
type WeChat struct {
	// Enabled runs the WeChat channel in serve (default true).
	Enabled bool `toml:"enabled"`
	// Account names the login session kept in Redis; one per bot account.
	Account      string        `toml:"account" check:"nonempty"`
	SendInterval time.Duration `toml:"send_interval" check:"nonnegative"`
	SendJitter   time.Duration `toml:"send_jitter" check:"nonnegative"`
	// QRPNG, when set, is where the login QR code is also written as PNG.
	QRPNG string `toml:"qr_png"`
	// AlertWebhook is a 企业微信 group-robot URL told about logouts.
	AlertWebhook string `toml:"alert_webhook" check:"http_url"`
}

// Ops is the HTTP endpoint for health, metrics and /api/ask.
type Ops struct {
	// Addr is host:port to listen on; empty disables the endpoints.
	Addr string `toml:"addr" check:"addr"`
}

// Digest is the daily digest.
type Digest struct {
	Enabled bool `toml:"enabled"`
	// Schedule is a five-field cron spec (minute hour day month weekday)
	// or a descriptor such as "@daily", read in Timezone.
	Schedule string   `toml:"schedule" check:"cron"`
	Timezone TimeZone `toml:"timezone" check:"timezone"`
	// CatchUp is how late a missed run may still be sent the same day;
	// 0 sends nothing that was missed.
	CatchUp time.Duration `toml:"catch_up" check:"nonnegative"`
	// StartDate (YYYY-MM-DD) is the date of issue 1 and the first item of
	// the walk through the reports. Required when Enabled.
	StartDate string `toml:"start_date" check:"date"`
	// AfterLast is what happens after the last item: "restart" or "stop".
	AfterLast string `toml:"after_last" check:"oneof=restart stop"`
	// OverrideDir holds files named YYYY-MM-DD.md that replace that day's
	// generated digest.
	OverrideDir string `toml:"override_dir"`
	// Groups are WeChat group names that get the digest (订阅 adds more at
	// run time).
	Groups []string `toml:"groups"`
	// Webhooks are 企业微信 group-robot URLs by target name.
	Webhooks map[string]string `toml:"webhooks" check:"http_url"`
	// WeComChats are 企业微信 AI-bot chats by target name: a chat ID, or
	// single:USERID.
	WeComChats map[string]string `toml:"wecom_chats"`
	// Cards sends each target the day's picture card after the text.
	Cards bool `toml:"cards"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Bot: Bot{
			Name:          "reportbot",
			SessionTTL:    30 * time.Minute,
			MaxReplyChars: 600,
			MaxReplyParts: 3,
			Timezone:      "Asia/Shanghai",
			UserRate:      Rate{Burst: 5, Period: time.Minute},
			GroupRate:     Rate{Burst: 20, Period: time.Minute},
		},
		WeChat: WeChat{
			Enabled:      true,
			Account:      "default",
			SendInterval: time.Second,
			SendJitter:   500 * time.Millisecond,
		},
		WeComBot: defaultWeComBot(),
		Ops:      Ops{Addr: "127.0.0.1:8080"},
		Digest: Digest{
			Schedule:  "0 8 * * *",
			Timezone:  "Asia/Shanghai",
			CatchUp:   2 * time.Hour,
			AfterLast: "restart",
			Cards:     true,
		},
		Console: defaultConsole(),
	}
}

//go:embed reportbot.example.toml
var example string

// Example returns the commented example configuration file. Every key is in
// it, set to its default value.
func Example() string { return example }

// EnvConfigPath names the environment variable giving the config file path
// when Load gets none.
const EnvConfigPath = "REPORTBOT_CONFIG"

// Load builds the configuration from the defaults, the TOML file at path,
// and the environment read through getenv, then validates it.
//
// An empty path means no file, unless getenv(EnvConfigPath) names one.
// getenv may be nil (no environment); an empty variable counts as unset.
// All problems found are returned together, each naming the file key or
// the environment variable at fault.
func Load(path string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if path == "" {
		path = getenv(EnvConfigPath)
	}
	c := Default()
	var fileErr error
	if path != "" {
		fileErr = c.loadFile(path)
	}
	// Report a bad environment alongside a bad file, so one start shows
	// every problem.
	if err := errors.Join(fileErr, c.applyEnv(getenv)); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Set sets the dotted key (such as "redis.url") from its string form, as a
// flag or environment variable gives it, and checks the value like the file
// loader does. Lists are comma-separated; tables such as digest.webhooks
// take "name=URL,name=URL", and "digest.webhooks.NAME" sets one entry. Call
// Validate after the last Set to check the rules spanning several keys.
func (c *Config) Set(key, value string) error {
	if f, name, ok := tableEntry(key); ok {
		m := map[string]string{}
		for k, v := range f.value(c).(map[string]string) {
			m[k] = v
		}
		m[name] = strings.TrimSpace(value)
		if err := f.assign(c, m); err != nil {
			return keyError(f.key, err)
		}
		return nil
	}
	f, ok := fieldByKey[key]
	if !ok {
		return unknownKeyError(key)
	}
	if err := f.setString(c, value); err != nil {
		return keyError(key, err)
	}
	return nil
}

// Validate checks every value and the rules spanning several keys. Load
// calls it; call it again after Set.
func (c *Config) Validate() error {
	var errs []error
	for _, f := range fields {
		if err := f.check(f.value(c)); err != nil {
			errs = append(errs, keyError(f.key, err))
		}
	}
	if c.Digest.Enabled && c.Digest.StartDate == "" {
		errs = append(errs, errors.New("digest.start_date: required when digest.enabled is true (the date of issue 1, YYYY-MM-DD)"))
	}
	errs = append(errs, c.WeComBot.validate()...)
	return errors.Join(errs...)
}

// Keys lists every dotted key, in file order.
func Keys() []string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return keys
}

// EnvVar returns the environment variable overriding key, e.g.
// "REPORTBOT_REDIS_URL" for "redis.url", or "" for an unknown key.
func EnvVar(key string) string {
	f, ok := fieldByKey[key]
	if !ok {
		return ""
	}
	return f.env
}

// tableEntry finds the table-valued key an entry key such as
// "digest.webhooks.team" belongs to, and the entry's name.
func tableEntry(key string) (*field, string, bool) {
	for i := range fields {
		f := &fields[i]
		if name, ok := strings.CutPrefix(key, f.key+"."); ok && f.kind == kindMap && name != "" {
			return f, name, true
		}
	}
	return nil, "", false
}

// entryError is a problem with one entry of a table-valued key, such as
// one webhook of digest.webhooks.
type entryError struct {
	name string
	err  error
}

func (e entryError) Error() string { return e.name + ": " + e.err.Error() }
func (e entryError) Unwrap() error { return e.err }

// keyError prefixes err with the dotted key it is about, naming the entry
// too when the problem is inside a table ("digest.webhooks.team: ...").
func keyError(key string, err error) error {
	var ee entryError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s.%s: %w", key, ee.name, ee.err)
	}
	return fmt.Errorf("%s: %w", key, err)
}
