package config

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is a validated tipgate.toml. Zero sections mean "not configured";
// every field has its default filled in.
type Config struct {
	Server    Server
	Warehouse Warehouse
	DataAPI   DataAPI
	AWSAPI    AWSAPI
	IDP       IDP
	Identity  Identity
	Sessions  Sessions
	Web       Web
	Store     Store
}

// rawConfig mirrors the file. Sections are added here and in Config.
type rawConfig struct {
	Server    rawServer    `toml:"server"`
	Warehouse rawWarehouse `toml:"warehouse"`
	DataAPI   rawDataAPI   `toml:"dataapi"`
	AWSAPI    rawAWSAPI    `toml:"awsapi"`
	IDP       rawIDP       `toml:"idp"`
	Identity  rawIdentity  `toml:"identity"`
	Sessions  rawSessions  `toml:"sessions"`
	Web       rawWeb       `toml:"web"`
	Store     rawStore     `toml:"store"`
}

// Load reads and validates the file at path. Problems are prefixed with
// the path so the operator knows which file to fix.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a tipgate.toml document. A non-nil error is
// an *Error listing every problem found.
func Parse(b []byte) (*Config, error) {
	var raw rawConfig
	md, err := toml.Decode(string(b), &raw)
	if err != nil {
		// A syntax error leaves nothing reliable to validate.
		return nil, &Error{Problems: []Problem{{Key: "", Msg: strings.TrimPrefix(err.Error(), "toml: ")}}}
	}
	var p problems
	for _, k := range unknownKeys(md) {
		p.add(k, "unknown key")
	}
	c := &Config{
		Server:    raw.Server.validate(&p, "server"),
		Warehouse: raw.Warehouse.validate(&p, "warehouse"),
		DataAPI:   raw.DataAPI.validate(&p, "dataapi"),
		AWSAPI:    raw.AWSAPI.validate(&p, "awsapi"),
		IDP:       raw.IDP.validate(&p, "idp"),
		Identity:  raw.Identity.validate(&p, "identity"),
		Sessions:  raw.Sessions.validate(&p, "sessions"),
		Web:       raw.Web.validate(&p, "web"),
		Store:     raw.Store.validate(&p, "store"),
	}
	if len(p) > 0 {
		slices.SortStableFunc(p, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
		return nil, &Error{Problems: p}
	}
	return c, nil
}

// unknownKeys lists undecoded keys, dropping those below another unknown
// key: one typo in a table name is one problem, not one per entry.
func unknownKeys(md toml.MetaData) []string {
	var out []string
	for _, k := range md.Undecoded() {
		s := k.String()
		covered := false
		for _, prev := range out {
			if strings.HasPrefix(s, prev+".") {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}
