package chart

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dashboard/assets"
	"github.com/kforstats/kforstats/dataset"
)

// The maps an option may name in Option.Maps, each registered with
// ECharts under its name, from the GeoJSON asset MapFile names, before the
// option is set (by the page, once the chart scrolls into view; by the
// image renderer, before it draws).
const (
	MapKosovo = "kosovo" // Kosovo (XKX) and its four neighbours, 1:50m
	MapWorld  = "world"  // the world, 1:110m, simplified
)

// MapNames are the names of every map outline a chart may draw on.
func MapNames() []string { return []string{MapKosovo, MapWorld} }

// MapFile returns the embedded asset (dashboard/assets) holding the
// outlines of map name, as GeoJSON.
func MapFile(name string) (string, bool) {
	switch name {
	case MapKosovo:
		return "geo-kosovo.json", true
	case MapWorld:
		return "geo-world.json", true
	}
	return "", false
}

// kosovoBounds frame the structure map on Kosovo, with room for the rear
// headquarters in Skopje and Kosovo's southern tip (41.86°N: it ran into
// the source line at 41.9): [[west, north], [east, south]].
var kosovoBounds = [][]float64{{19.85, 43.32}, {21.95, 41.82}}

// unitSymbol is how the structure map draws each kind of unit. Its label,
// in the legend and the table, is message unit.kinds.KIND.
var unitSymbol = map[dataset.UnitKind]struct {
	Symbol string
	Size   int
}{
	dataset.Headquarters: {"rect", 14},
	dataset.Brigade:      {"diamond", 17},
	dataset.TaskForce:    {"triangle", 16},
	dataset.BattleGroup:  {"circle", 14},
	dataset.Detachment:   {"path://M4,0L12,0L16,7L12,14L4,14L0,7Z", 14},
	dataset.OtherUnit:    {"circle", 11}, // hollow: see structureMapChart
}

// unitKinds is a kind of unit in the plural, as the legend names it.
func (b *builder) unitKinds(k dataset.UnitKind) string { return b.t("unit.kinds." + string(k)) }

// neighbours are Kosovo's neighbours, named on the structure map (in the
// view's language, from CLDR) at a point inside each that the frame shows.
// A name by the frame's edge starts (align left) or ends (right) at its
// point, so that a long name ("Maqedonia e Veriut", "Северна Македонија")
// runs inwards, never out of the drawing.
var neighbours = []struct {
	code     string // ISO 3166
	lat, lon float64
	align    string
}{
	{"XK", 42.47, 20.55, "center"},
	{"RS", 43.2, 21.65, "center"},
	{"ME", 42.95, 19.9, "left"},
	{"AL", 42.2, 19.95, "left"},
	{"MK", 41.97, 21.9, "right"},
}

// structureDay is the instant the structure map shows: the view's date, or
// after the record's last change (the structure in force today).
func structureDay(d *dataset.Dataset, v View) time.Time {
	if !v.At.IsZero() {
		return v.At
	}
	t := d.AsOf.Start()
	if ch := d.StructureChanges(); len(ch) > 0 && ch[len(ch)-1].After(t) {
		t = ch[len(ch)-1]
	}
	return t
}

