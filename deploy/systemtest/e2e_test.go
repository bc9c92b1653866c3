package systemtest

// End-to-end tests of the server as the deployments run it: the binary built
// exactly as deploy/Dockerfile builds it, started as the image's user in a
// read-only directory; a SIGTERM during an upload; a ConfigMap update as the
// kubelet makes it; TLS and basic auth from a web config file.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/elf"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"golang.org/x/crypto/bcrypt"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dataset"
)

// copyBuildContext copies the repository as `docker build` would send it:
// every file but those .dockerignore excludes.
func copyBuildContext(tb testing.TB, dst string) {
	tb.Helper()
	root := kforstatstest.RepoPath(tb)
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		tb.Fatal(err)
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		tb.Fatalf(".dockerignore: %v", err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		excluded, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		if excluded {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, 0o644)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// image is what the test knows of the container image without building it.
type image struct {
	bin         string   // the binary, built by the Dockerfile's own commands
	args        []string // ENTRYPOINT (without the binary) and CMD
	healthcheck []string // the HEALTHCHECK command, without the binary
	uid, gid    int      // USER
}

// buildAsDockerfile runs the build stage's RUN commands of deploy/Dockerfile,
// word for word, in a copy of the build context, and returns the binary its
// runtime stage copies.
func buildAsDockerfile(tb testing.TB) image {
	tb.Helper()
	d := parseDockerfile(tb)
	build := d.stage(tb, "build")
	ctxDir := filepath.Join(tb.TempDir(), "src")
	copyBuildContext(tb, ctxDir)

	workdir := "/"
	env := append(os.Environ(), "VERSION=contract-test")
	for _, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			workdir = c.Path
		case *instructions.RunCommand:
			if !c.PrependShell || len(c.CmdLine) != 1 {
				tb.Fatalf("build stage: %s: want a shell-form RUN", c.String())
			}
			cmd := exec.Command("/bin/sh", "-c", c.CmdLine[0])
			cmd.Dir, cmd.Env = ctxDir, env
			if out, err := cmd.CombinedOutput(); err != nil {
				tb.Fatalf("RUN %s: %v\n%s", c.CmdLine[0], err, out)
			}
		}
	}

	img := image{args: append(slices.Clone(entrypoint(tb, d)[1:]), imageCmd(tb, d)...)}
	img.uid, img.gid = imageUser(tb, d)
	hc := commandsOf[*instructions.HealthCheckCommand](d.runtime())
	if len(hc) == 1 && len(hc[0].Health.Test) > 2 {
		img.healthcheck = hc[0].Health.Test[2:]
	}
	var copied string
	for _, c := range commandsOf[*instructions.CopyCommand](d.runtime()) {
		if c.From == "build" && c.DestPath == entrypoint(tb, d)[0] {
			copied = c.SourcePaths[0]
		}
	}
	rel, ok := strings.CutPrefix(path.Clean(copied), path.Clean(workdir)+"/")
	if !ok {
		tb.Fatalf("the runtime stage copies %q from the build stage, which is not under its WORKDIR %s", copied, workdir)
	}
	// A directory anyone may enter, as / is in the image: the test runs the
	// binary as the image's user. TempDir makes its directories 0700.
	base := tb.TempDir()
	for _, p := range []string{base, filepath.Dir(base)} {
		if err := os.Chmod(p, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	dir := filepath.Join(base, "image")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	img.bin = filepath.Join(dir, "kforstats")
	if err := os.Rename(filepath.Join(ctxDir, filepath.FromSlash(rel)), img.bin); err != nil {
		tb.Fatalf("the build made no %s: %v", rel, err)
	}
	return img
}

// containerEnv is the environment the image gives the process.
var containerEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/home/nonroot"}

// TestContainer checks the container's contract without a container
// engine: the binary built as the Dockerfile builds it is static, runs as the
// image's non-root user in a read-only directory, serves /readyz, passes
// and fails the image's health check, and shuts down cleanly on SIGTERM.
func TestContainer(t *testing.T) {
	img := buildAsDockerfile(t)

	t.Run("static binary", func(t *testing.T) {
		f, err := elf.Open(img.bin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		libs, _ := f.ImportedLibraries()
		if f.Section(".interp") != nil || len(libs) > 0 {
			t.Errorf("the binary is dynamically linked (%v): it cannot run on distroless/static", libs)
		}
	})

	t.Run("version stamped", func(t *testing.T) {
		out, err := exec.Command(img.bin, "version").Output()
		if err != nil || strings.TrimSpace(string(out)) != "kforstats contract-test" {
			t.Errorf("kforstats version = %q, %v; want the build's VERSION, contract-test", out, err)
		}
	})

	t.Run("non-root in a read-only directory", func(t *testing.T) {
		if os.Geteuid() != 0 {
			if os.Getenv("CI") == "true" {
				t.Fatal("running as the image's user needs root")
			}
			t.Skip("running as the image's user needs root")
		}
		cred := &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(img.uid), Gid: uint32(img.gid)}}
		// Beside the binary, where the image's user may enter.
		ro := filepath.Join(filepath.Dir(img.bin), "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		logs := &kforstatstest.LogWatch{}
		cmd := exec.Command(img.bin, append(slices.Clone(img.args), "--web.listen-address=127.0.0.1:0")...)
		cmd.Dir, cmd.Env, cmd.SysProcAttr, cmd.Stderr = ro, append(containerEnv, "TMPDIR="+ro), cred, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		addr := logs.WaitFor(t, kforstatstest.ListeningLine)[1]
		kforstatstest.WaitReady(t, http.DefaultClient, "http://"+addr+"/readyz")

		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		wantUID := fmt.Sprintf("Uid:\t%d\t%d\t%d\t%d", img.uid, img.uid, img.uid, img.uid)
		if !strings.Contains(string(status), wantUID) {
			t.Errorf("the server does not run as uid %d: %s", img.uid, regexp.MustCompile(`Uid:.*`).FindString(string(status)))
		}
		for _, p := range []string{"/healthz", "/readyz", "/api/v1/summary"} {
			resp, err := http.Get("http://" + addr + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %s, want 200", p, resp.Status)
			}
		}

		healthcheck := func() error {
			hc := exec.Command(img.bin, append(slices.Clone(img.healthcheck), "--url=http://"+addr+"/readyz")...)
			hc.Dir, hc.Env, hc.SysProcAttr = ro, containerEnv, cred
			out, err := hc.CombinedOutput()
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
			return nil
		}
		if err := healthcheck(); err != nil {
			t.Errorf("HEALTHCHECK on a ready server: %v, want exit 0", err)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0; log:\n%s", err, logs.String())
		}
		var exit *exec.ExitError
		if err := healthcheck(); !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("HEALTHCHECK on a stopped server: %v, want exit 1", err)
		}
		if entries, _ := os.ReadDir(ro); len(entries) > 0 {
			t.Errorf("the server wrote %d files in its working directory", len(entries))
		}
	})

	t.Run("SIGTERM during an upload", func(t *testing.T) {
		testShutdownDuringUpload(t, img.bin)
	})
}

// testShutdownDuringUpload starts the binary on port 0, begins a POST whose
// body arrives slowly, sends SIGTERM while it is in flight, and checks that
// the server stops taking connections, still answers that request in full,
// and exits 0.
func testShutdownDuringUpload(t *testing.T, bin string) {
	logs := &kforstatstest.LogWatch{}
	cmd := exec.Command(bin, "serve", "--web.listen-address=127.0.0.1:0", "--web.enable-lifecycle", "--web.shutdown-timeout=20s", "--metrics.max-age=0")
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr := logs.WaitFor(t, kforstatstest.ListeningLine)[1]
	kforstatstest.WaitReady(t, http.DefaultClient, "http://"+addr+"/readyz")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const body = "reload now"
	fmt.Fprintf(conn, "POST /-/reload HTTP/1.1\r\nHost: kforstats\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:4])
	// Go's server drops a connection whose request it reads only after
	// shutdown has begun, so the signal must come once the upload is in a
	// handler: when kfor_http_requests_in_flight counts it beside the scrape
	// that reads it.
	kforstatstest.WaitMetrics(t, "http://"+addr, "counting the upload in flight", func(m map[string]float64) bool {
		return m["kfor_http_requests_in_flight"] >= 2
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.WaitFor(t, regexp.MustCompile(`msg="shutting down"`))
	deadline := time.Now().Add(kforstatstest.WaitLimit)
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if _, err := io.WriteString(conn, body[4:]); err != nil {
		t.Fatalf("finishing the upload after SIGTERM: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the upload in flight got no response: %v; log:\n%s", err, logs.String())
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(got, []byte(`"reloaded"`)) {
		t.Errorf("POST /-/reload in flight at SIGTERM = %s %s, want 200 reloaded", resp.Status, got)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v, want exit 0; log:\n%s", err, logs.String())
	}
}

// kubeletWrite updates dir the way the kubelet updates a ConfigMap volume
// (its AtomicWriter): the files live in a timestamped directory, ..data
// links to it, each key links through ..data, and an update swaps ..data
// with one rename.
func kubeletWrite(tb testing.TB, dir, stamp string, files map[string][]byte) {
	tb.Helper()
	ts := filepath.Join(dir, ".."+stamp)
	if err := os.Mkdir(ts, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(ts, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	old, _ := os.Readlink(filepath.Join(dir, "..data"))
	tmp := filepath.Join(dir, "..data_tmp")
	if err := os.Symlink(".."+stamp, tmp); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
		tb.Fatal(err)
	}
	for name := range files {
		link := filepath.Join(dir, name)
		if _, err := os.Lstat(link); errors.Is(err, fs.ErrNotExist) {
			if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestConfigMapReload serves a dataset from a directory laid out as a
// ConfigMap volume and checks that a kubelet-style update is served without
// a restart.
func TestConfigMapReload(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range dataset.Files {
		b, err := fs.ReadFile(dataset.Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	dir := t.TempDir()
	kubeletWrite(t, dir, "2026_01_01_00_00_00.000000001", files)
	addr, logs := startServe(t, "--data.path="+dir, "--data.watch-interval=20ms")

	events := func() int {
		resp, err := http.Get("http://" + addr + "/api/v1/events")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rows []json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	before := events()

	// The update drops the last event.
	lines := bytes.SplitAfter(bytes.TrimRight(files["events.csv"], "\n"), []byte("\n"))
	files["events.csv"] = bytes.Join(lines[:len(lines)-1], nil)
	kubeletWrite(t, dir, "2026_01_01_00_01_00.000000002", files)

	logs.WaitFor(t, regexp.MustCompile(`msg="dataset reloaded"`))
	if got := events(); got != before-1 {
		t.Errorf("after the ConfigMap update GET /api/v1/events has %d events, want %d", got, before-1)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir, as
// tls.crt and tls.key (the keys of a Kubernetes TLS Secret, which
// deploy/web-config.yml names). It is valid for a year, so that a scanner
// finds it expiring no sooner than a real one.
func selfSigned(tb testing.TB, dir string) *x509.CertPool {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kforstats test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		tb.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestWebConfig serves with TLS and basic auth from deploy/web-config.yml,
// as Prometheus and its exporters do.
func TestWebConfig(t *testing.T) {
	dir := t.TempDir()
	pool := selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// The recommended file, with its basic-auth example filled in.
	cfg := filepath.Join(dir, "web-config.yml")
	text := fmt.Appendf(kforstatstest.ReadRepoFile(t, "deploy", "web-config.yml"), "basic_auth_users:\n  analyst: %s\n", hash)
	if err := os.WriteFile(cfg, text, 0o600); err != nil {
		t.Fatal(err)
	}
	addr, _ := startServe(t, "--web.config.file="+cfg)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	tests := map[string]struct {
		url        string
		user, pass string
		want       int
	}{
		"no credentials":        {url: "https://" + addr + "/readyz", want: http.StatusUnauthorized},
		"wrong password":        {url: "https://" + addr + "/readyz", user: "analyst", pass: "guess", want: http.StatusUnauthorized},
		"right password":        {url: "https://" + addr + "/readyz", user: "analyst", pass: "s3cret", want: http.StatusOK},
		"the API, authorised":   {url: "https://" + addr + "/api/v1/summary", user: "analyst", pass: "s3cret", want: http.StatusOK},
		"plain HTTP to the TLS": {url: "http://" + addr + "/readyz", user: "analyst", pass: "s3cret", want: http.StatusBadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s as %q = %s, want %d", tc.url, tc.user, resp.Status, tc.want)
			}
		})
	}

	t.Run("healthcheck with credentials in the URL", func(t *testing.T) {
		out, err := exec.Command(kforstats(t), "healthcheck", "--tls.insecure-skip-verify", "--url=https://analyst:s3cret@"+addr+"/readyz").CombinedOutput()
		if err != nil {
			t.Errorf("healthcheck: %v, want ready\n%s", err, out)
		}
	})
}

// TestWebConfigBad checks that a bad web config file stops the server at
// start, before it listens, naming the file.
func TestWebConfigBad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := map[string]struct {
		path string
		want string
	}{
		"missing":        {filepath.Join(dir, "nope.yml"), "no such file"},
		"unknown field":  {write("typo.yml", "basic_auth_user:\n  a: b\n"), "basic_auth_user"},
		"missing cert":   {write("cert.yml", "tls_server_config:\n  cert_file: none.pem\n  key_file: none.pem\n"), "none.pem"},
		"not a password": {write("hash.yml", "basic_auth_users:\n  analyst: plain\n"), "bcrypt"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			bin := kforstats(t)
			ctx, cancel := context.WithTimeout(context.Background(), kforstatstest.WaitLimit)
			defer cancel()
			var stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, "serve", "--web.listen-address=127.0.0.1:0", "--web.config.file="+tc.path)
			cmd.Stderr = &stderr
			err := cmd.Run()
			msg := exitError(stderr.String())
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(msg, tc.path) || !strings.Contains(msg, tc.want) {
				t.Errorf("serve --web.config.file=%s: %v, %q; want exit 1 and an error naming the file and %q", tc.path, err, msg, tc.want)
			}
			if strings.Contains(stderr.String(), "msg=listening") {
				t.Errorf("the server listened with a bad web config file:\n%s", stderr.String())
			}
		})
	}
}

// exitError is the error main printed last, on exit: from the last line
// that starts "kforstats: " to the end (an error may take several lines).
func exitError(stderr string) string {
	i := strings.LastIndex("\n"+stderr, "\nkforstats: ")
	if i < 0 {
		return ""
	}
	return stderr[i:]
}
