package tempcreds

import (
	"crypto/sha256"
	"regexp"
	"strings"
)

var reRoleARN = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/((?:[\x21-\x7e]*/)?([\w+=,.@-]{1,64}))$`)

// ParseRoleARN returns the account and role name of an IAM role ARN
// ("arn:aws:iam::123456789012:role/path/Name").
func ParseRoleARN(arn string) (account, name string, ok bool) {
	m := reRoleARN.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[3], true
}

// RoleName is the last path element of a role ARN.
func RoleName(roleARN string) string {
	_, n, ok := ParseRoleARN(roleARN)
	if !ok {
		return roleARN[strings.LastIndex(roleARN, "/")+1:]
	}
	return n
}

// AssumedRoleARN is the ARN of a role session:
// arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
func AssumedRoleARN(roleARN, session string) string {
	acct, name, _ := ParseRoleARN(roleARN)
	return "arn:aws:sts::" + acct + ":assumed-role/" + name + "/" + session
}

// RoleID is the role's stable unique id ("AROA" and 17 characters), the
// part before ":" of AssumedRoleId. AWS assigns it at role creation; tipgate
// derives it from the ARN so every replica agrees.
func RoleID(roleARN string) string { return uniqueID("AROA", roleARN) }

// UserID is the same for an IAM user ARN ("AIDA…").
func UserID(userARN string) string { return uniqueID("AIDA", userARN) }

func uniqueID(prefix, arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return prefix + akidEncoding.EncodeToString(sum[:])[:17]
}
