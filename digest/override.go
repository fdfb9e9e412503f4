package digest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reportbot/reportbot/channel/wecom"
)

// Editing a day (the web console) writes the same override files an
// operator writes by hand: <override_dir>/YYYY-MM-DD.md with the day's text,
// an empty one to skip the day. A skipped day's edited text is kept aside
// in YYYY-MM-DD.md.skipped so that restoring the day brings it back.

// ErrNoOverrideDir means days cannot be edited: digest.override_dir is not set.
var ErrNoOverrideDir = errors.New("没有配置 digest.override_dir,不能编辑或跳过某一天")

// DayMode says where a day's digest comes from.
type DayMode string

const (
	DayGenerated DayMode = "generated" // the walk through the reports
	DayEdited    DayMode = "edited"    // an override file's text
	DaySkipped   DayMode = "skipped"   // an empty override file: no digest
)

// Editable reports whether days can be edited (override_dir is set).
func (s *Service) Editable() bool { return s.cfg.OverrideDir != "" }

// Mode says where the day's digest comes from, and the override text.
func (s *Service) Mode(day time.Time) (DayMode, string, error) {
	text, path, err := readOverride(s.cfg.OverrideDir, s.dayKey(day))
	switch {
	case err != nil:
		return "", "", err
	case path == "":
		return DayGenerated, "", nil
	case text == "":
		return DaySkipped, "", nil
	}
	return DayEdited, text, nil
}

// CheckOverride validates the text of an edited day and returns it
// cleaned (surrounding spaces trimmed, CRLF made LF). Its errors are shown
// to the person editing, hence Chinese.
func CheckOverride(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", errors.New("内容不是有效的 UTF-8 文本")
	}
	text = strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(text, "\uFEFF"), "\r\n", "\n"))
	if text == "" {
		return "", errors.New("内容是空的;不想推送这一天请用“跳过”")
	}
	if n := utf8.RuneCountInString(text); n > MaxChars {
		return "", fmt.Errorf("内容有%d字,超过了一条推送的上限%d字", n, MaxChars)
	}
	if len(text) > wecom.MaxMarkdownBytes {
		return "", fmt.Errorf("内容有%d字节,超过了企业微信一条消息的上限%d字节", len(text), wecom.MaxMarkdownBytes)
	}
	for _, r := range text {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", fmt.Errorf("内容里有控制字符 %U", r)
		}
	}
	return text, nil
}

// ComposeOverride is the digest the day would have with text as its
// override, for a preview before saving. It checks text like SaveOverride.
func (s *Service) ComposeOverride(day time.Time, text string) (Digest, error) {
	text, err := CheckOverride(text)
	if err != nil {
		return Digest{}, err
	}
	local := day.In(s.cfg.loc)
	return Digest{Day: local.Format(time.DateOnly), Issue: s.cfg.start.daysUntil(civilOf(local)) + 1, Item: -1,
		Text: text, Markdown: text, Override: s.overridePath(s.dayKey(day), ".md")}, nil
}

func (s *Service) overridePath(day, ext string) string {
	return filepath.Join(s.cfg.OverrideDir, day+ext)
}

// SaveOverride makes text the day's digest (checked by CheckOverride),
// written atomically. A skipped day becomes an edited one.
func (s *Service) SaveOverride(day time.Time, text string) error {
	if !s.Editable() {
		return ErrNoOverrideDir
	}
	text, err := CheckOverride(text)
	if err != nil {
		return err
	}
	key := s.dayKey(day)
	if err := writeAtomic(s.overridePath(key, ".md"), text+"\n"); err != nil {
		return err
	}
	s.log.Info("digest: day edited", "day", key)
	return removeIfThere(s.overridePath(key, ".txt"), s.overridePath(key, ".md.skipped"))
}

// Skip makes the day have no digest (an empty override file). Its edited
// text, if any, is kept aside for Restore.
func (s *Service) Skip(day time.Time) error {
	if !s.Editable() {
		return ErrNoOverrideDir
	}
	key := s.dayKey(day)
	mode, text, err := s.Mode(day)
	if err != nil {
		return err
	}
	if mode == DaySkipped {
		return nil
	}
	if mode == DayEdited {
		if err := writeAtomic(s.overridePath(key, ".md.skipped"), text+"\n"); err != nil {
			return err
		}
	}
	if err := writeAtomic(s.overridePath(key, ".md"), ""); err != nil {
		return err
	}
	s.log.Info("digest: day skipped", "day", key)
	return removeIfThere(s.overridePath(key, ".txt"))
}

// Restore undoes Skip: the day gets back its edited text, or the generated
// item when it had none.
func (s *Service) Restore(day time.Time) error {
	if !s.Editable() {
		return ErrNoOverrideDir
	}
	key := s.dayKey(day)
	kept, err := os.ReadFile(s.overridePath(key, ".md.skipped"))
	switch {
	case err == nil && strings.TrimSpace(string(kept)) != "":
		if err := writeAtomic(s.overridePath(key, ".md"), string(kept)); err != nil {
			return err
		}
		if err := removeIfThere(s.overridePath(key, ".md.skipped")); err != nil {
			return err
		}
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return s.Revert(day)
	default:
		return fmt.Errorf("digest %s: read the kept edit: %w", key, err)
	}
	s.log.Info("digest: day restored", "day", key)
	return nil
}

// Revert drops the day's edit or skip: the generated item is sent again.
func (s *Service) Revert(day time.Time) error {
	if !s.Editable() {
		return ErrNoOverrideDir
	}
	key := s.dayKey(day)
	if err := removeIfThere(s.overridePath(key, ".md"), s.overridePath(key, ".txt"), s.overridePath(key, ".md.skipped")); err != nil {
		return err
	}
	s.log.Info("digest: day reverted to the generated item", "day", key)
	return nil
}

// writeAtomic writes through a temporary file and a rename, so the
// scheduler never reads half a file.
func writeAtomic(path, text string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".edit-*")
	if err != nil {
		return fmt.Errorf("digest: write %s: %w", path, err)
	}
	_, werr := f.WriteString(text)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("digest: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("digest: write %s: %w", path, err)
	}
	return nil
}

func removeIfThere(paths ...string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("digest: remove %s: %w", p, err)
		}
	}
	return nil
}