func structureMapChart(b *builder) error {
	p := b.pal
	at := structureDay(b.d, b.v)
	units := b.d.StructureAt(at)
	b.out.Maps = []string{MapKosovo}
	b.out.Title = b.t("chart.title.dated", b.out.Title, at.Format(time.DateOnly))
	if b.v.At.IsZero() {
		b.out.Title = b.t("chart.structure-map.today")
	}

	// Units at one place are drawn side by side, each at its own
	// coordinates shifted by a few pixels, and the place is named once
	// (a camp and its town's centre are a kilometre or so apart: one
	// place at this scale).
	type place struct {
		name     string
		lat, lon float64
		units    []*dataset.Unit
	}
	var places []*place
	byName := map[string]*place{}
	var unplaced []string
	tbl := Table{Caption: b.t("table.structure", at.Format(time.DateOnly)),
		Head: b.heads("formation", "kind", "lead", "camp", "place", "from", "to", "drawn_at", "source")}
	for _, u := range units {
		b.used(u.Source, u.From)
		lead := b.t("unit.lead_none")
		if u.Lead != nil {
			lead = b.nation(u.Lead)
		}
		to := b.t("unit.in_force")
		if !u.To.IsZero() {
			to = u.To.String()
		}
		// Coordinates as the record and the API write them, whatever the
		// language: a comma there would run into the one between them.
		drawn := b.t("unit.drawn.none")
		switch u.Coords {
		case dataset.CoordsSource:
			drawn = b.t("unit.drawn.camp", fmt.Sprintf("%.4f, %.4f", u.Lat, u.Lon))
		case dataset.CoordsTownCentre:
			drawn = b.t("unit.drawn.town", fmt.Sprintf("%.4f, %.4f", u.Lat, u.Lon))
		}
		src := ""
		if u.Source != nil {
			src = u.Source.Publisher + ", " + u.Source.Published.String()
		}
		tbl.Rows = append(tbl.Rows, []string{u.Name, b.unitKinds(u.Kind), lead, u.Camp, b.pr.Place(u.Place), u.From.String(), to, drawn, src})
		if !u.Located() {
			unplaced = append(unplaced, u.Name)
			continue
		}
		if u.CoordsFrom != u.Source {
			b.used(u.CoordsFrom, u.From)
		}
		key := u.Place
		if key == "" {
			key = fmt.Sprintf("%.4f,%.4f", u.Lat, u.Lon)
		}
		pl := byName[key]
		if pl == nil {
			pl = &place{name: u.Place, lat: u.Lat, lon: u.Lon}
			byName[key] = pl
			places = append(places, pl)
		}
		pl.units = append(pl.units, u)
	}

	// The offset of each unit from its coordinates, in pixels: a row
	// centred on the place, in the order the units are listed.
	const step = 16
	offset := map[*dataset.Unit][]int{}
	for _, pl := range places {
		n := len(pl.units)
		for i, u := range pl.units {
			offset[u] = []int{(2*i - (n - 1)) * step / 2, 0}
		}
	}

	c := charts.NewScatter()
	drawnN := 0
	var legend []string
	for _, kind := range dataset.UnitKinds {
		var data []item
		for _, u := range units {
			if u.Kind != kind || !u.Located() {
				continue
			}
			data = append(data, item{Name: u.Name, Value: []float64{u.Lon, u.Lat}, Tip: b.unitTip(u), SymbolOffset: offset[u]})
		}
		if len(data) == 0 {
			continue
		}
		drawnN += len(data)
		sym := unitSymbol[kind]
		label := b.unitKinds(kind)
		legend = append(legend, label)
		// One colour per kind, whichever kinds a date has.
		colour := p.series[slices.Index(dataset.UnitKinds, kind)]
		style := opts.ItemStyle{Color: colour, BorderColor: p.bg, BorderWidth: 1}
		if kind == dataset.OtherUnit {
			// A ring filled with the background: ECharts fills its "empty"
			// symbols white whatever the theme.
			style = opts.ItemStyle{Color: p.bg, BorderColor: colour, BorderWidth: 2.5}
		}
		c.AddSeries(label, nil, withData(data), charts.WithItemStyleOpts(style))
		i := itoa(len(c.MultiSeries) - 1)
		b.set("series."+i+".coordinateSystem", "geo")
		b.set("series."+i+".symbol", sym.Symbol)
		b.set("series."+i+".symbolSize", sym.Size)
		b.set("series."+i+".z", 3)
	}
	// The places' names, once each, above their units; the neighbours'
	// names, where each is in the frame.
	var names, countries []item
	for _, pl := range places {
		names = append(names, item{Name: b.pr.Place(pl.name), Value: []float64{pl.lon, pl.lat}})
	}
	for _, n := range neighbours {
		countries = append(countries, item{Name: b.pr.Nation(n.code), Value: []float64{n.lon, n.lat}, Label: map[string]any{"align": n.align}})
	}
	b.geoLabels(c, b.t("legend.places"), names, map[string]any{"position": "top", "distance": 10,
		"color": p.text, "fontSize": 11, "textBorderColor": p.bg, "textBorderWidth": 3})
	b.geoLabels(c, b.t("legend.countries"), countries, map[string]any{"position": "inside",
		"color": p.muted, "fontSize": 12, "fontStyle": "italic"})

	sub := b.t("chart.structure-map.drawn", len(units), drawnN)
	c.SetGlobalOptions(b.frame(sub, true, 0)...)
	b.set("legend.data", legend)
	// Every key square, as the symbols on the map are: ECharts' 25px-wide
	// default drew the headquarters' square as a bar twice the others.
	b.set("legend.itemWidth", 14)
	b.drop = append(b.drop, "xAxis", "yAxis", "grid")
	b.set("geo", b.kosovoGeo())
	b.chart = c
	b.out.Height = 560
	b.out.Description += " " + b.t("chart.structure-map.on", at.Format(time.DateOnly), len(units), drawnN)
	var note []string
	if len(units) == 0 {
		note = append(note, b.t("note.structure.none"))
	}
	if len(unplaced) > 0 {
		note = append(note, b.t("note.structure.unplaced", strings.Join(unplaced, "; ")))
	}
	note = append(note, b.t("note.structure"))
	b.out.Note = strings.Join(note, " ")
	b.out.Tables = []Table{tbl, b.sourceTable()}
	q := "?date=" + at.Format(time.DateOnly)
	b.out.Data = []Link{{b.t("link.structure", "CSV"), "/api/v1/structure.csv" + q}, {b.t("link.structure", "JSON"), "/api/v1/structure" + q}}
	return nil
}

