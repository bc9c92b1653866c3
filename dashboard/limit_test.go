package dashboard

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestClientLimit runs the server on loopback with clients on addresses of
// their own (127.0.0.2, 127.0.0.3, and 127.0.0.4 as a trusted proxy): one
// client past its limit of new answers gets 429 with Retry-After and a JSON
// error naming the limit, while its answers already made and everyone
// else's new ones are still served.
func TestClientLimit(t *testing.T) {
	const burst = 3
	proxies, err := ParseTrustedProxies("127.0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Config{Store: datasettest.Store(t), ClientLimit: ClientLimit{Rate: 0.01, Burst: burst, TrustedProxies: proxies}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	base := "http://" + ln.Addr().String()

	clients := map[string]*http.Client{}
	from := func(ip string) *http.Client {
		if c := clients[ip]; c != nil {
			return c
		}
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
		c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 30 * time.Second}
		clients[ip] = c
		return c
	}
	view := 2000 // each request for a new view is an answer to make
	get := func(ip, path, forwarded string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		resp, err := from(ip).Do(req)
		if err != nil {
			t.Fatalf("GET %s from %s: %v", path, ip, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	newView := func() string { view++; return fmt.Sprintf("/embed/strength?from=%d", view) }
	want := func(ip, path, forwarded string, code int) *http.Response {
		t.Helper()
		resp, body := get(ip, path, forwarded)
		if resp.StatusCode != code {
			t.Errorf("GET %s from %s (X-Forwarded-For %q) = %s, want %d\n%.300s", path, ip, forwarded, resp.Status, code, body)
		}
		return resp
	}
	limited := func(ip, forwarded, who string) {
		t.Helper()
		path := newView()
		resp, body := get(ip, path, forwarded)
		var e struct{ Code, Error string }
		_ = json.Unmarshal(body, &e)
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusTooManyRequests || err != nil || retry < 1 || e.Code != string(ELimited) ||
			!regexpMatch(`per-client limit .* is 3 at once, then 0\.01 a second`, e.Error) || !regexpMatch(who, e.Error) {
			t.Errorf("GET %s from %s (X-Forwarded-For %q) past the limit = %s, Retry-After %q, %s; want 429, Retry-After in seconds and a %q error naming the limit and %s",
				path, ip, forwarded, resp.Status, resp.Header.Get("Retry-After"), body, ELimited, who)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !regexpMatch(`frame-ancestors`, resp.Header.Get("Content-Security-Policy")) {
			t.Errorf("GET %s past the limit: headers %v, want those every answer has", path, resp.Header)
		}
	}

	// An answer another client had made.
	shared := newView()
	want("127.0.0.3", shared, "", http.StatusOK)
	var made []string
	for range burst {
		made = append(made, newView())
		want("127.0.0.2", made[len(made)-1], "", http.StatusOK)
	}
	limited("127.0.0.2", "", `127\.0\.0\.2`)
	// A chart image not drawn yet is refused before it reaches the renderer.
	want("127.0.0.2", "/charts/strength.svg?width=1234", "", http.StatusTooManyRequests)
	t.Run("answers already made are not limited", func(t *testing.T) {
		want("127.0.0.2", made[0], "", http.StatusOK)
		want("127.0.0.2", made[burst-1], "", http.StatusOK)
		want("127.0.0.2", shared, "", http.StatusOK)
	})
	t.Run("other clients are answered", func(t *testing.T) {
		want("127.0.0.3", newView(), "", http.StatusOK)
	})
	t.Run("X-Forwarded-For only from a trusted proxy", func(t *testing.T) {
		// 127.0.0.3 is no proxy: its header is ignored, and the limit of
		// 127.0.0.3, which has made two answers, applies.
		for range burst - 2 {
			want("127.0.0.3", newView(), "192.0.2.9", http.StatusOK)
		}
		limited("127.0.0.3", "192.0.2.9", `127\.0\.0\.3`)
		// Behind 127.0.0.4, each forwarded client has a limit of its own.
		for range burst {
			want("127.0.0.4", newView(), "192.0.2.7", http.StatusOK)
		}
		limited("127.0.0.4", "192.0.2.7", `192\.0\.2\.7`)
		want("127.0.0.4", newView(), "198.51.100.1, 192.0.2.8", http.StatusOK)
	})
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// TestLimiterClient: who a request is counted against.
func TestLimiterClient(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimiter(ClientLimit{Rate: 1, Burst: 1, TrustedProxies: proxies}, time.Now)
	tests := map[string]struct {
		remote    string
		forwarded []string
		want      string
	}{
		"the peer":                          {"203.0.113.5:4000", nil, "203.0.113.5"},
		"a header from no proxy is ignored": {"203.0.113.5:4000", []string{"198.51.100.9"}, "203.0.113.5"},
		"behind a trusted proxy":            {"10.1.2.3:4000", []string{"198.51.100.9"}, "198.51.100.9"},
		"the last hop not a proxy":          {"10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.9, 10.9.9.9"}, "198.51.100.9"},
		"headers joined":                    {"192.0.2.1:4000", []string{"6.6.6.6", "198.51.100.9"}, "198.51.100.9"},
		"a malformed hop ends the walk":     {"10.1.2.3:4000", []string{"198.51.100.9, junk, 10.9.9.9"}, "10.9.9.9"},
		"no header: the proxy":              {"10.1.2.3:4000", nil, "10.1.2.3"},
		"IPv6 by /64":                       {"[2001:db8:1:2:3:4:5:6]:4000", nil, "2001:db8:1:2::"},
		"IPv4 in IPv6":                      {"[::ffff:203.0.113.5]:4000", nil, "203.0.113.5"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, f := range tc.forwarded {
				r.Header.Add("X-Forwarded-For", f)
			}
			if got := l.client(r); got != netip.MustParseAddr(tc.want) {
				t.Errorf("client(%s, X-Forwarded-For %q) = %s, want %s", tc.remote, tc.forwarded, got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxiesBad(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.1/8/8"} {
		if _, err := ParseTrustedProxies(s); err == nil || !regexpMatch(`neither an address nor a CIDR prefix`, err.Error()) {
			t.Errorf("ParseTrustedProxies(%q) = %v, want an error saying what is wanted", s, err)
		}
	}
}

// TestLimiterBounded: however many clients come, the table holds at most
// maxClients, and a client keeps its bucket while the table has room.
func TestLimiterBounded(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(ClientLimit{Rate: 0.001, Burst: 1}, func() time.Time { return now })
	first := netip.MustParseAddr("10.0.0.1")
	if ok, _ := l.take(first); !ok {
		t.Fatal("a new client's first answer was refused")
	}
	if ok, wait := l.take(first); ok || wait != 1000*time.Second {
		t.Fatalf("take past the burst = %v, %s; want refused, 1000 s to wait", ok, wait)
	}
	a := netip.MustParseAddr("10.1.0.0")
	for range 3 * maxClients {
		a = a.Next()
		l.take(a)
		if n := l.size(); n > maxClients {
			t.Fatalf("%d clients tracked, want at most %d", n, maxClients)
		}
	}
}
