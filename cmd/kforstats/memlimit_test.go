package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
)

// TestCgroupMemoryLimit: the limit a container runtime, systemd or
// Kubernetes put on the process is found, on cgroup v2 and v1, on the
// process's cgroup or a parent, and "no limit" in its forms is no limit.
func TestCgroupMemoryLimit(t *testing.T) {
	tests := []struct {
		name   string
		self   string
		files  map[string]string // path under the cgroup root -> content
		limit  int64
		where  string
		wantOK bool
	}{
		{"v2 container: the namespace root", "0::/\n", map[string]string{"memory.max": "1073741824\n"}, 1 << 30, "memory.max", true},
		{"v2 systemd service", "0::/system.slice/kforstats.service\n",
			map[string]string{"system.slice/kforstats.service/memory.max": "536870912\n", "system.slice/memory.max": "max\n"}, 512 << 20, "system.slice/kforstats.service/memory.max", true},
		{"v2 parent slice lower than the service", "0::/system.slice/kforstats.service\n",
			map[string]string{"system.slice/kforstats.service/memory.max": "max\n", "system.slice/memory.max": "268435456\n"}, 256 << 20, "system.slice/memory.max", true},
		{"v2 no limit anywhere", "0::/user.slice/session-1.scope\n",
			map[string]string{"user.slice/session-1.scope/memory.max": "max\n", "user.slice/memory.max": "max\n"}, 0, "", false},
		{"v1 memory controller", "4:memory:/docker/abc\n3:cpu:/docker/abc\n",
			map[string]string{"memory/docker/abc/memory.limit_in_bytes": "805306368\n"}, 768 << 20, "memory/docker/abc/memory.limit_in_bytes", true},
		{"v1 container sees its cgroup as the mount's root", "9:memory,kmem:/kubepods/pod1/c1\n",
			map[string]string{"memory/memory.limit_in_bytes": "1073741824\n"}, 1 << 30, "memory/memory.limit_in_bytes", true},
		{"v1 unlimited", "4:memory:/\n", map[string]string{"memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0, "", false},
		{"hybrid: v2 line without a limit, v1 memory with one", "4:memory:/a\n0::/\n",
			map[string]string{"memory/a/memory.limit_in_bytes": "104857600\n"}, 100 << 20, "memory/a/memory.limit_in_bytes", true},
		{"garbage in the file", "0::/\n", map[string]string{"memory.max": "lots\n"}, 0, "", false},
		{"no cgroup files", "0::/\n", nil, 0, "", false},
		{"empty /proc/self/cgroup", "", map[string]string{"memory.max": "1073741824\n"}, 0, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for p, c := range tc.files {
				f := filepath.Join(root, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			limit, where, ok := cgroupMemoryLimit(root, []byte(tc.self))
			if ok != tc.wantOK || limit != tc.limit {
				t.Fatalf("cgroupMemoryLimit = %d, %v; want %d, %v", limit, ok, tc.limit, tc.wantOK)
			}
			if tc.wantOK && where != filepath.Join(root, filepath.FromSlash(tc.where)) {
				t.Errorf("read from %s, want %s", where, tc.where)
			}
		})
	}
}

// TestApplyMemoryLimitKeepsGOMEMLIMIT: an operator's GOMEMLIMIT is left as
// the runtime applied it, whatever the cgroup says.
func TestApplyMemoryLimitKeepsGOMEMLIMIT(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(123 << 20) // as the runtime does at start from the variable
	t.Setenv("GOMEMLIMIT", "123MiB")
	var logs bytes.Buffer
	applyMemoryLimit(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if got := debug.SetMemoryLimit(-1); got != 123<<20 {
		t.Errorf("memory limit %d after applyMemoryLimit with GOMEMLIMIT set, want it left at %d", got, 123<<20)
	}
	if !strings.Contains(logs.String(), "GOMEMLIMIT") {
		t.Errorf("log %q does not say the limit comes from GOMEMLIMIT", logs.String())
	}
}

// TestMemoryLimitFromCgroup runs the built binary in a memory cgroup of its
// own, limited as compose's mem_limit, systemd's MemoryMax= or a container
// runtime limit it: the Go runtime's soft limit (go_gc_gomemlimit_bytes on
// /metrics) is 70% of it, and the log says where it came from. It needs
// root and a writable cgroup file system (see kforstatstest.MemoryCgroup).
func TestMemoryLimitFromCgroup(t *testing.T) {
	const limit = 512 << 20
	procs := kforstatstest.MemoryCgroup(t, limit).Procs()
	bin := buildBinary(t)
	addr := kforstatstest.FreeAddr(t)
	var logs kforstatstest.LogWatch
	cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$1" && exec "$2" serve --web.listen-address="$3"`, "sh", procs, bin, addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOMEMLIMIT=") })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	kforstatstest.WaitReady(t, http.DefaultClient, "http://"+addr+"/readyz")
	share := memoryLimitShare // not a constant expression: truncated as applyMemoryLimit truncates
	want := float64(int64(float64(limit) * share))
	if got := kforstatstest.Scrape(t, "http://"+addr)["go_gc_gomemlimit_bytes"]; got != want {
		t.Errorf("go_gc_gomemlimit_bytes = %v in a cgroup limited to %d bytes, want %v (70%%)\nlog:\n%s", got, limit, want, logs.String())
	}
	if !strings.Contains(logs.String(), `msg="memory limit"`) || !strings.Contains(logs.String(), "cgroup_bytes=536870912") {
		t.Errorf("the log does not say the memory limit it found:\n%s", logs.String())
	}
}
