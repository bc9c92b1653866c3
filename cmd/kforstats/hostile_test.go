package main

// Hostile clients against the server as serve runs it, over a real
// listener on loopback: what net/http refuses before the router sees it
// (oversized headers, slow or silent clients) and what the router refuses
// (path traversal as sent on the wire, oversized bodies).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// rawRequest sends text on a new connection to addr and reads one answer.
func rawRequest(tb testing.TB, addr, text string) (*http.Response, []byte) {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(kforstatstest.WaitLimit))
	// Write while reading: the server may answer, and stop reading, before
	// all is sent.
	go func() { _, _ = io.WriteString(conn, text) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tb.Fatalf("no answer to %.60q: %v", text, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

// TestOversizedHeaders: a request whose headers pass --web's limit
// (64 KiB) gets 431 from net/http, without reaching a handler.
func TestOversizedHeaders(t *testing.T) {
	addr, _ := startServe(t)
	tests := map[string]string{
		"one 1 MB header":       "GET / HTTP/1.1\r\nHost: kforstats\r\nX-Big: " + strings.Repeat("a", 1<<20) + "\r\n\r\n",
		"10,000 small headers":  "GET / HTTP/1.1\r\nHost: kforstats\r\n" + strings.Repeat("X-A: b\r\n", 10000) + "\r\n",
		"a 100 KB query string": "GET /api/v1/summary?q=" + strings.Repeat("x", 100<<10) + " HTTP/1.1\r\nHost: kforstats\r\n\r\n",
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			resp, _ := rawRequest(t, addr, req)
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("%s: %s, want 431", name, resp.Status)
			}
		})
	}
	// The server is still there for everyone else.
	kforstatstest.WaitReady(t, http.DefaultClient, "http://"+addr+"/readyz")
}

// TestOversizedBodies: a body over the limit is refused with 413 as soon as
// its headers say so, and the connection is closed rather than the rest of
// the body read as the next request.
func TestOversizedBodies(t *testing.T) {
	addr, _ := startServe(t, "--web.enable-lifecycle")
	tests := map[string]string{
		"declared 100 MB, nothing sent": "POST /-/reload HTTP/1.1\r\nHost: kforstats\r\nContent-Length: 104857600\r\n\r\n",
		"chunked, 64 KiB sent":          "POST /-/reload HTTP/1.1\r\nHost: kforstats\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n" + strings.Repeat("x", 1<<16) + "\r\n0\r\n\r\n",
		"a GET with 8 KiB":              "GET /api/v1/summary HTTP/1.1\r\nHost: kforstats\r\nContent-Length: 8192\r\n\r\n" + strings.Repeat("x", 8192),
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := rawRequest(t, addr, req)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(body, []byte(`"code":"too_large"`)) {
				t.Errorf("%s: %s %s, want 413 too_large", name, resp.Status, body)
			}
			if !resp.Close {
				t.Errorf("%s: the connection stays open after a refused body", name)
			}
		})
	}
	resp, err := http.Post("http://"+addr+"/-/reload", "text/plain", strings.NewReader("reload"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /-/reload with a few bytes = %s, want 200", resp.Status)
	}
}

// TestSlowClientsCutOff: a client that opens a connection and sends
// nothing, or sends its headers a byte at a time, is disconnected once
// --web.read-header-timeout has passed, and the server goes on serving.
func TestSlowClientsCutOff(t *testing.T) {
	addr, _ := startServe(t, "--web.read-header-timeout=200ms")
	tests := map[string]func(net.Conn){
		"sends nothing": func(net.Conn) {},
		"a byte at a time": func(c net.Conn) {
			for _, b := range []byte("GET / HTTP/1.1\r\nHost: kforstats\r\nX-Slow: ") {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		},
	}
	for name, send := range tests {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// The client's own deadline is far beyond the server's: reaching
			// it means the server never cut the connection.
			_ = conn.SetReadDeadline(time.Now().Add(kforstatstest.WaitLimit))
			go send(conn)
			start := time.Now()
			// net/http closes the connection, saying 400 or 408 first if
			// some of the request had come.
			got, err := io.ReadAll(conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept a %s client for %s", name, kforstatstest.WaitLimit)
			}
			if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 400 ")) && !bytes.HasPrefix(got, []byte("HTTP/1.1 408 ")) {
				t.Errorf("the server answered a %s client before its headers were complete: %.80q", name, got)
			}
			t.Logf("%s: cut off after %s (%.30q, %v)", name, time.Since(start).Round(time.Millisecond), got, err)
		})
	}
	kforstatstest.WaitReady(t, http.DefaultClient, "http://"+addr+"/readyz")
}

