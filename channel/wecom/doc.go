// Package wecom holds everything reportbot does with 企业微信 (WeCom).
//
// Robot (webhook.go) posts to a group robot's webhook, for digests and
// alerts.
package wecom
