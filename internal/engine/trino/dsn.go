package trino

import (
	"errors"
	"net/url"
	"strings"
)

// ParseDSN reads the one string that names a Trino warehouse, for
// `[warehouse] dsn` and `tipgate sql|demo --engine trino --dsn`:
//
//	https://USER:PASSWORD@HOST:PORT/CATALOG/SCHEMA?rules_path=FILE&store=POSTGRES_URL[&ca_cert=FILE]
//
// USER and PASSWORD are tipgate's service user; rules_path is the file the
// coordinator's file-based access control reads; store is the PostgreSQL
// database (postgres://…, URL-encoded) that holds the policy catalog. The
// DSN holds passwords: never log it, and errors never quote it.
func ParseDSN(dsn string) (Options, error) {
	const form = "want https://user:password@host:port/catalog/schema?rules_path=FILE&store=postgres://… (docs/trino.md)"
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return Options{}, errors.New("trino: the DSN does not parse: " + form)
	}
	if u.Scheme != "https" {
		return Options{}, errors.New("trino: the DSN must be https:// (Trino takes passwords over HTTPS only): " + form)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return Options{}, errors.New("trino: the DSN names no catalog and schema: " + form)
	}
	q := u.Query()
	o := Options{
		URL:       "https://" + u.Host,
		User:      u.User.Username(),
		Catalog:   parts[0],
		Schema:    parts[1],
		RulesPath: q.Get("rules_path"),
		StoreDSN:  q.Get("store"),
		CACert:    q.Get("ca_cert"),
	}
	o.Password, _ = u.User.Password()
	if o.User == "" || o.RulesPath == "" || o.StoreDSN == "" {
		return Options{}, errors.New("trino: the DSN lacks the service user, rules_path or store: " + form)
	}
	for k := range q {
		if k != "rules_path" && k != "store" && k != "ca_cert" {
			return Options{}, errors.New("trino: the DSN has an unknown parameter " + k + ": " + form)
		}
	}
	return o, nil
}

// ServiceDSN is the trino-go-client DSN of o's service user, with o's
// catalog and schema as the session's defaults: for tools that compare
// tipgate with the same cluster queried directly (bench/enforce). It holds
// the password: never log it.
func ServiceDSN(o Options) (string, error) { return serviceDSN(o) }
