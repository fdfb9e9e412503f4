package digest

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/reportbot/reportbot/channel/wecom"

	// Asia/Shanghai must load on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Defaults of Config's zero fields.
const (
	DefaultSchedule  = "0 8 * * *"
	DefaultTimeZone  = "Asia/Shanghai"
	DefaultCatchUp   = 2 * time.Hour
	DefaultAfterLast = AfterLastRestart
	DefaultBotName   = "reportbot"
)

// What happens after the last item of the walk through the reports.
const (
	AfterLastRestart = "restart"
	AfterLastStop    = "stop"
)

// Config is the [digest] section of the configuration.
type Config struct {
	// Schedule is a cron spec: five fields (minute hour day-of-month month
	// day-of-week), six with leading seconds, or a descriptor such as
	// "@daily"; read in TimeZone. Default "0 8 * * *".
	Schedule string
	// TimeZone is an IANA zone name; default "Asia/Shanghai". It also
	// decides which date a digest belongs to.
	TimeZone string
	// CatchUp is how late a run missed while the bot was down may still
	// be sent, the same day; default 2h. A negative value means none (a run
	// is always allowed one minute of lateness).
	CatchUp time.Duration
	// StartDate (YYYY-MM-DD) is the date of issue 1. Required.
	StartDate string
	// AfterLast is "restart" (default) or "stop".
	AfterLast string
	// OverrideDir, when set, holds files named YYYY-MM-DD.md (or .txt)
	// whose text replaces that day's generated digest.
	OverrideDir string
	// Groups are WeChat group names that always get the digest; 订阅 adds
	// more at run time.
	Groups []string
	// Webhooks are 企业微信 group-robot webhook URLs by target name.
	Webhooks map[string]string
	// WeComChats are 企业微信 AI-bot chats by target name: a group's chat
	// ID, or "single:USERID" for a private chat (see WithWeComBot).
	WeComChats map[string]string
	// BotName is the bot's chat name, for the hint closing the WeChat text
	// (回复“@reportbot 问题”可查询报告); default "reportbot".
	BotName string
}

// withDefaults returns c with its zero fields set to the defaults.
func (c Config) withDefaults() Config {
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.CatchUp == 0 {
		c.CatchUp = DefaultCatchUp
	}
	if c.CatchUp < 0 {
		c.CatchUp = 0
	}
	if c.AfterLast == "" {
		c.AfterLast = DefaultAfterLast
	}
	if c.BotName == "" {
		c.BotName = DefaultBotName
	}
	return c
}

// cronParser reads what gocron's CronJob(spec, true) reads: five fields,
// six with seconds, or a descriptor.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// checked is a validated Config in usable form.
type checked struct {
	Config
	loc      *time.Location
	schedule cron.Schedule
	start    civilDate
}

// check applies the defaults and validates every key, returning all
// problems, each naming its key.
func (c Config) check() (checked, error) {
	c = c.withDefaults()
	out := checked{Config: c}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("digest.%s: %s", key, fmt.Sprintf(format, args...)))
	}

	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		bad("timezone", "unknown time zone %q", c.TimeZone)
		loc = time.UTC
	}
	out.loc = loc

	if strings.HasPrefix(c.Schedule, "TZ=") || strings.HasPrefix(c.Schedule, "CRON_TZ=") {
		bad("schedule", "%q: set the time zone with digest.timezone, not in the spec", c.Schedule)
	} else if strings.HasPrefix(c.Schedule, "@every") {
		// An interval has no fixed times, so "the run due before now" (the
		// catch-up rule) means nothing for it.
		bad("schedule", "%q: use a cron spec or @daily, not an interval", c.Schedule)
	} else if s, err := cronParser.Parse(c.Schedule); err != nil {
		bad("schedule", "%q: %v", c.Schedule, err)
	} else if s.Next(time.Now().In(loc)).IsZero() {
		bad("schedule", "%q never fires", c.Schedule)
	} else {
		out.schedule = s
	}

	if c.StartDate == "" {
		bad("start_date", "required: the date of issue 1, YYYY-MM-DD")
	} else if d, err := parseCivil(c.StartDate); err != nil {
		bad("start_date", "%q is not a date YYYY-MM-DD", c.StartDate)
	} else {
		out.start = d
	}

	if c.AfterLast != AfterLastRestart && c.AfterLast != AfterLastStop {
		bad("after_last", "%q: want %q or %q", c.AfterLast, AfterLastRestart, AfterLastStop)
	}

	if c.OverrideDir != "" {
		if fi, err := os.Stat(c.OverrideDir); err != nil {
			bad("override_dir", "%v", err)
		} else if !fi.IsDir() {
			bad("override_dir", "%s is not a folder", c.OverrideDir)
		}
	}

	seen := map[string]bool{}
	for i, g := range c.Groups {
		switch {
		case strings.TrimSpace(g) != g || g == "":
			bad("groups", "entry %d %q: empty or with surrounding spaces", i+1, g)
		case seen[g]:
			bad("groups", "%q is listed twice", g)
		}
		seen[g] = true
	}

	names := make([]string, 0, len(c.Webhooks))
	for name := range c.Webhooks {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			bad("webhooks", "a webhook has an empty name")
			continue
		}
		if err := wecom.ValidateURL(c.Webhooks[name]); err != nil {
			// The error never repeats the URL: it holds the robot's key.
			bad("webhooks."+name, "%v", err)
		}
	}
	checkChats(c.WeComChats, bad)
	return out, errors.Join(errs...)
}

// civilDate is a calendar date without a time zone.
type civilDate struct {
	Year  int
	Month time.Month
	Day   int
}

func parseCivil(s string) (civilDate, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civilDate{}, err
	}
	return civilOf(t), nil
}

func civilOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

// daysUntil is the number of days from c to d (negative when d is earlier).
func (c civilDate) daysUntil(d civilDate) int {
	a := time.Date(c.Year, c.Month, c.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

func (c civilDate) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", c.Year, c.Month, c.Day)
}
