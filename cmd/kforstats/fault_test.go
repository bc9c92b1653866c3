package main

// Dataset faults while the server serves a burst of requests: the files
// replaced with garbage, truncated mid-write, deleted, made unreadable;
// then a good version written atomically. And start-up on a bad
// --data.path, or none.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dataset"
)

// faultDir writes the embedded record into a new directory and returns it
// with the files' contents.
func faultDir(tb testing.TB) (string, map[string][]byte) {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string][]byte{}
	for _, name := range dataset.Files {
		b, err := fs.ReadFile(dataset.Embedded(), name)
		if err != nil {
			tb.Fatal(err)
		}
		files[name] = b
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir, files
}

// renameInto writes b to dir/name atomically: a temporary file renamed
// over the old one, so a reader sees one or the other, whole.
func renameInto(tb testing.TB, dir, name string, b []byte) {
	tb.Helper()
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		tb.Fatal(err)
	}
}

const (
	reloadOK       = "kfor_dataset_last_reload_successful"
	reloadFailures = "kfor_dataset_reload_failures_total"
	reloadsTotal   = "kfor_dataset_reloads_total"
)

// waitMetrics polls /metrics until cond holds of its samples.
func waitMetrics(tb testing.TB, base, what string, cond func(m map[string]float64) bool) map[string]float64 {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		m := scrape(tb, base) // metrics_test.go
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			tb.Fatalf("/metrics: not %s within %s: %v", what, waitLimit, m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// burst requests the page, the API and /metrics from a few goroutines until
// stopped, and counts what did not answer 200 with the figures of the
// dataset it started on. Bounded: at most maxBurst requests.
type burst struct {
	base     string
	want     dashboard.SummaryAnswer // the last good figures
	checksum map[string]bool         // the datasets that may be served
	mu       sync.Mutex
	failures []string
	requests atomic.Int64
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

const maxBurst = 200_000

var burstPaths = []string{
	"/api/v1/summary", "/", "/api/v1/strength.csv", "/api/v1/contributions?date=2017-02-01", "/api/v1/events", "/metrics", "/options.js", "/readyz",
}

func startBurst(tb testing.TB, base string, workers int) *burst {
	tb.Helper()
	b := &burst{base: base, stop: make(chan struct{}), checksum: map[string]bool{}}
	tb.Cleanup(b.halt) // before the server stops, should the test end early
	b.want = b.summary(tb)
	b.checksum[b.want.Checksum] = true
	client := &http.Client{Timeout: waitLimit}
	for w := range workers {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for i := w; ; i++ {
				select {
				case <-b.stop:
					return
				default:
				}
				if b.requests.Add(1) > maxBurst {
					return
				}
				p := burstPaths[i%len(burstPaths)]
				if err := b.check(client, p); err != nil {
					b.mu.Lock()
					b.failures = append(b.failures, fmt.Sprintf("GET %s: %v", p, err))
					b.mu.Unlock()
				}
			}
		}()
	}
	return b
}

func (b *burst) summary(tb testing.TB) dashboard.SummaryAnswer {
	tb.Helper()
	var a dashboard.SummaryAnswer
	if err := json.Unmarshal(get(tb, b.base+"/api/v1/summary"), &a); err != nil {
		tb.Fatal(err)
	}
	return a
}

// allow adds a dataset that may be served from now on.
func (b *burst) allow(checksum string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.checksum[checksum] = true
}

func (b *burst) check(client *http.Client, p string) error {
	resp, err := client.Get(b.base + p)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %.200s", resp.Status, body)
	}
	if p != "/api/v1/summary" {
		return nil
	}
	var a dashboard.SummaryAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return err
	}
	b.mu.Lock()
	known := b.checksum[a.Checksum]
	b.mu.Unlock()
	if !known || a.Latest != b.want.Latest || a.Peak != b.want.Peak || a.DrawdownRatio != b.want.DrawdownRatio {
		return fmt.Errorf("figures of another dataset: latest %d, peak %d, checksum %s; want the last good %d, %d", a.Latest.Troops, a.Peak.Troops, a.Checksum, b.want.Latest.Troops, b.want.Peak.Troops)
	}
	return nil
}

