package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// The helpers below turn a raw TOML value into a typed one, recording a
// problem instead of stopping so that one run reports everything.

func str(p *problems, key string, v any, def string) string {
	if v == nil {
		return def
	}
	s, ok := v.(string)
	if !ok {
		p.add(key, "must be a string, not %s", tomlType(v))
		return def
	}
	return s
}

func boolean(p *problems, key string, v any, def bool) bool {
	if v == nil {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		p.add(key, "must be a boolean, not %s", tomlType(v))
		return def
	}
	return b
}

func strList(p *problems, key string, v any) []string {
	if v == nil {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		p.add(key, "must be an array of strings, not %s", tomlType(v))
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.add(fmt.Sprintf("%s[%d]", key, i), "must be a string, not %s", tomlType(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

// duration accepts Go duration strings ("90m", "1h30m"); TOML has no
// duration type and bare integers would hide their unit.
func duration(p *problems, key string, v any, def time.Duration) (time.Duration, bool) {
	if v == nil {
		return def, false
	}
	s, ok := v.(string)
	if !ok {
		p.add(key, "must be a duration string such as \"1h\" or \"90m\", not %s", tomlType(v))
		return def, true
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.add(key, "%q is not a duration (use e.g. \"1h\" or \"90m\")", s)
		return def, true
	}
	return d, true
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a datetime"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// issuerURL checks an OpenID issuer identifier: absolute, no query or
// fragment (OpenID Connect Discovery §2), https except on loopback where
// development IdPs run without certificates.
func issuerURL(p *problems, key, s string) {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		p.add(key, "%q is not an absolute URL", s)
		return
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") {
		p.add(key, "must not have a query or fragment")
	}
	if u.User != nil {
		p.add(key, "must not contain user information")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			p.add(key, "must use https (http is allowed only for loopback hosts)")
		}
	default:
		p.add(key, "must use https, not %q", u.Scheme)
	}
}

// IsLoopbackHost reports whether host (no port) names this machine, the
// only place tipgate accepts plain-http issuers.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
