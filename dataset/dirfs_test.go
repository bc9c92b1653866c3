package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDirOriginRefusesNonRegular puts things that are not a record's file
// where one should be. Each reload fails at once naming the file and what
// it is, and the last good dataset stays; none hangs (a named pipe opened
// for reading waits for a writer) or reads without end (/dev/zero).
func TestDirOriginRefusesNonRegular(t *testing.T) {
	dir := validDir(t)
	s, err := NewStore(DirOrigin(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	good := s.Current()
	events := filepath.Join(dir, "events.csv")
	tests := map[string]struct {
		make func() error
		want string
	}{
		"named pipe": {func() error { return syscall.Mkfifo(events, 0o644) }, "events.csv: cannot read: not a regular file (a named pipe)"},
		"directory":  {func() error { return os.Mkdir(events, 0o755) }, "events.csv: cannot read: not a regular file (a directory)"},
		"symlink to /dev/zero": {func() error { return os.Symlink("/dev/zero", events) },
			"events.csv: cannot read: not a regular file (a character device)"},
		"dangling symlink": {func() error { return os.Symlink("gone.csv", events) }, "events.csv: file is missing"},
		"too large": {func() error {
			return os.WriteFile(events, []byte("date,kind,title,source\n"+strings.Repeat("x", MaxFileBytes)), 0o644)
		}, "events.csv: cannot read: file is 67108887 bytes (want at most 67108864)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			saved, err := os.ReadFile(events)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(events); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := os.RemoveAll(events); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(events, saved, 0o644); err != nil {
					t.Fatal(err)
				}
			})
			done := make(chan error, 1)
			go func() { done <- s.Reload() }()
			var err2 error
			select {
			case err2 = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Reload hung") // a guard, not a measure: a pipe blocks forever
			}
			var es Errors
			if !errors.As(err2, &es) || !strings.Contains(err2.Error(), tc.want) {
				t.Errorf("Reload = %v, want %q", err2, tc.want)
			}
			if s.Current() != good {
				t.Errorf("a failed reload replaced the dataset")
			}
		})
	}
	if err := s.Reload(); err != nil {
		t.Errorf("Reload of the mended record = %v", err)
	}
}

// TestDirOriginFollowsSymlinks: a record whose files are links, as in a
// Kubernetes ConfigMap volume, loads.
func TestDirOriginFollowsSymlinks(t *testing.T) {
	src := validDir(t)
	dir := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := DirOrigin(dir).Load(time.Now()); err != nil {
		t.Errorf("Load of a record of symlinks = %v", err)
	}
	if _, err := fs.ReadFile(DirOrigin(dir).FS, "../../etc/passwd"); err == nil {
		t.Errorf("ReadFile outside the directory succeeded")
	}
}
