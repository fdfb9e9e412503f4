package digest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportbot/reportbot/digest"
)

func TestDigestEditSkipRestoreRevert(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	f.cfg.OverrideDir = dir
	s := f.service(f.sender())
	day := at(3, 8, 0)
	mode := func() (digest.DayMode, string) {
		t.Helper()
		m, text, err := s.Mode(day)
		if err != nil {
			t.Fatal(err)
		}
		return m, text
	}
	generated, err := s.Compose(day)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := mode(); m != digest.DayGenerated {
		t.Fatalf("mode %s before any edit", m)
	}

	if err := s.SaveOverride(day, "  特别推送\r\n第二行  "); err != nil {
		t.Fatal(err)
	}
	if m, text := mode(); m != digest.DayEdited || text != "特别推送\n第二行" {
		t.Errorf("after saving: %s %q", m, text)
	}
	if d, err := s.Compose(day); err != nil || d.Text != "特别推送\n第二行" || d.Override != filepath.Join(dir, "2026-12-03.md") {
		t.Errorf("compose after saving: %+v, %v", d, err)
	}

	if err := s.Skip(day); err != nil {
		t.Fatal(err)
	}
	if m, _ := mode(); m != digest.DaySkipped {
		t.Errorf("after skipping: %s", m)
	}
	if _, err := s.Compose(day); !errors.Is(err, digest.ErrNoDigest) {
		t.Errorf("compose of a skipped day: %v, want ErrNoDigest", err)
	}
	if err := s.Skip(day); err != nil {
		t.Errorf("skipping twice: %v", err)
	}
	if err := s.Restore(day); err != nil {
		t.Fatal(err)
	}
	if m, text := mode(); m != digest.DayEdited || text != "特别推送\n第二行" {
		t.Errorf("restore did not bring the edit back: %s %q", m, text)
	}

	if err := s.Skip(day); err != nil {
		t.Fatal(err)
	}
	if err := s.Revert(day); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Compose(day); err != nil || d.Text != generated.Text {
		t.Errorf("after reverting: %q, %v; want the generated text", d.Text, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left after reverting: %v", entries)
	}
	// Restoring a day that was never skipped leaves it generated.
	if err := s.Restore(day); err != nil {
		t.Fatal(err)
	}
	if m, _ := mode(); m != digest.DayGenerated {
		t.Errorf("restore of a generated day: %s", m)
	}

	f.cfg.OverrideDir = ""
	ro := f.service(f.sender())
	for name, err := range map[string]error{"save": ro.SaveOverride(day, "x"), "skip": ro.Skip(day), "restore": ro.Restore(day), "revert": ro.Revert(day)} {
		if !errors.Is(err, digest.ErrNoOverrideDir) {
			t.Errorf("%s without override_dir: %v", name, err)
		}
	}
}

func TestDigestCheckOverride(t *testing.T) {
	for name, tc := range map[string]struct {
		in, want, err string
	}{
		"ok":      {in: "\uFEFF 今日推送\r\n数字:200列 ", want: "今日推送\n数字:200列"},
		"empty":   {in: " \n\t", err: "空的"},
		"long":    {in: strings.Repeat("长", digest.MaxChars+1), err: "601字"},
		"control": {in: "a\x07b", err: "控制字符"},
		"binary":  {in: "\xff\xfe", err: "UTF-8"},
		"emoji":   {in: "👍 好", want: "👍 好"},
	} {
		got, err := digest.CheckOverride(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %q, %v; want %q", name, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err %v, want one saying %q", name, err, tc.err)
		}
	}
}

// imageSender is a WeChat channel that also sends images.
type imageSender struct {
	*sender
	images map[string]int
}

func (s *imageSender) SendImageToGroup(_ context.Context, group string, png []byte) error {
	if len(png) == 0 {
		return errors.New("empty image")
	}
	s.images[group]++
	return nil
}

func TestDigestCardsFollowTheText(t *testing.T) {
	f := newFixture(t)
	ws := &imageSender{sender: f.sender(), images: map[string]int{}}
	var cards []digest.CardContent
	fail := false
	render := func(c digest.CardContent) ([]byte, error) {
		if fail {
			return nil, errors.New("font broken")
		}
		cards = append(cards, c)
		return []byte("\x89PNG\r\n\x1a\nfake"), nil
	}
	s := f.service(ws, digest.WithCards(render))
	outs, err := s.Send(context.Background(), at(2, 8, 0), "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Result != digest.ResultSent || o.Reason != "" {
			t.Errorf("%s: %s %q", o.Target, o.Result, o.Reason)
		}
	}
	wantCounts(t, f, 1, 1, 1)
	if ws.images["群A"] != 1 || ws.images["群B"] != 1 || f.robot.images != 1 {
		t.Errorf("cards: 群A %d, 群B %d, robot %d; want one each", ws.images["群A"], ws.images["群B"], f.robot.images)
	}
	if len(cards) == 0 || !strings.Contains(cards[0].Head, "第2期") || cards[0].Place == "" || cards[0].Report == nil || cards[0].Body == "" {
		t.Errorf("card content %+v", cards)
	}

	// A card that cannot be drawn leaves the text sent, says why, and is
	// not retried: the target is not sent again.
	fail = true
	outs, err = s.Send(context.Background(), at(3, 8, 0), "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outs {
		if o.Result != digest.ResultSent || !strings.Contains(o.Reason, "picture card not sent: font broken") {
			t.Errorf("%s: %s %q; want sent, naming the card", o.Target, o.Result, o.Reason)
		}
	}
	wantStates(t, status(t, s, at(3, 8, 0)), map[string]digest.State{"wechat:群A": digest.StateSent, "wechat:群B": digest.StateSent, "wecom:team": digest.StateSent})
	outs, _ = s.Send(context.Background(), at(3, 8, 0), "", false)
	for _, o := range outs {
		if o.Result != digest.ResultAlreadySent {
			t.Errorf("%s sent again after a failed card: %s", o.Target, o.Result)
		}
	}
	// A WeChat channel without images: the text goes, the card is named.
	fail = false
	plain := f.service(f.sender(), digest.WithCards(render))
	outs, _ = plain.Send(context.Background(), at(4, 8, 0), "wechat:群A", false)
	if len(outs) != 1 || outs[0].Result != digest.ResultSent || !strings.Contains(outs[0].Reason, "cannot send images") {
		t.Errorf("plain WeChat channel: %+v", outs)
	}
}

func TestDigestCardOfOverride(t *testing.T) {
	f := newFixture(t)
	f.cfg.OverrideDir = t.TempDir()
	s := f.service(f.sender())
	day := at(5, 8, 0)
	if err := s.SaveOverride(day, "**特别推送**\n> 中欧班列\n全年到发<font color=\"warning\">200列以上</font>"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Compose(day)
	if err != nil {
		t.Fatal(err)
	}
	c := s.CardOf(d)
	if c.Body != "特别推送\n中欧班列\n全年到发200列以上" || c.Place != "" || c.Report != nil {
		t.Errorf("override card: %+v", c)
	}
	if len(c.Figures) != 1 || c.Figures[0] != "200列以上" {
		t.Errorf("override card figures %q, want 200列以上", c.Figures)
	}
	if !strings.Contains(c.Head, "第5期") || !strings.Contains(c.Hint, "@reportbot") {
		t.Errorf("override card head %q hint %q", c.Head, c.Hint)
	}
}