// TestTraversalOnTheWire sends request targets as a hostile client writes
// them, unnormalised by any client library: none reaches a file.
func TestTraversalOnTheWire(t *testing.T) {
	addr, _ := startServe(t)
	for _, target := range []string{
		"/static/../../go.mod", "/static/..%2f..%2fgo.mod", "/static/%2e%2e/%2e%2e/go.mod", "/static/%252e%252e%252fgo.mod",
		"/static/..\\..\\go.mod", "/static//etc/passwd", "/static/app.css%00.js", "/static/./app.css", "/../../../etc/passwd",
		"/table/..%2f..%2f..%2fetc%2fpasswd", "/charts/..%2f..%2fgo.mod", "/static/%c0%ae%c0%ae/go.mod",
	} {
		t.Run(target, func(t *testing.T) {
			resp, body := rawRequest(t, addr, "GET "+target+" HTTP/1.1\r\nHost: kforstats\r\n\r\n")
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %s, want 404", target, resp.Status)
			}
			if bytes.Contains(body, []byte("module github.com")) || bytes.Contains(body, []byte("root:")) {
				t.Errorf("GET %s served a file: %.200s", target, body)
			}
		})
	}
}

// TestTraversalOnEveryRoute sends traversal in place of each path
// parameter of every route the server has (dashboard.Server.Routes: a
// route added is a route checked), and after each route without one: an
// answer is 400 or 404, never a file.
func TestTraversalOnEveryRoute(t *testing.T) {
	addr, _ := startServe(t, "--web.client-limit.rate=0")
	srv := dashboard.NewServer(dashboard.Config{Store: datasettest.Store(t), Metrics: http.NotFoundHandler(),
		History: func(io.Writer, *dataset.Dataset, time.Time) error { return nil }})
	param := regexp.MustCompile(`[:*][a-z]+`)
	var sent int
	for _, route := range srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodGet {
			continue
		}
		for _, bad := range []string{"..%2f..%2f..%2fgo.mod", "%2e%2e%2f%2e%2e%2fgo.mod", "..%5c..%5cgo.mod", "%252e%252e%252fetc%252fpasswd", "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd%00.csv"} {
			target := param.ReplaceAllString(pattern, bad)
			if target == pattern {
				target = strings.TrimSuffix(pattern, "/") + "/" + bad
			}
			resp, body := rawRequest(t, addr, "GET "+target+" HTTP/1.1\r\nHost: kforstats\r\n\r\n")
			sent++
			if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s (route %s) = %s, want 400 or 404", target, pattern, resp.Status)
			}
			if bytes.Contains(body, []byte("module github.com")) || bytes.Contains(body, []byte("root:")) {
				t.Errorf("GET %s served a file: %.200s", target, body)
			}
		}
	}
	t.Logf("%d hostile requests to %d routes", sent, len(srv.Routes()))
}

