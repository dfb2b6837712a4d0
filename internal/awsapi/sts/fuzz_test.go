package sts

import (
	"net/url"
	"strconv"
	"testing"
)

// FuzzParseForm: the awsQuery parser never panics; what it accepts has
// each parameter once, survives re-encoding unchanged, and its list
// members are numbered from 1 without gaps.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{
		"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2FR&RoleSessionName=s",
		"ProvidedContexts.member.1.ProviderArn=a&ProvidedContexts.member.1.ContextAssertion=b",
		"ProvidedContexts.member.2.ProviderArn=a", "ProvidedContexts.member.01.ProviderArn=a", "ProvidedContexts.x=1",
		"a=1&a=2", "%zz=1", "=1", "a=%ff", "a;b=c", "", "&&&", "Action",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		fm, err := parseForm([]byte(body))
		if err != nil {
			return
		}
		vals := url.Values{}
		for k, v := range fm {
			vals.Set(k, v)
		}
		again, err := parseForm([]byte(vals.Encode()))
		if err != nil || len(again) != len(fm) {
			t.Fatalf("re-encoded form refused or changed: %v", err)
		}
		for k, v := range fm {
			if again[k] != v {
				t.Fatalf("%q changed", k)
			}
		}
		ms, err := fm.members("ProvidedContexts", "ProviderArn", "ContextAssertion")
		if err != nil {
			return
		}
		for i, m := range ms {
			if len(m) == 0 {
				t.Fatalf("member %d is empty", i+1)
			}
			for field, v := range m {
				key := "ProvidedContexts.member." + strconv.Itoa(i+1) + "." + field
				if fm[key] != v {
					t.Fatalf("member %d field %s does not come from %s", i+1, field, key)
				}
			}
		}
	})
}
