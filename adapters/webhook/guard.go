package webhook

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked marks a target the SSRF guard refused (SEC-2): a loopback,
// link-local (the cloud metadata address 169.254.169.254 among them),
// private, unique-local, shared (100.64.0.0/10), unspecified, multicast or
// otherwise reserved address that no allow-list entry covers, or a host
// written as an ambiguous number ("2130706433", "0177.0.0.1").
var ErrBlocked = errors.New("forbidden: the callback target is not a public address")

// blockedPrefixes are the ranges beyond what netip.Addr's predicates name.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: may embed any IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: embeds an IPv4
	netip.MustParsePrefix("2001::/32"),       // Teredo: embeds an IPv4
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
}

// Guard decides which addresses a callback may reach (SEC-2). The zero
// Guard refuses every non-public address; Allow opens prefixes of it (an
// on-premise receiver, a test server).
type Guard struct {
	// Allow lists prefixes that are reached even though they are not
	// public, e.g. 10.20.0.0/16 or 127.0.0.1/32.
	Allow []netip.Prefix
}

// Permits reports whether a callback may connect to a (an IPv4-mapped
// IPv6 address counts as its IPv4 address).
func (g Guard) Permits(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return public(a)
}

// public reports whether a is a public unicast address.
func public(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// control is the dialer's check of the address it is about to connect
// to, after name resolution: no DNS answer can slip past it (no
// rebinding gap), and it runs for every connection, redirects included.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBlocked, address)
	}
	if !g.Permits(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr().Unmap())
	}
	return nil
}

// CheckURL checks a callback URL before any connection: http or https, a
// host, no user info, and a host that is a name or a canonical IP address
// the guard permits. Names are checked again, on every address they
// resolve to, when connecting.
func (g Guard) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid: callback URL: %w", err)
	}
	return g.checkURL(u)
}

func (g Guard) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid: callback URL: scheme %q: http or https only", u.Scheme)
	}
	if u.User != nil {
		return errors.New("invalid: callback URL: user info is not allowed")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("invalid: callback URL: no host")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !g.Permits(a) {
			return fmt.Errorf("%w: %s", ErrBlocked, a.Unmap())
		}
		return nil
	}
	if numeric(host) {
		// inet_aton forms some resolvers accept: decimal, octal, hex,
		// fewer than four parts. Never what a receiver means.
		return fmt.Errorf("%w: %q is a number, not a canonical address", ErrBlocked, host)
	}
	return nil
}

// numeric reports whether host is made of numbers and dots only (hex
// digits after 0x included): an IPv4 address in a form other than the
// canonical dotted quad.
func numeric(host string) bool {
	for _, part := range strings.Split(host, ".") {
		p := strings.ToLower(part)
		if rest, ok := strings.CutPrefix(p, "0x"); ok {
			p = rest
			if strings.Trim(p, "0123456789abcdef") != "" {
				return false
			}
			continue
		}
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// dialer returns a net.Dialer whose connections the guard checks.
func (g Guard) dialer() *net.Dialer {
	return &net.Dialer{Control: g.control}
}

// Client returns an HTTP client whose every connection and redirect the
// guard checks, without a proxy; timeout bounds each call, at most
// maxRedirects redirects are followed, and tlsConfig (nil: the defaults)
// configures TLS. adapters/dooray posts through one.
func (g Guard) Client(timeout time.Duration, maxRedirects int, tlsConfig *tls.Config) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:       tlsConfig,
		Proxy:                 nil, // a proxy would connect for us, past the guard
		DialContext:           g.dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("invalid: more than %d redirects", maxRedirects)
		}
		return g.checkURL(req.URL)
	}}
}

// Refused reports whether err is the guard's refusal, or the refusal of
// a redirect: retrying cannot help.
func Refused(err error) bool {
	var ue *url.Error
	return errors.Is(err, ErrBlocked) || (errors.As(err, &ue) && ue.Err != nil && strings.HasPrefix(ue.Err.Error(), "invalid: "))
}