// geoLabels adds a series of names on the geo component, drawn as labels
// alone (no symbol, no tooltip, above the units), each hidden where it
// would overlap another.
func (b *builder) geoLabels(c *charts.Scatter, name string, data []item, label map[string]any) {
	if len(data) == 0 {
		return
	}
	c.AddSeries(name, nil, withData(data))
	s := "series." + itoa(len(c.MultiSeries)-1) + "."
	label["show"], label["formatter"] = true, "{b}"
	b.set(s+"coordinateSystem", "geo")
	b.set(s+"symbolSize", 0)
	b.set(s+"silent", true)
	b.set(s+"tooltip", map[string]any{"show": false})
	b.set(s+"label", label)
	b.set(s+"labelLayout", map[string]any{"hideOverlap": true})
	b.set(s+"z", 4)
}

// kosovoGeo is the structure map's geo component: Kosovo tinted, its
// neighbours grey, framed on Kosovo.
func (b *builder) kosovoGeo() map[string]any {
	p := b.pal
	// The neighbours run under the source line: it is set on their
	// colour, so that no border crosses its text.
	b.sourceBg = p.land
	return map[string]any{
		"map": MapKosovo, "roam": !b.v.Image, "boundingCoords": kosovoBounds,
		"top": 86, "bottom": 30, "left": 12, "right": 12,
		"silent":    true,
		"label":     map[string]any{"show": false},
		"itemStyle": map[string]any{"areaColor": p.land, "borderColor": p.muted, "borderWidth": 0.8},
		"regions":   []any{map[string]any{"name": "XKX", "itemStyle": map[string]any{"areaColor": p.kosovo, "borderColor": p.text, "borderWidth": 1.4}}},
	}
}

// unitTip is a unit's tooltip.
func (b *builder) unitTip(u *dataset.Unit) string {
	var sb strings.Builder
	sb.WriteString("<b>" + esc(u.Name) + "</b>")
	lead := b.t("unit.lead_none")
	if u.Lead != nil {
		lead = esc(b.nation(u.Lead))
	}
	sb.WriteString("<br/>" + b.t("tip.lead", lead))
	if u.Camp != "" {
		sb.WriteString("<br/>" + b.t("tip.camp", esc(u.Camp)))
	}
	if u.Place != "" {
		sb.WriteString("<br/>" + b.t("tip.place", esc(b.pr.Place(u.Place))))
		if u.Coords == dataset.CoordsTownCentre {
			sb.WriteString(" " + b.t("tip.town_centre"))
		}
	}
	if u.To.IsZero() {
		sb.WriteString("<br/>" + b.t("tip.unit_since", esc(u.From.String())))
	} else {
		sb.WriteString("<br/>" + b.t("tip.unit_period", esc(u.From.String()), esc(u.To.String())))
	}
	sb.WriteString(" · " + b.confidence(u.Confidence))
	sb.WriteString(b.srcTip(u.Source))
	return sb.String()
}

// sourceTable lists the chart's sources.
func (b *builder) sourceTable() Table {
	t := Table{Caption: b.t("table.sources"), Head: b.heads("source", "publisher", "published", "address")}
	for _, s := range b.src.list {
		t.Rows = append(t.Rows, []string{s.ID + ": " + s.Title, s.Publisher, s.Published.String(), s.URL})
	}
	return t
}

