package config

import "time"

// Console is the publicity team's web console (package console).
type Console struct {
	// Addr is host:port of the console: "" turns it off; the same value as
	// ops.addr serves it on the ops endpoints' address.
	Addr string `toml:"addr" check:"addr"`
	// URL is the console's address as its users reach it, for the sign-in
	// links of `reportbot console adduser`; default http://<addr>.
	URL string `toml:"url"`
	// Secret signs the sign-in links (at least 32 characters); "" means no
	// links. Set it through REPORTBOT_CONSOLE_SECRET rather than the file.
	Secret string `toml:"secret"`
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration `toml:"session_ttl" check:"positive"`
	// LinkTTL is how long a sign-in link stays usable.
	LinkTTL time.Duration `toml:"link_ttl" check:"positive"`
	// SecureCookies marks the cookies Secure: set it behind HTTPS.
	SecureCookies bool `toml:"secure_cookies"`
	// Users are name = "password hash" (from `reportbot console passwd NAME`).
	Users map[string]string `toml:"users"`
}

// defaultConsole is the [console] section's defaults: off.
func defaultConsole() Console {
	return Console{SessionTTL: 12 * time.Hour, LinkTTL: 24 * time.Hour}
}
