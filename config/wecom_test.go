package config

import (
	"strings"
	"testing"
)

func TestWeComBotNeedsItsKeysOnlyWhenEnabled(t *testing.T) {
	secret := "a-secret-that-must-not-show"
	cases := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"REPORTBOT_WECOM_BOT_ENABLED": "true"},
			[]string{"wecom_bot.bot_id: required in websocket mode", "wecom_bot.secret: required in websocket mode"}},
		{map[string]string{"REPORTBOT_WECOM_BOT_ENABLED": "true", "REPORTBOT_WECOM_BOT_MODE": "callback", "REPORTBOT_WECOM_BOT_ENCODING_AES_KEY": secret},
			[]string{"wecom_bot.token: required in callback mode", "wecom_bot.encoding_aes_key: callback mode needs the 43-character EncodingAESKey"}},
		{map[string]string{"REPORTBOT_WECOM_BOT_URL": "https://openws.work.weixin.qq.com"},
			[]string{"REPORTBOT_WECOM_BOT_URL: must be a wss:// URL"}},
	}
	for _, c := range cases {
		_, err := Load("", envOf(c.env))
		if err == nil {
			t.Errorf("%v loaded", c.env)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%v: error %q lacks %q", c.env, err, want)
			}
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error repeats a secret: %v", err)
		}
	}
	c, err := Load("", envOf(map[string]string{"REPORTBOT_WECOM_BOT_ENABLED": "true", "REPORTBOT_WECOM_BOT_BOT_ID": "aib", "REPORTBOT_WECOM_BOT_SECRET": secret}))
	if err != nil || !c.WeComBot.Enabled || c.WeComBot.Secret != secret {
		t.Fatalf("a complete websocket section: %v", err)
	}
}

func TestTableEntriesFromFileAndSet(t *testing.T) {
	c, err := Load(writeConfig(t, "[digest.wecom_chats]\npub = \"wrkPub\"\n[digest.webhooks]\nteam = \"https://t.example/x\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("digest.wecom_chats.head", "single:zhangsan"); err != nil {
		t.Fatal(err)
	}
	if got := c.Digest.WeComChats; got["pub"] != "wrkPub" || got["head"] != "single:zhangsan" || len(got) != 2 {
		t.Fatalf("digest.wecom_chats = %v", got)
	}
	if err := c.Set("digest.webhooks.other", "ftp://x"); err == nil || !strings.Contains(err.Error(), "digest.webhooks.other: must be an https://") {
		t.Fatalf("bad webhook entry: %v", err)
	}
}
