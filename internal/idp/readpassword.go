package idp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// maxPasswordLine bounds what ReadPassword reads from a pipe.
const maxPasswordLine = 4096

// ReadPassword reads one password for "tipgate idp hash-password": without
// echo from a terminal (asking twice and writing prompts to prompt), or the
// first line of anything else, such as a pipe. An empty password is an error.
func ReadPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		a, err := readNoEcho(f, prompt, "Password: ")
		if err != nil {
			return "", err
		}
		b, err := readNoEcho(f, prompt, "Again: ")
		if err != nil {
			return "", err
		}
		if a != b {
			return "", errors.New("passwords do not match")
		}
		return a, nonEmpty(a)
	}
	line, err := bufio.NewReader(io.LimitReader(in, maxPasswordLine)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if err != nil && len(line) == maxPasswordLine {
		return "", fmt.Errorf("password longer than %d bytes", maxPasswordLine-1)
	}
	pw := strings.TrimRight(line, "\r\n")
	return pw, nonEmpty(pw)
}

func readNoEcho(f *os.File, prompt io.Writer, label string) (string, error) {
	fmt.Fprint(prompt, label)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	return string(b), err
}

func nonEmpty(pw string) error {
	if pw == "" {
		return errors.New("empty password")
	}
	return nil
}
