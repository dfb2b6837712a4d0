package devtls

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/tipgate/tipgate/internal/secretfile"
)

// Files are the paths of what Ensure keeps in its directory.
type Files struct {
	CACert, CAKey         string // the authority: clients trust CACert
	ServerCert, ServerKey string // what the server presents
}

// FilesIn names the files in dir.
func FilesIn(dir string) Files {
	return Files{CACert: filepath.Join(dir, "ca.pem"), CAKey: filepath.Join(dir, "ca-key.pem"),
		ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem")}
}

// hostName is the DNS name the server certificate is for.
const hostName = "localhost"

// hostIPs are the addresses the server certificate is for.
func hostIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback} }

const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 397 * 24 * time.Hour // the longest browsers accept
	// renewBefore: a server certificate this close to its end is issued
	// anew (by the same CA, so clients keep trusting it).
	renewBefore = 30 * 24 * time.Hour
)

// Ensure returns dir's CA and server certificate, creating what is
// missing: the CA once (a CA file without its key, or the reverse, is an
// error rather than silently replaced: clients trust it), the server
// certificate whenever it is missing, not signed by that CA, or within 30
// days of its end. Directory 0700, keys 0600; a key readable by others is
// refused.
func Ensure(dir string, now time.Time) (Files, error) {
	f := FilesIn(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("devtls: %w", err)
	}
	ca, caKey, err := loadOrCreateCA(f, now)
	if err != nil {
		return f, err
	}
	if ok, err := serverCertValid(f, ca, now); err != nil {
		return f, err
	} else if ok {
		return f, nil
	}
	if err := issueServer(f, ca, caKey, now); err != nil {
		return f, err
	}
	return f, nil
}

func loadOrCreateCA(f Files, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	_, certErr := os.Stat(f.CACert)
	_, keyErr := os.Stat(f.CAKey)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return createCA(f, now)
	case certErr != nil || keyErr != nil:
		return nil, nil, fmt.Errorf("devtls: %s and %s must both exist or both be absent (delete both to make a new CA, which clients must trust again): %w",
			f.CACert, f.CAKey, errors.Join(certErr, keyErr))
	}
	ca, err := readCert(f.CACert)
	if err != nil {
		return nil, nil, err
	}
	key, err := readKey(f.CAKey)
	if err != nil {
		return nil, nil, err
	}
	if !ca.IsCA || !key.PublicKey.Equal(ca.PublicKey) {
		return nil, nil, fmt.Errorf("devtls: %s is not a CA certificate of the key in %s", f.CACert, f.CAKey)
	}
	if now.After(ca.NotAfter) {
		return nil, nil, fmt.Errorf("devtls: the local CA %s expired on %s: delete %s and %s to make a new one", f.CACert, ca.NotAfter.Format(time.DateOnly), f.CACert, f.CAKey)
	}
	return ca, key, nil
}

func createCA(f Files, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"tipgate development"}, CommonName: "tipgate local CA " + host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs server certificates only
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("devtls: CA certificate: %w", err)
	}
	if err := writeKey(f.CAKey, key); err != nil {
		return nil, nil, err
	}
	if err := writePEM(f.CACert, "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

// serverCertValid reports whether the server certificate exists, is
// signed by ca, covers every host and is not about to end.
func serverCertValid(f Files, ca *x509.Certificate, now time.Time) (bool, error) {
	if _, err := os.Stat(f.ServerCert); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	cert, err := readCert(f.ServerCert)
	if err != nil {
		return false, err
	}
	if _, err := readKey(f.ServerKey); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, err
	}
	if _, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey); err != nil {
		return false, nil // a certificate of another key: issue both anew
	}
	if cert.CheckSignatureFrom(ca) != nil || now.Add(renewBefore).After(cert.NotAfter) {
		return false, nil
	}
	if cert.VerifyHostname(hostName) != nil {
		return false, nil
	}
	for _, ip := range hostIPs() {
		if cert.VerifyHostname(ip.String()) != nil {
			return false, nil
		}
	}
	return true, nil
}

func issueServer(f Files, ca *x509.Certificate, caKey *ecdsa.PrivateKey, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := newSerial()
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"tipgate development"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{hostName},
		IPAddresses:  hostIPs(),
	}
	if tmpl.NotAfter.After(ca.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("devtls: server certificate: %w", err)
	}
	if err := writeKey(f.ServerKey, key); err != nil {
		return err
	}
	return writePEM(f.ServerCert, "CERTIFICATE", der, 0o644)
}

func newSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devtls: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("devtls: %s is not a PEM CERTIFICATE", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devtls: %s: %w", path, err)
	}
	return c, nil
}

func readKey(path string) (*ecdsa.PrivateKey, error) {
	der, err := secretfile.ReadPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("devtls: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("devtls: %s: %w", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("devtls: %s is not an ECDSA key", path)
	}
	return ek, nil
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

// writePEM writes the file whole or not at all, with mode perm from the
// start (a key is never readable by others, even briefly).
func writePEM(path, blockType string, der []byte, perm os.FileMode) error {
	var b bytes.Buffer
	if err := pem.Encode(&b, &pem.Block{Type: blockType, Bytes: der}); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("devtls: %w", err)
	}
	name := tmp.Name()
	_, err = tmp.Write(b.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, perm)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("devtls: write %s: %w", path, err)
	}
	return nil
}
