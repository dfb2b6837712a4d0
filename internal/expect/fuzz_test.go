package expect

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, returns exactly one of a file
// or an error, and that every expectation it accepts can be checked: a
// user, one subject, at least one check.
func FuzzParse(f *testing.F) {
	f.Add("[[expect]]\nuser = \"a\"\ntable = \"t\"\nrows = 1\n")
	f.Add("[[expect]]\nuser = \"AWSIDC:a@x\"\ngroups = [\"g\"]\nquery = \"SELECT 1\"\nevery_row = \"x > 1\"\n[[expect.count]]\nwhere = \"y\"\nrows = 2\n")
	f.Add("[[expect]]\nuser = \"a\"\ntable = \"t\"\nmasked = { email = \"m\" }\nrefused = [\"DELETE FROM t\"]\n")
	f.Add("[[expect]]\nuser = \"a\"\ntable = \"t\"\nevery_row = \"'; DROP\"\n")
	f.Fuzz(func(t *testing.T, text string) {
		file, err := Parse("f.toml", text)
		if (file == nil) == (err == nil) {
			t.Fatalf("Parse(%q) = %v, %v", text, file, err)
		}
		if err != nil {
			return
		}
		for _, e := range file.Expect {
			if strings.TrimSpace(e.User) == "" || (e.Table == "") == (e.Query == "") || len(e.problems()) > 0 {
				t.Fatalf("accepted an expectation that cannot be checked: %+v", e)
			}
		}
	})
}
