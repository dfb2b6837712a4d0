package cliauth

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a token that must not be printed. fmt (every verb) and slog
// show it as [REDACTED]; Reveal returns the value for the one place that
// sends it. encoding/json stores the real value: the session file needs it.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string { return redacted }

// Format covers every fmt verb, including %d and %#v.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue covers slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

var (
	_ slog.LogValuer = Secret("")
	_ fmt.Formatter  = Secret("")
	_ fmt.Stringer   = Secret("")
)
