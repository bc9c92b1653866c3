package dashboard

import (
	"io"
	"net/http"
	"testing"
)

// TestHead: HEAD is answered wherever GET is, with GET's status and
// headers and no body (curl -I, link checkers and monitors send it).
func TestHead(t *testing.T) {
	base := serveLoopback(t)
	tests := map[string]string{
		"page":       "/",
		"options":    "/options.js",
		"chart list": "/charts",
		"chart SVG":  "/charts/share.svg",
		"API":        "/api/v1/summary",
		"table CSV":  "/table/strength.csv",
		"health":     "/healthz",
		"missing":    "/no-such-page",
		"bad chart":  "/charts/nope.svg",
	}
	for name, path := range tests {
		t.Run(name, func(t *testing.T) {
			get, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, get.Body)
			get.Body.Close()
			req, _ := http.NewRequest(http.MethodHead, base+path, nil)
			head, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(head.Body)
			head.Body.Close()
			if head.StatusCode != get.StatusCode {
				t.Errorf("HEAD %s = %d, GET = %d; want the same", path, head.StatusCode, get.StatusCode)
			}
			if got, want := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); got != want {
				t.Errorf("HEAD %s Content-Type = %q, GET's %q", path, got, want)
			}
			if len(body) != 0 {
				t.Errorf("HEAD %s sent a body of %d bytes", path, len(body))
			}
		})
	}
	// A method GET does not allow stays refused.
	req, _ := http.NewRequest(http.MethodPut, base+"/", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT / = %d, want 405", res.StatusCode)
	}
}