// worldMapChart draws the list on one map series, each nation of the list
// shaded by its troops on its membership's colour ramp (computed here, as
// ECharts' continuous visual map would), partners striped, and a legend
// line per ramp: ECharts shades a series' regions by one visual map alone,
// and a second series for the partners drew the world's outlines twice
// (the image took three times as long).
func worldMapChart(b *builder) error {
	p := b.pal
	b.out.Maps = []string{MapWorld}
	choice := ChooseList(b.d, b.v)
	ls := choice.List
	c := charts.NewMap()
	if ls == nil {
		b.out.Note = b.t("chart.no_list")
		b.chart = c
		return nil
	}
	b.used(ls.Source, ls.Date)
	at := ls.Date.Time()
	entries := append([]dataset.Contribution(nil), ls.Entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Troops > entries[j].Troops })
	// Each ramp runs to its membership's largest contingent: the partners'
	// legend read "Partners: 19,000" in 1999, the British figure, when
	// Russia's 3,600 was the most a partner had.
	most := map[bool]int{}
	for _, e := range entries {
		nato := e.Nation.MembershipAt(at) == dataset.NATO
		most[nato] = max(most[nato], e.Troops)
	}

	tbl := Table{Caption: b.t("table.world", ls.Date.String(), b.listSummary(ls)),
		Head: b.heads("nation", "code", "troops", "membership", "confidence")}
	var data []item
	unknown := 0
	for _, e := range entries {
		m := e.Nation.MembershipAt(at)
		ramp := ramps[b.v.Theme][0]
		if m != dataset.NATO {
			ramp = ramps[b.v.Theme][1]
		}
		troops := b.t("tip.troops_not_given")
		var value any = "-"
		// A nation known to contribute without a figure: the grid's grey,
		// darker than the land and off both ramps.
		style := map[string]any{"areaColor": p.grid}
		if e.Troops > 0 {
			troops = b.t("troops", b.num(e.Troops))
			value = e.Troops
			style["areaColor"] = rampColour(ramp, float64(e.Troops)/float64(most[m == dataset.NATO]))
		} else {
			unknown++
		}
		if m != dataset.NATO {
			style["borderColor"], style["decal"] = p.muted, decalStriped
		}
		cell := b.t("table.not_given")
		if e.Troops > 0 {
			cell = b.num(e.Troops)
		}
		tbl.Rows = append(tbl.Rows, []string{b.nation(e.Nation), e.Nation.Code, cell, b.t("table.membership." + string(m)), b.confidence(e.Confidence)})
		tip := "<b>" + esc(b.nation(e.Nation)) + "</b>: " + troops + "<br/>" + b.membershipTip(e.Nation, at) +
			"<br/>" + b.t("tip.list_of", esc(ls.Date.String())) + " · " + b.confidence(e.Confidence) + b.srcTip(ls.Source)
		data = append(data, item{Name: e.Nation.Code, Value: value, Tip: tip, ItemStyle: style})
	}
	c.AddSeries(b.t("chart.nations"), nil, withData(data))
	b.set("series.0.map", MapWorld)
	b.set("series.0.roam", false)
	b.set("series.0.top", 90)
	b.set("series.0.bottom", 30)
	b.set("series.0.left", 8)
	b.set("series.0.right", 8)
	// Europe and its neighbours, where nearly every contributor is, with
	// North America and Argentina in view.
	b.set("series.0.boundingCoords", [][]float64{{-125, 72}, {125, -40}})
	b.set("series.0.itemStyle", map[string]any{"areaColor": p.land, "borderColor": p.muted, "borderWidth": 0.4})
	b.set("series.0.label", map[string]any{"show": false})
	b.set("series.0.emphasis", map[string]any{"label": map[string]any{"show": false}, "itemStyle": map[string]any{"areaColor": p.grid}})
	// Every state's label hidden: ECharts builds a label for each region
	// (a text style, a bounding box) when any state shows one, and the
	// select state's does by default; on 180 regions that was a quarter
	// of the drawing's time.
	b.set("series.0.select", map[string]any{"disabled": true, "label": map[string]any{"show": false}})
	b.set("series.0.showLegendSymbol", false)
	// Aria's decals would pattern every nation of the list; the partners'
	// stripes are set on their regions.
	b.set("aria.decal.show", false)
	b.drop = append(b.drop, "grid")
	b.out.Title = b.t("chart.title.dated", b.out.Title, ls.Date.String())
	natoN, partnerN := ls.Split()
	key := "chart.world-map.key"
	if b.v.Theme == Dark {
		key = "chart.world-map.key_dark"
	}
	summary := b.listSummary(ls)
	c.SetGlobalOptions(b.frame(b.t(key, summary, natoN, partnerN), false, 0)...)
	// A phone shows the list's line alone (the ramps below say which
	// colour is which), broken where it would not fit.
	b.narrowTitle = map[string]any{"subtext": summary,
		"subtextStyle": map[string]any{"fontSize": 11, "width": narrowWidth - 16, "overflow": "break"}}
	// The ramps' legends, one line each for a membership with a figure:
	// "NATO 1 ▮▮▮▮▮ 869", five swatches along its ramp, as titles (a
	// continuous visual map drew a bar but sampled it into a hundred
	// gradient stops, a tenth of the image's time, and shades series where
	// here each region carries its colour). Placed from the top: a title
	// placed from the bottom is the source line, which an image replaces.
	row := 0
	for i, nato := range []bool{true, false} {
		if most[nato] == 0 {
			continue
		}
		ramp := ramps[b.v.Theme][i]
		rich := map[string]any{}
		text := b.t([...]string{"legend.ramp.nato", "legend.ramp.partners"}[i]) + "  1 "
		const swatches = 5
		for k := range swatches {
			name := "s" + itoa(k)
			rich[name] = map[string]any{"backgroundColor": rampColour(ramp, float64(k)/(swatches-1)), "width": 14, "height": 10}
			text += "{" + name + "|}"
		}
		b.headings = append(b.headings, map[string]any{
			"text": text + " " + b.num(most[nato]), "left": 12, "top": itoa(82+6*row) + "%",
			"textStyle": map[string]any{"fontSize": 11, "fontWeight": "normal", "color": p.text, "rich": rich},
		})
		row++
	}
	b.chart = c
	b.out.Height = 480
	b.out.Description += " " + b.t("chart.world-map.split", ls.Date.String(), natoN, partnerN)
	b.out.Note = b.listNote(ls, choice.Why)
	if unknown > 0 {
		b.out.Note += " " + b.t("note.world.grey", unknown)
	}
	if missing := offMap(entries); len(missing) > 0 {
		var names []string
		for _, n := range missing {
			names = append(names, b.nation(n))
		}
		b.out.Note += " " + b.t("note.world.off_map", strings.Join(names, ", "))
	}
	b.out.Tables = []Table{tbl, b.sourceTable()}
	b.out.Data = b.listLinks(ls)
	return nil
}

