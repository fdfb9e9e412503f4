// Package wecom holds everything reportbot does with 企业微信 (WeCom):
//
//   - Client (client.go): the 智能机器人 (AI bot) on its WebSocket long
//     connection: it subscribes with the bot ID and secret, pings every 30 s,
//     reconnects with backoff and jitter, answers group @-mentions and private
//     chats with the chat core (replies routed by req_id), and pushes digests
//     and alerts to chats by chat ID (aibot_send_msg).
//   - Callback (callback.go, crypto.go): the same AI bot in callback (HTTPS)
//     mode, for units that must not open outgoing connections, with the
//     message crypto written on the standard library.
//   - Robot (webhook.go): the outgoing group-robot webhook.
//
// protocol.go maps both AI-bot modes onto bot.Message: the chat is
// ChatName(chat ID) in a group and ChatName(user ID) in a private chat, the
// sender is the user ID (assigned by the enterprise, so it is stable and
// cannot be chosen by the user), and the message ID, scoped by the bot ID,
// is de-duplicated by the chat core's store across processes.
package wecom
