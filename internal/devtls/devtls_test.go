package devtls

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve answers "ok" over HTTPS with the directory's server certificate.
func serve(t *testing.T, f Files) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }),
		ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)} // refused handshakes are the point
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func pool(t *testing.T, f Files) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(f.CACert)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		t.Fatal("ca.pem has no certificate")
	}
	return p
}

// TestRealTLSClients: a client trusting only the CA reaches the server at
// localhost and 127.0.0.1, not under another name; a client with the
// system roots alone refuses it.
func TestRealTLSClients(t *testing.T) {
	f, err := Ensure(filepath.Join(t.TempDir(), "tls"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	port := serve(t, f)
	trusting := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool(t, f)}}}
	system := &http.Client{Timeout: 5 * time.Second}
	for _, tc := range []struct {
		name, host string
		client     *http.Client
		wantErr    string
	}{
		{"CA trusted, localhost", "localhost", trusting, ""},
		{"CA trusted, 127.0.0.1", "127.0.0.1", trusting, ""},
		{"CA trusted, another name", "tipgate.example", trusting, "certificate is valid for"},
		{"system roots only", "127.0.0.1", system, "certificate signed by unknown authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "https://"+net.JoinHostPort(tc.host, port)+"/", nil)
			c := tc.client
			if tc.host == "tipgate.example" { // the right server under a name it was not issued for
				tr := c.Transport.(*http.Transport).Clone()
				tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, "127.0.0.1:"+port)
				}
				c = &http.Client{Timeout: c.Timeout, Transport: tr}
			}
			resp, err := c.Do(req)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return
			}
			if err == nil {
				resp.Body.Close()
				t.Fatalf("connected, want %q", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	// Python and curl (OpenSSL) with the variables demo.env sets.
	for _, tc := range []struct {
		tool string
		args []string
		env  string
	}{
		{"curl", []string{"-sS", "--fail", "https://localhost:" + port + "/"}, "CURL_CA_BUNDLE"},
		{"python3", []string{"-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen('https://127.0.0.1:" + port + "/').read().decode())"}, "SSL_CERT_FILE"},
	} {
		if _, err := exec.LookPath(tc.tool); err != nil {
			t.Logf("%s not installed: skipped", tc.tool)
			continue
		}
		for _, trust := range []bool{true, false} {
			cmd := exec.CommandContext(t.Context(), tc.tool, tc.args...)
			cmd.Env = append(os.Environ(), "SSL_CERT_FILE=", "CURL_CA_BUNDLE=")
			if trust {
				cmd.Env = append(cmd.Env, tc.env+"="+f.CACert)
			}
			out, err := cmd.CombinedOutput()
			if trust && (err != nil || string(out) != "ok") {
				t.Errorf("%s with %s: %v\n%s", tc.tool, tc.env, err, out)
			}
			if !trust && err == nil {
				t.Errorf("%s without the CA connected: %s", tc.tool, out)
			}
		}
	}
}

// TestCreatedOnce: a second start reuses the CA and the server certificate;
// keys are owner-only; a server certificate near its end is issued anew by
// the same CA.
func TestCreatedOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	f, err := Ensure(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ca, srv := read(f.CACert), read(f.ServerCert)
	for p, want := range map[string]os.FileMode{f.CAKey: 0o600, f.ServerKey: 0o600, f.CACert: 0o644, f.ServerCert: 0o644, dir: 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), st.Mode().Perm(), want)
		}
	}
	if _, err := Ensure(dir, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(f.CACert), ca) || !bytes.Equal(read(f.ServerCert), srv) {
		t.Error("a second Ensure replaced the certificates")
	}
	if _, err := Ensure(dir, now.Add(serverLifetime-renewBefore+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(f.CACert), ca) {
		t.Error("renewing the server certificate replaced the CA")
	}
	if bytes.Equal(read(f.ServerCert), srv) {
		t.Error("a server certificate within 30 days of its end was kept")
	}
	serve(t, f) // the renewed pair loads
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(f Files) error
		wantErr string
	}{
		{"CA key readable by others", func(f Files) error { return os.Chmod(f.CAKey, 0o644) }, "readable by others"},
		{"CA key missing", func(f Files) error { return os.Remove(f.CAKey) }, "must both exist or both be absent"},
		{"CA certificate not PEM", func(f Files) error { return os.WriteFile(f.CACert, []byte("nope"), 0o644) }, "is not a PEM CERTIFICATE"},
		{"server key readable by others", func(f Files) error { return os.Chmod(f.ServerKey, 0o640) }, "readable by others"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tls")
			f, err := Ensure(dir, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.mutate(f); err != nil {
				t.Fatal(err)
			}
			_, err = Ensure(dir, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
