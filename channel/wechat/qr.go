package wechat

import (
	"fmt"

	"github.com/mdp/qrterminal/v3"
	"github.com/skip2/go-qrcode"
)

// showQR shows the login QR code of uuid: in the log (its URL), on
// QRWriter (drawn with text blocks) and as a PNG at QRPNGPath.
func (c *Client) showQR(uuid string) {
	url := qrURLPrefix + uuid
	c.log.Warn("WeChat login needed: scan the QR code with the bot's WeChat account", "url", url, "png", c.opts.QRPNGPath)
	if path := c.opts.QRPNGPath; path != "" {
		if err := qrcode.WriteFile(url, qrcode.Medium, 320, path); err != nil {
			c.log.Error("write the login QR code as PNG", "path", path, "err", err)
		}
	}
	if w := c.opts.QRWriter; w != nil {
		fmt.Fprintf(w, "\nScan with WeChat to log in the bot account %q:\n", c.opts.Account)
		qrterminal.GenerateHalfBlock(url, qrterminal.L, w)
		fmt.Fprintf(w, "%s\n\n", url)
	}
}
