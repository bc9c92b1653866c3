package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "ready\n")
	}))
	defer ready.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no dataset loaded yet", http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	tests := map[string]struct {
		args      []string
		wantErr   string // "" for success
		wantUsage bool
	}{
		"ready":             {args: []string{"--url=" + ready.URL + "/readyz"}},
		"not ready":         {args: []string{"--url=" + notReady.URL + "/readyz"}, wantErr: "503 Service Unavailable: no dataset loaded yet"},
		"wrong path":        {args: []string{"--url=" + ready.URL + "/nope"}, wantErr: "404"},
		"nothing listening": {args: []string{"--url=" + gone.URL + "/readyz"}, wantErr: "connection refused"},
		"bad URL":           {args: []string{"--url=::"}, wantUsage: true},
		"an argument":       {args: []string{"extra"}, wantUsage: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), append([]string{"healthcheck"}, tc.args...), func(string) string { return "" }, &stdout, io.Discard)
			switch {
			case tc.wantUsage:
				if !errors.Is(err, errUsage) {
					t.Errorf("healthcheck %q = %v, want a usage error (exit 2)", tc.args, err)
				}
			case tc.wantErr == "":
				if err != nil || !strings.Contains(stdout.String(), "200 OK") {
					t.Errorf("healthcheck %q = %v, printed %q; want success and 200 OK", tc.args, err, stdout.String())
				}
			default:
				if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("healthcheck %q = %v, want an error (exit 1) containing %q", tc.args, err, tc.wantErr)
				}
			}
		})
	}
}