// rampColour is the colour at t (0 to 1) along ramp, interpolated in RGB
// between its stops, as ECharts' continuous visual map does.
func rampColour(ramp []string, t float64) string {
	t = min(max(t, 0), 1) * float64(len(ramp)-1)
	i := min(int(t), len(ramp)-2)
	f := t - float64(i)
	var a, z [3]int
	fmt.Sscanf(ramp[i], "#%02x%02x%02x", &a[0], &a[1], &a[2])
	fmt.Sscanf(ramp[i+1], "#%02x%02x%02x", &z[0], &z[1], &z[2])
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(float64(a[k]) + (float64(z[k])-float64(a[k]))*f))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}

// ramps are the world map's colour ramps, fewest troops to most, for NATO
// members and partners: the membership colours (palette) from light to
// dark.
var ramps = map[string][2][]string{
	Light: {{"#c6d6ef", "#2458a6", "#0f2a55"}, {"#f6d8bd", "#c25e00", "#5e2d00"}},
	Dark:  {{"#23395c", "#6ea8ff", "#d6e6ff"}, {"#4d3219", "#f5a25d", "#ffe2c7"}},
}

// worldNames are the names of the outlines in geo-world.json: the alpha-3
// codes of the nations dashboard/web/src/geo.js knows (every nation of the
// record). A nation without an outline is listed, not drawn.
var worldNames = sync.OnceValue(func() map[string]bool {
	var fc struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	names := map[string]bool{}
	file, _ := MapFile(MapWorld)
	b, err := assets.Files.ReadFile(file)
	if err == nil && json.Unmarshal(b, &fc) == nil {
		for _, f := range fc.Features {
			names[f.Properties.Name] = true
		}
	}
	return names
})

func offMap(entries []dataset.Contribution) []*dataset.Nation {
	var out []*dataset.Nation
	for _, e := range entries {
		if !worldNames()[e.Nation.Code] {
			out = append(out, e.Nation)
		}
	}
	return out
}
