package demo

import (
	_ "embed"
)

// PolicyScript is the reference scenario's Redshift script.
//
//go:embed policies.sql
var PolicyScript string

// SourceKey is where the policy script's COPY reads the generated data,
// relative to the S3 root.
const SourceKey = "tipgate-demo/sales_data.csv"

// User is a demo person with the groups the identity provider gives them.
type User struct {
	Email  string
	Groups []string
	Sees   string
}

// Users are the four people of the reference scenario, and the security
// administrator who manages their policies (and reads no sales data).
func Users() []User {
	return []User{
		{Email: "ethan@example.com", Groups: []string{"exec-global"}, Sees: "every region"},
		{Email: "frank@example.com", Groups: []string{"amer-sales"}, Sees: "the Americas (America/* time zones)"},
		{Email: "alex@example.com", Groups: []string{"emea-sales"}, Sees: "Europe (Europe/* time zones)"},
		{Email: "ming@example.com", Groups: []string{"apac-sales"}, Sees: "Asia (Asia/* time zones)"},
		{Email: "sam@example.com", Groups: []string{"security-admins"}, Sees: "no sales data; security admin (sys:secadmin): SQL console, audit log, view as"},
	}
}
