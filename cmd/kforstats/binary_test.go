package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
)

// TestBinaryLinksNoTesting: nothing test-only is linked into kforstats. The
// symbols of the built binary, as go tool nm lists them, hold none of
// package testing or its subpackages (testing/fstest and the like), which
// a product file importing one, or a dependency doing so, would bring in;
// nor any of kforstatstest, the helpers the tests share.
func TestBinaryLinksNoTesting(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(kforstatstest.GoTool(t), "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm %s: %v", bin, err)
	}
	if !strings.Contains(string(out), " main.main") {
		t.Fatalf("go tool nm lists no main.main: the binary is stripped, and the check would pass on anything")
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && (strings.HasPrefix(f[2], "testing.") || strings.HasPrefix(f[2], "testing/") || strings.Contains(f[2], "/kforstatstest.")) {
			found = append(found, f[2])
		}
	}
	if len(found) > 0 {
		t.Errorf("kforstats links %d symbols of package testing or kforstatstest, such as %s; go list -deps ./cmd/kforstats and go mod why name what imports it", len(found), strings.Join(found[:min(5, len(found))], ", "))
	}
}
