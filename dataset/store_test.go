package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func validDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, f := range overlay(tb, "") {
		if err := os.WriteFile(filepath.Join(dir, name), f.Data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// replace writes a file the way an editor or a ConfigMap update should: a
// new file renamed over the old, so a reader never sees half of it.
func replace(tb testing.TB, dir, name, content string) {
	tb.Helper()
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		tb.Fatal(err)
	}
}

const goodStrength = "date,troops,source,confidence,quote,note\n2017-02,4100,P1,exact,q,\n"

func TestStoreFirstLoadMustSucceed(t *testing.T) {
	dir := validDir(t)
	replace(t, dir, "strength.csv", "date,troops\n")
	_, err := NewStore(DirOrigin(dir), nil)
	if err == nil || !strings.Contains(err.Error(), "strength.csv:1: source: required column is missing") {
		t.Fatalf("NewStore on a bad record = %v, want the missing column named", err)
	}
}

func TestStoreReloadKeepsLastGood(t *testing.T) {
	dir := validDir(t)
	s, err := NewStore(DirOrigin(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	good := s.Current()
	faults := map[string]func(){
		"garbage": func() { replace(t, dir, "strength.csv", "\x00\x01garbage\"\n,,") },
		"truncated": func() {
			replace(t, dir, "sources.csv", "id,title,publisher,url,published,language,kind,note\nP1,\"Kosovo Force")
		},
		"deleted": func() { os.Remove(filepath.Join(dir, "counts.csv")) },
		"unreadable": func() {
			os.Remove(filepath.Join(dir, "events.csv"))
			os.Mkdir(filepath.Join(dir, "events.csv"), 0o755) // a directory where a file should be
		},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			fault()
			st0 := s.Status()
			if err := s.Reload(); err == nil {
				t.Fatalf("Reload after %s succeeded", name)
			}
			if s.Current() != good {
				t.Fatalf("Reload after %s replaced the dataset", name)
			}
			st := s.Status()
			if st.LastSuccessful || st.Failures != st0.Failures+1 || st.LastError == nil || !st.LastSuccess.Equal(st0.LastSuccess) {
				t.Errorf("Status after %s = %+v", name, st)
			}
			// Mend the record for the next case.
			os.Remove(filepath.Join(dir, "events.csv"))
			for n, f := range overlay(t, "") {
				replace(t, dir, n, string(f.Data))
			}
		})
	}
	replace(t, dir, "strength.csv", goodStrength)
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if s.Current().Latest().Troops != 4100 || !s.Status().LastSuccessful {
		t.Errorf("after a good reload latest = %d, status %+v", s.Current().Latest().Troops, s.Status())
	}
}

func TestStoreWatchPicksUpRename(t *testing.T) {
	dir := validDir(t)
	s, err := NewStore(DirOrigin(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx, 10*time.Millisecond)
	replace(t, dir, "strength.csv", goodStrength)
	waitFor(t, func() bool { return s.Current().Latest().Troops == 4100 })
	// A bad change is tried once and leaves the good dataset in place.
	replace(t, dir, "strength.csv", "date,troops,source,confidence,quote,note\n2017-02,0,P1,exact,q,\n")
	waitFor(t, func() bool { return s.Status().Failures == 1 })
	if s.Current().Latest().Troops != 4100 {
		t.Errorf("a bad change replaced the dataset")
	}
}

func TestStoreReloadDuringReads(t *testing.T) {
	dir := validDir(t)
	s, err := NewStore(DirOrigin(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d := s.Current()
				if len(d.Series()) == 0 || d.Peak().Troops == 0 {
					t.Error("a reader saw an empty dataset")
					return
				}
			}
		}()
	}
	for i := range 50 {
		if i%2 == 0 {
			replace(t, dir, "strength.csv", goodStrength)
		} else {
			replace(t, dir, "strength.csv", "broken\"")
		}
		_ = s.Reload()
	}
	close(stop)
	wg.Wait()
}

func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFingerprintTellsFaultsApart: a deleted file and a directory put in its
// place are different states; a watcher that saw the first must notice the
// second and report its own reason.
func TestFingerprintTellsFaultsApart(t *testing.T) {
	dir := validDir(t)
	o := DirOrigin(dir)
	good := o.Fingerprint()
	os.Remove(filepath.Join(dir, "sources.csv"))
	missing := o.Fingerprint()
	os.Mkdir(filepath.Join(dir, "sources.csv"), 0o755)
	directory := o.Fingerprint()
	if good == missing || missing == directory || good == directory {
		t.Errorf("fingerprints: good %.8s, missing %.8s, directory %.8s; want three different", good, missing, directory)
	}
}
