package kforstatstest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cgroup is a memory cgroup of a test's own, removed when the test ends.
type Cgroup struct {
	dir string
	v1  bool
}

// MemoryCgroup makes a cgroup limited to limit bytes (v2 memory.max, or v1
// memory.limit_in_bytes), as compose's mem_limit, systemd's MemoryMax= or
// a container runtime's limit makes one. It needs root and a writable
// cgroup file system, which CI has: there (CI=true) their lack fails the
// test; elsewhere it skips, saying why.
func MemoryCgroup(tb testing.TB, limit int64) *Cgroup {
	tb.Helper()
	name := fmt.Sprintf("kforstats-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	cg := &Cgroup{dir: filepath.Join("/sys/fs/cgroup", name)}
	if ctl, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control"); err != nil || !slices.Contains(strings.Fields(string(ctl)), "memory") {
		cg = &Cgroup{dir: filepath.Join("/sys/fs/cgroup/memory", name), v1: true}
	}
	missing := tb.Skipf
	if os.Getenv("CI") == "true" {
		missing = tb.Fatalf
	}
	if err := os.Mkdir(cg.dir, 0o755); err != nil {
		missing("cannot make a memory cgroup to run the binary in (needs root and a writable cgroup file system): %v", err)
	}
	tb.Cleanup(func() {
		// The cgroup is busy until its last process is gone.
		for i := 0; i < 100 && os.Remove(cg.dir) != nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	})
	if err := os.WriteFile(cg.file("memory.max", "memory.limit_in_bytes"), []byte(strconv.FormatInt(limit, 10)), 0o644); err != nil {
		missing("cannot limit the memory of cgroup %s: %v", cg.dir, err)
	}
	return cg
}

func (cg *Cgroup) file(v2, v1 string) string {
	if cg.v1 {
		return filepath.Join(cg.dir, v1)
	}
	return filepath.Join(cg.dir, v2)
}

// Procs is the file a process writes its PID to in order to join it.
func (cg *Cgroup) Procs() string { return filepath.Join(cg.dir, "cgroup.procs") }

// ResetPeak starts the peak usage afresh where the kernel lets it (v1, and
// v2 from Linux 6.12); elsewhere the peak counts from the cgroup's making.
func (cg *Cgroup) ResetPeak() {
	_ = os.WriteFile(cg.file("memory.peak", "memory.max_usage_in_bytes"), []byte("0"), 0o644)
}

// Peak is the most memory the cgroup's processes have been charged since
// it was made or ResetPeak: what the kernel weighs against the limit.
func (cg *Cgroup) Peak(tb testing.TB) int64 {
	tb.Helper()
	b, err := os.ReadFile(cg.file("memory.peak", "memory.max_usage_in_bytes"))
	if err != nil {
		tb.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// OOMKills is how many processes of the cgroup the kernel has killed for
// want of memory.
func (cg *Cgroup) OOMKills(tb testing.TB) int {
	tb.Helper()
	b, err := os.ReadFile(cg.file("memory.events", "memory.oom_control"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}
