package ops

import (
	"bufio"
	"strconv"
	"sync"
	"sync/atomic"
)

// ChannelStatus is one chat channel (WeChat, the 企业微信 AI bot) in
// /healthz.
type ChannelStatus struct {
	Name string `json:"name"`
	// Up: logged in (WeChat), connected (AI bot, websocket mode) or
	// listening (AI bot, callback mode).
	Up bool `json:"up"`
	// Detail says why a channel is down, when it knows.
	Detail string `json:"detail,omitempty"`
}

// ChannelMetrics counts what one chat channel does. Its counts also go
// into the Metrics totals. Like Metrics, a nil *ChannelMetrics ignores the
// calls.
type ChannelMetrics struct {
	parent *Metrics
	name   string
	up     func() bool

	received   atomic.Uint64
	sent       atomic.Uint64
	sendErrors atomic.Uint64
	queueDepth atomic.Int64
}

// channelSet holds the channels of a Metrics in the order they were added.
type channelSet struct {
	mu   sync.Mutex
	list []*ChannelMetrics
}

// Channel adds a chat channel to the metrics and returns its counters; up
// reports whether it is up now (nil: always).
func (m *Metrics) Channel(name string, up func() bool) *ChannelMetrics {
	if m == nil {
		return nil
	}
	c := &ChannelMetrics{parent: m, name: name, up: up}
	m.channels.mu.Lock()
	m.channels.list = append(m.channels.list, c)
	m.channels.mu.Unlock()
	return c
}

// MessageReceived counts one incoming chat message.
func (c *ChannelMetrics) MessageReceived() {
	if c != nil {
		c.received.Add(1)
		c.parent.MessageReceived()
	}
}

// ReplySent counts one message delivered to a chat.
func (c *ChannelMetrics) ReplySent() {
	if c != nil {
		c.sent.Add(1)
		c.parent.ReplySent()
	}
}

// SendFailed counts one failed send attempt.
func (c *ChannelMetrics) SendFailed() {
	if c != nil {
		c.sendErrors.Add(1)
		c.parent.SendFailed()
	}
}

// QueueDepth sets how many replies wait in the channel's send queue.
func (c *ChannelMetrics) QueueDepth(n int) {
	if c != nil {
		c.queueDepth.Store(int64(n))
	}
}

func (m *Metrics) channelList() []*ChannelMetrics {
	m.channels.mu.Lock()
	defer m.channels.mu.Unlock()
	return append([]*ChannelMetrics(nil), m.channels.list...)
}

// queueDepthTotal is the depth set directly plus every channel's.
func (m *Metrics) queueDepthTotal() int64 {
	n := m.queueDepth.Load()
	for _, c := range m.channelList() {
		n += c.queueDepth.Load()
	}
	return n
}

// writeChannels writes the per-channel families, labelled by channel.
func (m *Metrics) writeChannels(bw *bufio.Writer, family func(name, typ, help string)) {
	list := m.channelList()
	if len(list) == 0 {
		return
	}
	each := func(name, typ, help string, value func(*ChannelMetrics) string) {
		family(name, typ, help)
		for _, c := range list {
			bw.WriteString(name + `{channel="` + c.name + `"} ` + value(c) + "\n")
		}
	}
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	each("reportbot_channel_up", "gauge", "1 when the chat channel is logged in, connected or listening.", func(c *ChannelMetrics) string {
		if c.up == nil || c.up() {
			return "1"
		}
		return "0"
	})
	each("reportbot_channel_messages_received_total", "counter", "Chat messages received, by channel.", func(c *ChannelMetrics) string { return u(c.received.Load()) })
	each("reportbot_channel_replies_sent_total", "counter", "Chat messages sent, by channel.", func(c *ChannelMetrics) string { return u(c.sent.Load()) })
	each("reportbot_channel_send_errors_total", "counter", "Failed send attempts, by channel.", func(c *ChannelMetrics) string { return u(c.sendErrors.Load()) })
	each("reportbot_channel_send_queue_depth", "gauge", "Messages waiting in the channel's send queue.", func(c *ChannelMetrics) string {
		return strconv.FormatInt(c.queueDepth.Load(), 10)
	})
}