// TestServeSecurityFlags: --web.frame-ancestors reaches the answers'
// Content-Security-Policy, a bad list, timeout or max age is a usage error before
// listening, and no answer names the server software.
func TestServeSecurityFlags(t *testing.T) {
	addr, _ := startServe(t, "--web.frame-ancestors='self' https://intranet.example.org")
	for _, p := range []string{"/", "/api/v1/summary", "/metrics", "/nope"} {
		resp, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'self' https://intranet.example.org") {
			t.Errorf("GET %s Content-Security-Policy = %q, want the flag's frame-ancestors", p, csp)
		}
		if s := resp.Header.Get("Server"); s != "" {
			t.Errorf("GET %s Server = %q, want none", p, s)
		}
	}
	for _, bad := range []string{"--web.frame-ancestors='self'; script-src *", "--web.frame-ancestors=", "--web.read-header-timeout=0s", "--metrics.max-age=-1s",
		"--web.client-limit.rate=-1", "--web.client-limit.burst=0", "--web.trusted-proxies=10.0.0.0/33", "--web.trusted-proxies=proxy.example.org"} {
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--web.listen-address=127.0.0.1:0", bad}, func(string) string { return "" }, io.Discard, &stderr)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), strings.SplitN(bad, "=", 2)[0]) {
			t.Errorf("serve %s: %v, want a usage error naming the flag", bad, err)
		}
		if strings.Contains(stderr.String(), "msg=listening") {
			t.Errorf("serve %s listened", bad)
		}
	}
}

// TestHostileLanguage sends hostile languages to every GET route the server
// has (a route added is a route checked), in lang= and in Accept-Language:
// no answer is a server error (but the image limiter's 503), none echoes
// the value as markup, and Content-Language, when sent, names one of the
// page's languages, whatever the client sent.
func TestHostileLanguage(t *testing.T) {
	addr, _ := startServe(t, "--web.client-limit.rate=0")
	srv := dashboard.NewServer(dashboard.Config{Store: datasettest.Store(t), Metrics: http.NotFoundHandler(),
		History: func(io.Writer, *dataset.Dataset, time.Time) error { return nil }})
	// A path parameter gets a value its route answers.
	fill := strings.NewReplacer(":date", "2010", ":code", "DEU", ":chart", "strength", "/charts/:file", "/charts/changes.svg",
		"/table/:file", "/table/strength.csv", "/static/:file", "/static/app.js", "*any", "")
	langs := []string{"..%2f..%2fgo.mod", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "sr-Cyrl%0d%0aX-Evil:%201", "%00", strings.Repeat("sr-", 30),
		"sq&lang=%ff", "en-XA%22%3E%3Cb%3E", "SR-CYRL-RS"}
	accepts := []string{"sq;q=1e999, *;q=-1", "<script>", strings.Repeat("sr-Cyrl-RS,", 400), "sr-Cyrl-RS;q=0.9, \x7f", "*"}
	known := map[string]bool{"": true, "en": true, "sq": true, "sr": true, "sr-Cyrl": true, "en-XA": true}
	var sent int
	for _, route := range srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodGet || pattern == "/api/v1/history.om" { // 15 MB, made once a day: TestHistory
			continue
		}
		path := fill.Replace(pattern)
		for i := range max(len(langs), len(accepts)) {
			target := path + "?lang=" + langs[i%len(langs)]
			resp, body := rawRequest(t, addr, "GET "+target+" HTTP/1.1\r\nHost: kforstats\r\nAccept-Language: "+accepts[i%len(accepts)]+"\r\n\r\n")
			sent++
			if resp.StatusCode >= 500 && !(resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "") {
				t.Errorf("GET %s (route %s) = %s: %.200s", target, pattern, resp.Status, body)
			}
			if cl := resp.Header.Get("Content-Language"); !known[cl] {
				t.Errorf("GET %s: Content-Language %q", target, cl)
			}
			if resp.Header.Get("X-Evil") != "" {
				t.Errorf("GET %s: a header was injected", target)
			}
			if bytes.Contains(body, []byte("<script>alert")) || bytes.Contains(body, []byte(`"><b>`)) {
				t.Errorf("GET %s echoes the value as markup: %.300s", target, body)
			}
		}
	}
	t.Logf("%d requests with hostile languages to %d routes", sent, len(srv.Routes()))
}
