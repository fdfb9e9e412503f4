package ops

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"
)

func TestHealthzShowsEachChannel(t *testing.T) {
	cases := []struct {
		name     string
		channels []ChannelStatus
		code     int
	}{
		{"both up", []ChannelStatus{{Name: "wechat", Up: true}, {Name: "wecom_bot", Up: true}}, 200},
		{"one down", []ChannelStatus{{Name: "wechat", Up: false, Detail: "logged out"}, {Name: "wecom_bot", Up: true}}, 503},
		{"none configured", []ChannelStatus{}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := Handler(Handlers{Health: func(context.Context) HealthStatus {
				return HealthStatus{Redis: RedisOK, Channels: tc.channels}
			}}, nil)
			r := get(t, h, "/healthz")
			if r.status != tc.code {
				t.Fatalf("status %d, want %d: %s", r.status, tc.code, r.raw)
			}
			got, _ := r.body["channels"].([]any)
			if len(got) != len(tc.channels) {
				t.Fatalf("channels %s", r.raw)
			}
			for i, c := range tc.channels {
				m := got[i].(map[string]any)
				if m["name"] != c.Name || m["up"] != c.Up {
					t.Fatalf("channel %d: %v", i, m)
				}
			}
		})
	}
}

func TestMetricsPerChannel(t *testing.T) {
	m := &Metrics{}
	var wecomUp atomic.Bool
	wechat := m.Channel("wechat", func() bool { return true })
	wecom := m.Channel("wecom_bot", wecomUp.Load)
	wechat.MessageReceived()
	wechat.ReplySent()
	wechat.QueueDepth(3)
	wecom.MessageReceived()
	wecom.MessageReceived()
	wecom.SendFailed()
	var nilChannel *ChannelMetrics
	nilChannel.MessageReceived() // no panic

	var buf bytes.Buffer
	if err := m.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	e := parseExposition(t, buf.String())
	want := map[string]float64{
		`reportbot_messages_received_total`:                              3,
		`reportbot_replies_sent_total`:                                   1,
		`reportbot_send_errors_total`:                                    1,
		`reportbot_send_queue_depth`:                                     3,
		`reportbot_channel_up{channel="wechat"}`:                         1,
		`reportbot_channel_up{channel="wecom_bot"}`:                      0,
		`reportbot_channel_messages_received_total{channel="wechat"}`:    1,
		`reportbot_channel_messages_received_total{channel="wecom_bot"}`: 2,
		`reportbot_channel_replies_sent_total{channel="wecom_bot"}`:      0,
		`reportbot_channel_send_errors_total{channel="wecom_bot"}`:       1,
		`reportbot_channel_send_queue_depth{channel="wechat"}`:           3,
	}
	for k, v := range want {
		if got, ok := e.samples[k]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
		}
	}
	wecomUp.Store(true)
	buf.Reset()
	m.WritePrometheus(&buf)
	if e := parseExposition(t, buf.String()); e.samples[`reportbot_channel_up{channel="wecom_bot"}`] != 1 {
		t.Error("reportbot_channel_up does not follow the channel")
	}
}
