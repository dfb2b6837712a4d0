package idp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters used by HashPassword: the OWASP password storage
// recommendation (19 MiB, two passes, one lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Bounds on parameters read from a users file, so a typo cannot make a
// single login allocate gigabytes or spin for minutes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 16
)

// ErrBadHash reports a password_hash that is neither bcrypt nor an argon2id
// PHC string with acceptable parameters.
var ErrBadHash = errors.New("password hash is neither bcrypt ($2a$/$2b$/$2y$) nor argon2id ($argon2id$v=19$m=…,t=…,p=…$salt$hash)")

// HashPassword returns an argon2id PHC string for pw:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("empty password")
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("generate salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return encodeArgon2id(argonParams{memory: argonMemoryKiB, time: argonTime, threads: argonThreads, salt: salt, key: key}), nil
}

type argonParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func encodeArgon2id(p argonParams) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(p.salt), b64.EncodeToString(p.key))
}

// parseArgon2id parses and bounds-checks an argon2id PHC string.
func parseArgon2id(s string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, ErrBadHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, fmt.Errorf("%w: unsupported version %q", ErrBadHash, parts[2])
	}
	var seen [3]bool
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, fmt.Errorf("%w: bad parameter %q", ErrBadHash, kv)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%w: bad parameter %q", ErrBadHash, kv)
		}
		var i int
		switch k {
		case "m":
			i, p.memory = 0, uint32(n)
		case "t":
			i, p.time = 1, uint32(n)
		case "p":
			if n > 255 {
				return p, fmt.Errorf("%w: p out of range", ErrBadHash)
			}
			i, p.threads = 2, uint8(n)
		default:
			return p, fmt.Errorf("%w: unknown parameter %q", ErrBadHash, k)
		}
		if seen[i] {
			return p, fmt.Errorf("%w: repeated parameter %q", ErrBadHash, k)
		}
		seen[i] = true
	}
	switch {
	case !seen[0] || !seen[1] || !seen[2]:
		return p, fmt.Errorf("%w: m, t and p are all required", ErrBadHash)
	case p.threads < 1 || p.time < 1 || p.time > maxArgonTime:
		return p, fmt.Errorf("%w: t must be 1..%d and p at least 1", ErrBadHash, maxArgonTime)
	case p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemoryKiB:
		return p, fmt.Errorf("%w: m must be between 8*p and %d KiB", ErrBadHash, maxArgonMemoryKiB)
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, fmt.Errorf("%w: salt must be unpadded base64 of at least 8 bytes", ErrBadHash)
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, fmt.Errorf("%w: hash must be unpadded base64 of 16 to 64 bytes", ErrBadHash)
	}
	return p, nil
}

// checkHash validates the format of a stored password hash without
// computing anything expensive.
func checkHash(encoded string) error {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		_, err := parseArgon2id(encoded)
		return err
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		if _, err := bcrypt.Cost([]byte(encoded)); err != nil {
			return fmt.Errorf("%w: %v", ErrBadHash, err)
		}
		return nil
	}
	return ErrBadHash
}

// verifyPassword reports whether pw matches encoded. Both algorithms compare
// in constant time; a malformed hash never matches.
func verifyPassword(encoded, pw string) bool {
	if strings.HasPrefix(encoded, "$argon2id$") {
		p, err := parseArgon2id(encoded)
		if err != nil {
			return false
		}
		got := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
		return subtle.ConstantTimeCompare(got, p.key) == 1
	}
	if checkHash(encoded) != nil {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(encoded), []byte(pw)) == nil
}
