package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// memoryLimitShare is the part of a container's or service's memory limit
// the Go runtime aims to stay under, leaving the rest for what it does not
// count (the executable's pages, thread stacks) before the kernel kills the
// process. It is below the 75% that chart drawing is budgeted to
// (render.BudgetFor), so that garbage the runtime has not collected yet
// cannot take the process past it either. The Kubernetes manifest sets
// GOMEMLIMIT=700MiB for a 1Gi limit.
const memoryLimitShare = 0.7

// applyMemoryLimit gives the Go runtime a soft memory limit below the
// cgroup's, so that a burst of chart exports makes it collect garbage
// harder instead of the kernel killing the process: Docker's --memory,
// compose's mem_limit, systemd's MemoryMax= and a Kubernetes limit are all
// a cgroup limit, which the runtime does not read by itself. A GOMEMLIMIT
// in the process's environment wins (the runtime has applied it already,
// from the real environment, which is why this reads os.Getenv); with no
// limit found, nothing changes.
//
// It returns the process's memory limit, for the budgets sized by it: the
// cgroup's, or else GOMEMLIMIT's taken as memoryLimitShare of one; 0 for
// none.
func applyMemoryLimit(log *slog.Logger) int64 {
	var limit int64
	var where string
	var ok bool
	if self, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		limit, where, ok = cgroupMemoryLimit("/sys/fs/cgroup", self)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		soft := debug.SetMemoryLimit(-1)
		log.Debug("memory limit from GOMEMLIMIT", "bytes", soft)
		if !ok {
			limit = int64(float64(soft) / memoryLimitShare)
		}
		return limit
	}
	if !ok {
		return 0
	}
	soft := int64(float64(limit) * memoryLimitShare)
	debug.SetMemoryLimit(soft)
	log.Info("memory limit", "cgroup", where, "cgroup_bytes", limit, "go_soft_limit_bytes", soft)
	return limit
}

// cgroupMemoryLimit returns the lowest memory limit of the cgroup the
// process is in (from /proc/self/cgroup) and of its parents, under the
// cgroup file systems mounted at root, and the file it was read from: v2's
// memory.max, or else v1's memory/memory.limit_in_bytes. ok is false when
// no limit is set ("max", or v1's near-2^63 "unlimited") or the files are
// not there.
func cgroupMemoryLimit(root string, procSelfCgroup []byte) (limit int64, where string, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(procSelfCgroup))
	var v1, v2 string
	for sc.Scan() {
		// "0::/path" is cgroup v2; v1 lines are "N:controller,...:/path".
		id, rest, _ := strings.Cut(sc.Text(), ":")
		controllers, dir, _ := strings.Cut(rest, ":")
		switch {
		case id == "0" && controllers == "":
			v2 = dir
		case slices.Contains(strings.Split(controllers, ","), "memory"):
			v1 = dir
		}
	}
	if v2 != "" {
		if limit, where, ok = lowestLimit(root, v2, "memory.max"); ok {
			return limit, where, ok
		}
	}
	if v1 != "" {
		return lowestLimit(filepath.Join(root, "memory"), v1, "memory.limit_in_bytes")
	}
	return 0, "", false
}

// unlimited is where cgroup v1 values start to mean "no limit" (it shows
// 2^63 rounded down to a page).
const unlimited = 1 << 62

// lowestLimit reads name in dir and each of its parents under root, and
// returns the lowest limit set. Inside a container the process's cgroup
// is often the mount's root itself, whatever path /proc/self/cgroup gives.
func lowestLimit(root, dir, name string) (limit int64, where string, ok bool) {
	dir = path.Clean("/" + dir)
	for {
		file := filepath.Join(root, filepath.FromSlash(dir), name)
		if b, err := os.ReadFile(file); err == nil {
			v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			if err == nil && v > 0 && v < unlimited && (!ok || v < limit) {
				limit, where, ok = v, file, true
			}
		}
		if dir == "/" {
			return limit, where, ok
		}
		dir = path.Dir(dir)
	}
}
