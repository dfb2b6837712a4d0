package idp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// usersFile is the on-disk shape of a users file.
type usersFile struct {
	Users []struct {
		Email        string   `toml:"email"`
		GivenName    string   `toml:"given_name"`
		FamilyName   string   `toml:"family_name"`
		Groups       []string `toml:"groups"`
		PasswordHash string   `toml:"password_hash"`
	} `toml:"users"`
}

// maxUsersFile bounds the size of a users file.
const maxUsersFile = 4 << 20

// LoadUsers reads a TOML users file:
//
//	[[users]]
//	email = "ming@example.com"
//	given_name = "Ming"
//	family_name = "Apac"
//	groups = ["apac-sales"]
//	password_hash = "$argon2id$v=19$m=19456,t=2,p=1$…$…"
//
// Unknown keys, missing fields, duplicate emails and malformed hashes are
// errors; all problems are reported together.
func LoadUsers(path string) ([]User, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	users, err := parseUsers(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return users, nil
}

func parseUsers(data []byte) ([]User, error) {
	if len(data) > maxUsersFile {
		return nil, fmt.Errorf("users file larger than %d bytes", maxUsersFile)
	}
	var f usersFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, fmt.Errorf("unknown key %q", k.String()))
	}
	users := make([]User, 0, len(f.Users))
	for _, u := range f.Users {
		users = append(users, User{Email: u.Email, GivenName: u.GivenName, FamilyName: u.FamilyName, Groups: u.Groups, PasswordHash: u.PasswordHash})
	}
	if len(users) == 0 {
		errs = append(errs, errors.New("no [[users]]"))
	}
	errs = append(errs, validateUsers(users)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return users, nil
}

// validateUsers reports every problem with users. Messages never include a
// password hash.
func validateUsers(users []User) []error {
	var errs []error
	seen := map[string]bool{}
	for i, u := range users {
		where := fmt.Sprintf("users[%d] (%s)", i, u.Email)
		add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(where+": "+format, args...)) }
		email := strings.ToLower(u.Email)
		local, domain, ok := strings.Cut(email, "@")
		switch {
		case !ok || local == "" || domain == "" || strings.ContainsAny(email, " \t\r\n<>\"") || strings.Count(email, "@") != 1:
			add("email must look like name@domain")
		case seen[email]:
			add("duplicate email")
		}
		seen[email] = true
		if u.GivenName == "" || u.FamilyName == "" {
			add("given_name and family_name are required")
		}
		groups := map[string]bool{}
		for _, g := range u.Groups {
			switch {
			case strings.TrimSpace(g) != g || g == "":
				add("group %q: must be non-empty without surrounding spaces", g)
			case groups[g]:
				add("group %q listed twice", g)
			}
			groups[g] = true
		}
		if u.PasswordHash == "" {
			add("password_hash is required")
		} else if err := checkHash(u.PasswordHash); err != nil {
			add("password_hash: %v", err)
		}
	}
	return errs
}

// DemoUsers returns the four demo users, all with the given password:
// ethan@example.com (exec-global), frank@example.com (amer-sales),
// alex@example.com (emea-sales) and ming@example.com (apac-sales).
func DemoUsers(password string) ([]User, error) {
	users := []User{
		{Email: "ethan@example.com", GivenName: "Ethan", FamilyName: "Exec", Groups: []string{"exec-global"}},
		{Email: "frank@example.com", GivenName: "Frank", FamilyName: "Amer", Groups: []string{"amer-sales"}},
		{Email: "alex@example.com", GivenName: "Alex", FamilyName: "Emea", Groups: []string{"emea-sales"}},
		{Email: "ming@example.com", GivenName: "Ming", FamilyName: "Apac", Groups: []string{"apac-sales"}},
		{Email: "sam@example.com", GivenName: "Sam", FamilyName: "Secadmin", Groups: []string{"security-admins"}},
	}
	for i := range users {
		h, err := HashPassword(password)
		if err != nil {
			return nil, err
		}
		users[i].PasswordHash = h
	}
	return users, nil
}
