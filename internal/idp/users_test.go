package idp

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

const testdataDir = "../../testdata/idp"

func TestLoadUsersGood(t *testing.T) {
	users, err := LoadUsers(filepath.Join(testdataDir, "users.good.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 4 || users[3].Email != "ming@example.com" || users[3].Groups[0] != "apac-sales" || users[3].GivenName != "Ming" {
		t.Fatalf("users = %+v", users)
	}
	// The file holds fixed argon2id and bcrypt vectors for "demo-password".
	for _, u := range users {
		if !verifyPassword(u.PasswordHash, "demo-password") {
			t.Errorf("%s: demo-password does not verify against %.10s…", u.Email, u.PasswordHash)
		}
		if verifyPassword(u.PasswordHash, "demo-passwore") {
			t.Errorf("%s: a wrong password verifies", u.Email)
		}
	}
}

// TestLoadUsersBad checks each *.bad.toml fails with every message listed in
// its "# want:" lines.
func TestLoadUsersBad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testdataDir, "*.bad.toml"))
	if len(files) == 0 {
		t.Fatal("no bad files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadUsers(f)
			if err == nil {
				t.Fatal("loaded without error")
			}
			wants := wantLines(t, f)
			if len(wants) == 0 {
				t.Fatal("file has no # want: lines")
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "fxNg3sig") || strings.Contains(err.Error(), "8fQ7khq0") {
				t.Errorf("error reveals a password hash:\n%v", err)
			}
		})
	}
}

func wantLines(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wants []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			wants = append(wants, w)
		}
	}
	return wants
}

func TestPasswordHashes(t *testing.T) {
	const pw = "s3cret-Pässword"
	argon, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	b2b := "$2b$" + strings.TrimPrefix(string(bc), "$2a$")
	for _, tc := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"argon2id right", argon, pw, true},
		{"argon2id wrong", argon, pw + "x", false},
		{"argon2id empty", argon, "", false},
		{"bcrypt $2a$ right", string(bc), pw, true},
		{"bcrypt $2b$ right", b2b, pw, true},
		{"bcrypt wrong", string(bc), "S3cret-Pässword", false},
		{"argon2id tampered hash", argon[:len(argon)-2] + "AA", pw, false},
		{"argon2id absurd memory", strings.Replace(argon, "m=19456", "m=4294967295", 1), pw, false},
		{"argon2i is not argon2id", strings.Replace(argon, "$argon2id$", "$argon2i$", 1), pw, false},
		{"plain text is not a hash", pw, pw, false},
		{"empty hash", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := verifyPassword(tc.hash, tc.password); got != tc.want {
				t.Fatalf("verifyPassword = %v, want %v", got, tc.want)
			}
		})
	}
	if a2, _ := HashPassword(pw); a2 == argon {
		t.Error("two hashes of one password are equal: salt not random")
	}
	if !strings.HasPrefix(argon, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format %q", argon)
	}
	if _, err := HashPassword(""); err == nil {
		t.Error("empty password hashed")
	}
}

func TestDemoUsers(t *testing.T) {
	users, err := testUsers()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ethan@example.com": "exec-global", "frank@example.com": "amer-sales", "alex@example.com": "emea-sales", "ming@example.com": "apac-sales",
		"sam@example.com": "security-admins"}
	if len(users) != len(want) || len(validateUsers(users)) != 0 {
		t.Fatalf("demo users = %+v", users)
	}
	for _, u := range users {
		if len(u.Groups) != 1 || want[u.Email] != u.Groups[0] || u.GivenName == "" || u.FamilyName == "" || !verifyPassword(u.PasswordHash, demoPassword) {
			t.Errorf("demo user %s = %+v", u.Email, u)
		}
	}
}

func TestReadPasswordFromPipe(t *testing.T) {
	for _, tc := range []struct{ name, in, want, wantErr string }{
		{"line", "pw one\nignored\n", "pw one", ""},
		{"no newline", "pw", "pw", ""},
		{"crlf", "pw\r\n", "pw", ""},
		{"empty", "\n", "", "empty password"},
		{"too long", strings.Repeat("x", 5000), "", "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadPassword(strings.NewReader(tc.in), nil)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) || (err == nil && got != tc.want) {
				t.Fatalf("got %q, %v; want %q, %q", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func FuzzParseUsers(f *testing.F) {
	for _, name := range []string{"users.good.toml", "duplicates.bad.toml", "bad-hash.bad.toml", "unknown-key.bad.toml"} {
		data, err := os.ReadFile(filepath.Join(testdataDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("[[users]]\nemail='a@b'\ngiven_name='A'\nfamily_name='B'\npassword_hash='$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := parseUsers(data)
		if err != nil {
			return
		}
		if len(users) == 0 {
			t.Fatal("no error and no users")
		}
		seen := map[string]bool{}
		for _, u := range users {
			email := strings.ToLower(u.Email)
			if !strings.Contains(email, "@") || seen[email] || checkHash(u.PasswordHash) != nil {
				t.Fatalf("accepted invalid user %+v", u)
			}
			seen[email] = true
		}
	})
}
