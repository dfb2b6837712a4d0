package sts

import (
	"regexp"
	"strconv"
	"time"
)

var reSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func required(f form, names ...string) *stsError {
	for _, n := range names {
		if f[n] == "" {
			return errMissing(n)
		}
	}
	return nil
}

func roleARN(f form) *stsError {
	if n := len(f["RoleArn"]); n < 20 || n > 2048 {
		return errValidation("1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048")
	}
	return nil
}

func sessionName(f form) (string, *stsError) {
	s := f["RoleSessionName"]
	if !reSessionName.MatchString(s) {
		return "", errValidation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*")
	}
	return s, nil
}

// duration reads DurationSeconds (default 1 h) within 900 s and max.
func duration(f form, max time.Duration) (time.Duration, *stsError) {
	raw, ok := f["DurationSeconds"]
	if !ok {
		return min(time.Hour, max), nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, errValidation("1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must be an integer")
	}
	if n < 900 || n > 43200 {
		return 0, errValidation("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", n)
	}
	d := time.Duration(n) * time.Second
	if d > max {
		return 0, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

// unsupported refuses parameters that would narrow or annotate a session
// in ways tipgate does not implement: ignoring a session policy would
// grant more than the caller asked for.
func unsupported(f form, names ...string) *stsError {
	for _, n := range names {
		if f.has(n) {
			return errInvalidParam("tipgate does not support the %s parameter", n)
		}
	}
	return nil
}
