package text

import (
	"net/url"
	"strings"
)

// Masked replaces the secret part of a credential read back (a hook or
// callback URL): credentials are write-only.
const Masked = "********"

// MaskURL returns u as it is read back: its scheme and host, then
// "/********" in place of the path, query and fragment, where hook URLs
// carry their secrets ("https://hook.dooray.com/********"; user info is
// dropped too). A URL without
// a host is Masked alone; an empty one stays empty.
func MaskURL(u string) string {
	if u == "" {
		return ""
	}
	if p, err := url.Parse(u); err == nil && p.Scheme != "" && p.Host != "" {
		return p.Scheme + "://" + p.Host + "/" + Masked
	}
	return Masked
}

// IsMasked reports whether s is a value read back masked (it ends with
// Masked): sent back on an update, it means "keep the stored one".
func IsMasked(s string) bool { return strings.HasSuffix(s, Masked) }
