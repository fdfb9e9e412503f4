package digest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/reportbot/reportbot/channel/wecom"
	"github.com/reportbot/reportbot/digest"
)

// chatSender stands in for the AI bot's connection; fail, when set, decides
// each push's error. (channel/wecom's TestWeComBotE2EDigestPushedToChat
// runs the digest against the real client and a fake 企业微信.)
type chatSender struct {
	mu     sync.Mutex
	pushed map[string][]string
	fail   func(chat string) error
}

func (s *chatSender) SendToChat(_ context.Context, chat, markdown string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		if err := s.fail(chat); err != nil {
			return err
		}
	}
	if s.pushed == nil {
		s.pushed = map[string][]string{}
	}
	s.pushed[chat] = append(s.pushed[chat], markdown)
	return nil
}

func (s *chatSender) count(chat string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pushed[chat])
}

func TestDigestWeComChatsExactlyOncePerTarget(t *testing.T) {
	f := newFixture(t)
	f.cfg.Groups, f.cfg.Webhooks = nil, nil
	f.cfg.WeComChats = map[string]string{"office": "wrkOffice", "head": wecom.SinglePrefix + "zhangsan", "lost": "wrkLost"}
	day := at(2, 8, 0)

	// Outside serve there is no connection: a dry run says so, a push fails
	// with the reason and nothing is recorded as sent.
	cli := f.service(nil)
	out, err := cli.Send(context.Background(), day, "", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if !strings.HasPrefix(o.Target, digest.WeComBotPrefix) || !strings.Contains(o.Reason, "not connected") {
			t.Fatalf("dry run without the bot: %+v", o)
		}
	}
	out, err = cli.Send(context.Background(), day, "office", false)
	if err != nil || out[0].Result != digest.ResultFailed {
		t.Fatalf("push without the bot: %v %+v", err, out)
	}

	// serve: "lost" goes out but its acknowledgement never comes back.
	lostTries := 0
	bot := &chatSender{fail: func(chat string) error {
		if chat == "wrkLost" {
			lostTries++
			return fmt.Errorf("wecom: send to chat: %w", wecom.ErrMaybeDelivered)
		}
		return nil
	}}
	svc := f.service(nil, digest.WithWeComBot(bot))
	for range 2 {
		if _, err := svc.Send(context.Background(), day, "", false); err != nil {
			t.Fatal(err)
		}
	}
	if bot.count("wrkOffice") != 1 || bot.count(wecom.SinglePrefix+"zhangsan") != 1 || lostTries != 1 {
		t.Fatalf("pushes %v and %d tries of the lost one, want one per chat", bot.pushed, lostTries)
	}
	wantStates(t, status(t, svc, day), map[string]digest.State{
		"wecombot:office": digest.StateSent, "wecombot:head": digest.StateSent, "wecombot:lost": digest.StateUnknown,
	})
}
