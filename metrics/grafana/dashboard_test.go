package grafana

//lint:file-ignore SA1019 the SDK marks the classic dashboard schema deprecated in favour of schema v2, but v2 needs feature toggles that Grafana 12.1 (deploy/compose.yaml) and every earlier Grafana lack; file provisioning reads the classic JSON everywhere

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/kforstats/kforstats/dataset/datasettest"
)

// committed is the dashboard Grafana provisions; it must be what this
// package generates.
var committed = filepath.Join("..", "..", "deploy", "grafana", "dashboards", "kforstats.json")

func TestDashboardGolden(t *testing.T) {
	got, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	datasettest.Golden(t, committed, got)
}

// TestDashboardQueriesReadTheDatasourceVariable checks that no query is
// tied to one Prometheus: each names ${datasource}.
func TestDashboardQueriesReadTheDatasourceVariable(t *testing.T) {
	got, err := JSON()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), `"uid": "${datasource}"`); n < 20 {
		t.Errorf("only %d references to ${datasource}; every panel and query should use it", n)
	}
	for _, line := range strings.Split(string(got), "\n") {
		if strings.Contains(line, `"uid":`) && !strings.Contains(line, "${datasource}") && !strings.Contains(line, UID) {
			t.Errorf("a data source other than ${datasource}: %s", strings.TrimSpace(line))
		}
	}
}

// TestDashboardReadsBack checks that the committed JSON unmarshals into the
// SDK's dashboard types with every panel and query intact.
func TestDashboardReadsBack(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	b, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard.Dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("unmarshalling %s: %v", committed, err)
	}
	want, err := Dashboard()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Panels) != len(want.Panels) {
		t.Errorf("%s has %d panels, want %d", committed, len(d.Panels), len(want.Panels))
	}
	seen := map[uint32]bool{}
	for _, p := range d.Panels {
		var id uint32
		switch {
		case p.Panel != nil && p.Panel.Id != nil:
			id = *p.Panel.Id
			if len(p.Panel.Targets) == 0 {
				t.Errorf("panel %d %v has no query", id, p.Panel.Title)
			}
		case p.RowPanel != nil:
			id = p.RowPanel.Id
		default:
			t.Fatalf("a panel without an id: %+v", p)
		}
		if seen[id] {
			t.Errorf("panel id %d used twice", id)
		}
		seen[id] = true
	}
}