// await waits until the burst has made n more requests.
func (b *burst) await(tb testing.TB, n int64) {
	tb.Helper()
	target := b.requests.Load() + n
	deadline := time.Now().Add(waitLimit)
	for b.requests.Load() < target {
		if time.Now().After(deadline) {
			tb.Fatalf("the burst made fewer than %d requests in %s", n, waitLimit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (b *burst) halt() {
	b.stopOnce.Do(func() { close(b.stop) })
	b.wg.Wait()
}

// end stops the burst, reports the requests that failed and returns how
// many it made.
func (b *burst) end(tb testing.TB) int64 {
	tb.Helper()
	b.halt()
	for i, f := range b.failures {
		if i == 20 {
			tb.Errorf("... and %d more failed requests", len(b.failures)-20)
			break
		}
		tb.Errorf("a request failed during the faults: %s", f)
	}
	return min(b.requests.Load(), maxBurst)
}

// TestDatasetFaultsWhileServing breaks the served directory in each way an
// editor, a deployment or a disk can, while requests keep coming. Each
// time: every request answers 200 with the last good figures; the log says
// why the reload failed; /metrics says it failed and counts it; a
// POST /-/reload in the middle answers 422 with the problem. Mending the
// files is seen, and a new good version written atomically is served.
func TestDatasetFaultsWhileServing(t *testing.T) {
	dir, good := faultDir(t)
	addr, logs := startServe(t, "--data.path="+dir, "--data.watch-interval=20ms", "--web.enable-lifecycle", "--log.level=debug")
	base := "http://" + addr
	waitMetrics(t, base, "loaded", func(m map[string]float64) bool { return m[reloadOK] == 1 })
	b := startBurst(t, base, 4)

	path := func(name string) string { return filepath.Join(dir, name) }
	replaceWith := func(name string, make func() error) func(*testing.T) {
		return func(t *testing.T) {
			if err := os.Remove(path(name)); err != nil {
				t.Fatal(err)
			}
			if err := make(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The truncated case's write, finished when the case mends the record.
	var finish func(*testing.T)
	events := good["events.csv"]
	// The middle of a line, after its first field: a row cut there lacks
	// required fields, wherever the line falls (cut after its last comma, a
	// row whose note is empty would still load).
	line := bytes.LastIndexByte(events[:len(events)/2], '\n') + 1
	half := line + bytes.IndexByte(events[line:], ',') + 1
	faults := []struct {
		name  string
		apply func(t *testing.T)
		// mend restores the record; nil renames every good file back.
		mend func(t *testing.T)
		// why is what the log and POST /-/reload say is wrong.
		why string
	}{
		{
			name: "every file garbage",
			apply: func(t *testing.T) {
				for i, name := range dataset.Files {
					garbage := fmt.Appendf(nil, "\x00\xff%d,\"unterminated\n\x1b[2J", i)
					if err := os.WriteFile(path(name), garbage, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			},
			why: `strength.csv:2: malformed CSV: extraneous or missing \" in quoted-field`,
		},
		{
			name: "truncated mid-write",
			apply: func(t *testing.T) {
				// The writer has got half way, to the middle of a line, and
				// not yet finished: what a plain write looks like from outside.
				f, err := os.OpenFile(path("events.csv"), os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write(events[:half]); err != nil {
					t.Fatal(err)
				}
				finish = func(t *testing.T) {
					if _, err := f.Write(events[half:]); err != nil {
						t.Fatal(err)
					}
					if err := f.Close(); err != nil {
						t.Fatal(err)
					}
				}
			},
			mend: func(t *testing.T) { finish(t) }, // the write finishes, in place
			why:  "events.csv:" + strconv.Itoa(bytes.Count(events[:half], []byte("\n"))+1) + ":",
		},
		{
			name: "deleted",
			apply: func(t *testing.T) {
				if err := os.Remove(path("counts.csv")); err != nil {
					t.Fatal(err)
				}
			},
			why: `counts.csv: file is missing`,
		},
		{
			name:  "a directory in place of a file",
			apply: replaceWith("sources.csv", func() error { return os.Mkdir(path("sources.csv"), 0o755) }),
			mend: func(t *testing.T) {
				os.Remove(path("sources.csv"))
				renameInto(t, dir, "sources.csv", good["sources.csv"])
			},
			why: `sources.csv: cannot read: not a regular file (a directory)`,
		},
		{
			name:  "a named pipe in place of a file",
			apply: replaceWith("nations.csv", func() error { return syscall.Mkfifo(path("nations.csv"), 0o644) }),
			why:   `nations.csv: cannot read: not a regular file (a named pipe)`,
		},
		{
			name:  "a link to /dev/zero",
			apply: replaceWith("phases.csv", func() error { return os.Symlink("/dev/zero", path("phases.csv")) }),
			why:   `phases.csv: cannot read: not a regular file (a character device)`,
		},
	}
	survived := 0
	for _, f := range faults {
		ok := t.Run(f.name, func(t *testing.T) {
			before := scrape(t, base)[reloadFailures]
			f.apply(t)
			m := waitMetrics(t, base, "failed", func(m map[string]float64) bool { return m[reloadOK] == 0 && m[reloadFailures] > before })
			// The log says why, naming the file.
			logs.waitFor(t, regexp.MustCompile(`msg="dataset reload failed; still serving the last good dataset".*`+regexp.QuoteMeta(f.why)))

			// A reload asked for in the middle of it all is refused with the problem.
			resp, err := http.Post(base+"/-/reload", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), f.why) {
				t.Errorf("POST /-/reload = %s %s, want 422 naming %q", resp.Status, body, f.why)
			}
			if got := scrape(t, base)[reloadFailures]; got <= m[reloadFailures] {
				t.Errorf("%s = %v after a failed POST /-/reload, want more than %v", reloadFailures, got, m[reloadFailures])
			}

			// Every path of the burst is asked for while the record is broken.
			b.await(t, int64(2*len(burstPaths)))

			if f.mend != nil {
				f.mend(t)
			} else {
				for _, name := range dataset.Files {
					renameInto(t, dir, name, good[name])
				}
			}
			waitMetrics(t, base, "mended", func(m map[string]float64) bool { return m[reloadOK] == 1 })
		})
		if !ok {
			b.end(t)
			t.Fatalf("the server did not survive %q", f.name)
		}
		survived++
	}

	// A new version, written atomically, is served: one event fewer.
	countEvents := func() int {
		var rows []json.RawMessage
		if err := json.Unmarshal(get(t, base+"/api/v1/events"), &rows); err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	n := countEvents()
	lines := bytes.SplitAfter(bytes.TrimRight(events, "\n"), []byte("\n"))
	next := bytes.Join(lines[:len(lines)-1], nil)
	nextFS := fstest.MapFS{}
	for name, b := range good {
		nextFS[name] = &fstest.MapFile{Data: b}
	}
	nextFS["events.csv"] = &fstest.MapFile{Data: next}
	sum, err := dataset.Load(nextFS, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.allow(sum.Checksum)
	renameInto(t, dir, "events.csv", next)
	logs.waitFor(t, regexp.MustCompile(`msg="dataset reloaded".*checksum=`+sum.Checksum[:12]))
	if got := countEvents(); got != n-1 {
		t.Errorf("after the atomic write GET /api/v1/events has %d events, want %d", got, n-1)
	}
	if a := b.summary(t); a.Checksum != sum.Checksum {
		t.Errorf("after the atomic write the summary's checksum is %s, want %s", a.Checksum, sum.Checksum)
	}
	requests := b.end(t)
	if requests < int64(len(burstPaths)) {
		t.Errorf("the burst made %d requests: it did not run through the faults", requests)
	}
	t.Logf("%d of %d fault cases survived; %d requests during them, %d failed", survived, len(faults), requests, len(b.failures))
}

// TestServeBadDataPath: an explicit --data.path that cannot be served
// stops serve before it listens, with every problem listed; the binary
// exits 1.
func TestServeBadDataPath(t *testing.T) {
	broken, _ := faultDir(t)
	if err := os.WriteFile(filepath.Join(broken, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02,many,P1,exact,q,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(broken, "events.csv")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		path string
		want []string
	}{
		"two bad files": {broken, []string{"strength.csv:2:9: troops: \"many\" is not a whole number", "events.csv: file is missing"}},
		"no such path":  {filepath.Join(t.TempDir(), "nope"), []string{fmt.Sprintf("%d errors in the dataset", len(dataset.Files)), "sources.csv: file is missing"}},
		"a file":        {file, []string{"not-a-dir/sources.csv: cannot read: not a directory"}},
		"an empty dir":  {t.TempDir(), []string{"strength.csv: file is missing"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(t.Context(), []string{"serve", "--web.listen-address=127.0.0.1:0", "--data.path=" + tc.path}, func(string) string { return "" }, io.Discard, &stderr)
			if err == nil || errors.Is(err, errUsage) {
				t.Fatalf("serve --data.path=%s: %v, want an error that exits 1", tc.path, err)
			}
			for _, w := range append(tc.want, "cannot load the dataset from "+tc.path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("serve --data.path=%s: %v\nwant it to say %q", tc.path, err, w)
				}
			}
			if strings.Contains(stderr.String(), "msg=listening") {
				t.Errorf("serve listened on a bad dataset:\n%s", stderr.String())
			}
		})
	}

	t.Run("the binary exits 1", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "kforstats")
		if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		cmd := exec.Command(bin, "serve", "--web.listen-address=127.0.0.1:0", "--data.path="+broken)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("kforstats serve --data.path=%s: %v, want exit status 1", broken, err)
		}
		for _, w := range tests["two bad files"].want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("stderr does not say %q:\n%s", w, stderr.String())
			}
		}
	})
}

// TestServeEmbedded: with no --data.path the server serves the dataset
// built into the binary, and does not watch anything.
func TestServeEmbedded(t *testing.T) {
	addr, logs := startServe(t)
	if !strings.Contains(logs.String(), "dataset=embedded") {
		t.Errorf("the listening line does not name the embedded dataset:\n%s", logs.String())
	}
	d, err := dataset.EmbeddedOrigin().Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := &burst{base: "http://" + addr}
	if got := b.summary(t); got.Checksum != d.Checksum || got.Latest.Troops != d.Latest().Troops {
		t.Errorf("GET /api/v1/summary = checksum %s latest %d, want the embedded %s %d", got.Checksum, got.Latest.Troops, d.Checksum, d.Latest().Troops)
	}
}
