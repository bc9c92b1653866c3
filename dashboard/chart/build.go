package chart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// echart is what every go-echarts chart type offers.
type echart interface {
	Validate()
	JSONNotEscaped() template.HTML
}

// builder gathers one chart's option while a maker builds it.
type builder struct {
	d    *dataset.Dataset
	v    View
	spec Spec
	pal  palette
	// pr writes the chart's text in the view's language.
	pr *i18n.Printer

	chart   echart
	patches []patch
	narrow  map[string]any // more option for charts at most 480px wide
	// narrowTitle is more option for the main title at most 480px wide.
	narrowTitle map[string]any
	// headings are more titles, placed by the maker (the folded bars'
	// heading on the nations chart).
	headings []map[string]any
	// sourceBg is the source line's background, where the drawing runs
	// under it (the Kosovo map's neighbours); empty for none.
	sourceBg string
	src      sourceSet
	asOf     dataset.Date
	out      Option
	// drop are top-level option keys go-echarts writes that the chart
	// must not have (the maps' scatter has no cartesian axes).
	drop []string
}

// patch sets a field that go-echarts v2.6.7 has no option for, at a dotted
// path into the option ("toolbox.feature.saveAsImage.pixelRatio"; numbers
// index arrays).
type patch struct {
	path  string
	value any
}

func newBuilder(d *dataset.Dataset, v View, spec Spec) *builder {
	if v.Theme != Dark {
		v.Theme = Light
	}
	lang, _ := i18n.Parse(v.Lang) // "" (not named) is English
	b := &builder{d: d, v: v, spec: spec, pal: palettes[v.Theme], pr: i18n.NewPrinter(lang)}
	b.out = Option{ID: spec.ID, Title: b.t("chart." + spec.ID), Description: b.t("chart." + spec.ID + ".description"), Height: 420, Locale: b.pr.ECharts()}
	if v.Theme == Dark {
		b.out.Theme = "dark"
	}
	return b
}

// t is message id of the catalogue in the view's language.
func (b *builder) t(id string, args ...any) string { return b.pr.T(id, args...) }

// english reports whether the chart is drawn in English, whose text
// ECharts' own defaults already are.
func (b *builder) english() bool { return b.pr.Lang().Code == i18n.English.Code }

// num writes an integer with the language's digit grouping: 12,345 in
// English, 12 345 in Albanian, 12.345 in Serbian.
func (b *builder) num(n int) string { return b.pr.Number(n) }

// signed writes a change with its sign: +1,200 or -4,500.
func (b *builder) signed(n int) string {
	if n > 0 {
		return "+" + b.num(n)
	}
	return b.num(n)
}

// percent writes a percentage with one decimal: 91.4%, or 91,4%.
func (b *builder) percent(v float64) string { return b.pr.Percent(v, 1, false) }

// nation is a nation's name as the chart shows it: the record's English
// name in English (Türkiye, where x/text's CLDR still says Turkey), else
// CLDR's in the view's language.
func (b *builder) nation(n *dataset.Nation) string {
	if c := b.pr.Lang().Code; c == i18n.English.Code || c == i18n.Pseudo.Code {
		return n.Name
	}
	return b.pr.Nation(n.Code)
}

// confidence is a figure's confidence in words.
func (b *builder) confidence(c dataset.Confidence) string { return b.t("confidence." + string(c)) }

// set records a patch.
func (b *builder) set(path string, value any) { b.patches = append(b.patches, patch{path, value}) }

// used records that the chart draws a figure of date dt from src.
func (b *builder) used(src *dataset.Source, dt dataset.Date) {
	b.src.add(src)
	if b.asOf.IsZero() || b.asOf.Before(dt) {
		b.asOf = dt
	}
}

// frame returns the options every chart shares: background, palette,
// title (with subtitle, may be ""), a one-line legend when legend is set,
// the grid, toolbox, tooltip and no animation (an image export must not
// catch a chart mid-animation, and the page draws the same option).
// bottom is the room below the plot for more than the axis labels and the
// source line.
// imageTitle is the chart's title as drawn: an image, which stands alone
// when pasted, names KFOR ("KFOR: Troops by nation, 2023"); the page says
// it in its heading.
func (b *builder) imageTitle() string {
	if b.v.Image && !strings.Contains(b.out.Title, "KFOR") && !strings.Contains(b.out.Title, i18n.ToCyrillic("KFOR")) {
		return b.t("chart.image_title", b.out.Title)
	}
	return b.out.Title
}

func (b *builder) frame(subtitle string, legend bool, bottom int) []charts.GlobalOpts {
	p := b.pal
	top := 34 // below the title
	if subtitle != "" {
		top = 52
	}
	lg := opts.Legend{Show: opts.Bool(false)}
	if legend {
		lg = opts.Legend{Show: opts.Bool(true), Type: "scroll", Left: "8", Right: "8", Top: itoa(top), TextStyle: &opts.TextStyle{Color: p.text}}
		top += 26
	}
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: p.bg, ChartID: b.spec.ID}),
		charts.WithColorsOpts(p.series),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{
			Title: b.imageTitle(), Subtitle: subtitle, Left: "8", Top: "4",
			TitleStyle:    &opts.TextStyle{Color: p.text, FontSize: 16},
			SubtitleStyle: &opts.TextStyle{Color: p.muted, FontSize: 12},
		}),
		charts.WithToolboxOpts(opts.Toolbox{
			Show: opts.Bool(true), Right: "8", Top: "4",
			Feature: &opts.ToolBoxFeature{
				SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Type: "png", Name: "kforstats-" + b.spec.ID, Title: b.t("toolbox.save", "PNG")},
				DataView: &opts.ToolBoxFeatureDataView{Show: opts.Bool(true), Title: b.t("toolbox.data_view"),
					Lang: []string{b.out.Title, b.t("toolbox.close"), b.t("toolbox.refresh")}, BackgroundColor: p.bg},
				Restore: &opts.ToolBoxFeatureRestore{Show: opts.Bool(true), Title: b.t("toolbox.reset")},
			},
		}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item", Formatter: tipFormatter}),
		charts.WithLegendOpts(lg),
		charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Top: itoa(top + 30), Bottom: itoa(bottom + 26), ContainLabel: opts.Bool(true)}),
	}
}

// tipFormatter shows the tooltip text each data item carries in its "tip"
// field, written and HTML-escaped in Go: one small function for every
// chart, and no dataset text ever reaches the tooltip unescaped.
var tipFormatter = opts.FuncOpts(`function (p) {
	var a = [].concat(p);
	for (var i = 0; i < a.length; i++) {
		if (a[i] && a[i].data && a[i].data.tip) { return a[i].data.tip; }
	}
	return '';
}`)

// dataViewContent lays out the toolbox's data view as one table per
// series, with dates as YYYY-MM-DD (ECharts' own view shows a time axis in
// milliseconds) and category names beside their values.
var dataViewContent = opts.FuncOpts(`function (opt) {
	function esc(s) {
		return String(s).replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; });
	}
	function day(v) {
		if (typeof v !== 'number') { return v; }
		var d = new Date(v), p = function (n) { return (n < 10 ? '0' : '') + n; };
		return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());
	}
	var axes = [].concat(opt.yAxis || [], opt.xAxis || []);
	var cats = null, time = false;
	axes.forEach(function (a) {
		if (a && a.type === 'category' && a.data) { cats = a.data; }
		if (a && a.type === 'time') { time = true; }
	});
	var out = '';
	(opt.series || []).forEach(function (s) {
		var rows = '';
		(s.data || []).forEach(function (d, i) {
			var v = d && d.value !== undefined ? d.value : d;
			if (v === '-' || v == null) { return; }
			var k = d && d.name ? d.name : (cats ? cats[i] : '');
			if (Array.isArray(v)) { k = time ? day(v[0]) : v[0]; v = v[1]; }
			rows += '<tr><td>' + esc(k) + '</td><td style="text-align:right">' + esc(v) + '</td></tr>';
		});
		if (rows) {
			out += '<table style="margin:0 0 12px;border-collapse:collapse"><caption style="text-align:left;font-weight:bold">' + esc(s.name) + '</caption>' + rows + '</table>';
		}
	});
	return '<div style="padding:8px;font:13px sans-serif;overflow:auto">' + out + '</div>';
}`)

// finish validates the chart, applies the patches and encodes the option.
func (b *builder) finish() (Option, map[string]any, error) {
	o := b.out
	b.chart.Validate()
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b.chart.JSONNotEscaped())))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return Option{}, nil, fmt.Errorf("decoding the go-echarts option: %w", err)
	}
	p := b.pal
	common := []patch{
		{"toolbox.feature.saveAsImage.pixelRatio", 2},
		{"toolbox.feature.dataView.readOnly", true},
		{"toolbox.feature.dataView.optionToContent", string(dataViewContent)},
		{"toolbox.feature.dataView.textColor", p.text},
		{"toolbox.feature.dataView.textareaColor", p.bg},
		{"toolbox.feature.dataView.textareaBorderColor", p.muted},
		{"toolbox.feature.dataView.buttonColor", p.series[0]},
		{"toolbox.iconStyle.borderColor", p.muted},
		{"tooltip.confine", true},
		{"aria.enabled", true},
		{"aria.label.enabled", true},
		{"aria.label.description", o.Description},
		{"aria.decal.show", true},
		{"textStyle.fontFamily", "Liberation Sans, Arial, Helvetica, sans-serif"},
	}
	for _, pt := range append(common, b.patches...) {
		if err := setPath(obj, pt.path, pt.value); err != nil {
			return Option{}, nil, err
		}
	}
	for _, k := range b.drop {
		delete(obj, k)
	}
	// An image has nothing to click: no zoom slider, toolbox or brush.
	if b.v.Image {
		delete(obj, "dataZoom")
		delete(obj, "toolbox")
		delete(obj, "brush")
	}
	// aria.decal.show gives every series a pattern; only the NATO/partner
	// series set theirs, the others stay plain. Not a map series: each of
	// its regions outside its data takes the series' decal, and a region
	// with one, even an empty one, is drawn a second time with the pattern
	// (the world map's 220 regions twice); the world map turns aria's
	// decals off and sets the partners' region by region.
	if series, ok := obj["series"].([]any); ok {
		for _, sr := range series {
			m, ok := sr.(map[string]any)
			if !ok || m["type"] == "map" {
				continue
			}
			st, _ := m["itemStyle"].(map[string]any)
			if st == nil {
				st = map[string]any{}
				m["itemStyle"] = st
			}
			if _, ok := st["decal"]; !ok {
				st["decal"] = decalNone
			}
		}
	}
	// The source line goes under the plot, as a second title, so that an
	// image carries its provenance; on a narrow chart it is cut short (the
	// page lists every source under the chart).
	source := map[string]any{
		"text": b.sourceLine(), "left": 8, "bottom": 4,
		"textStyle": map[string]any{"color": p.muted, "fontSize": 11, "fontWeight": "normal"},
	}
	if b.sourceBg != "" {
		// The same place as without: ECharts pads a title by 5px.
		source["backgroundColor"], source["padding"], source["bottom"] = b.sourceBg, []int{2, 5}, 7
	}
	titles := []any{obj["title"], source}
	for _, h := range b.headings {
		titles = append(titles, h)
	}
	obj["title"] = titles
	// A subtitle that does not fit a phone's card ends in an ellipsis (the
	// table under the chart says it whole): an Albanian or Serbian summary
	// of a partial list ran 30-100 px out of the drawing.
	mainTitle := map[string]any{"textStyle": map[string]any{"fontSize": 14},
		"subtextStyle": map[string]any{"width": narrowWidth - 16, "overflow": "truncate"}}
	for k, v := range b.narrowTitle {
		mainTitle[k] = v
	}
	// On a phone the toolbox leaves the title's line (a title in Albanian
	// or Serbian would run under it) for the source line's, whose text
	// then ends short of it.
	sourceWidth := narrowWidth - 16
	if tb, ok := obj["toolbox"].(map[string]any); ok {
		tools := 0
		features, _ := tb["feature"].(map[string]any)
		for k, f := range features {
			m, ok := f.(map[string]any)
			switch types, _ := m["type"].([]any); {
			case !ok || m["show"] == false:
			case len(types) > 0: // the brush's, one icon a type
				tools += len(types)
			case k == "dataZoom": // zoom and back
				tools += 2
			default:
				tools++
			}
		}
		sourceWidth -= tools*(narrowTool+narrowToolGap) + 8
	}
	narrow := map[string]any{"title": []any{
		mainTitle,
		map[string]any{"textStyle": map[string]any{"fontSize": 10, "width": sourceWidth, "overflow": "truncate"}},
	}}
	if _, ok := obj["toolbox"]; ok {
		narrow["toolbox"] = map[string]any{"bottom": 2, "itemSize": narrowTool, "itemGap": narrowToolGap}
		// The plot or map rises by the icons' height above the bottom
		// line (a chart laying out its own narrow grid places it).
		if grids, ok := obj["grid"].([]any); ok && len(grids) == 1 {
			if g, ok := grids[0].(map[string]any); ok {
				if bottom, err := strconv.Atoi(fmt.Sprint(g["bottom"])); err == nil {
					narrow["grid"] = []any{map[string]any{"bottom": bottom + narrowTool + 4}}
				}
			}
		}
		if g, ok := obj["geo"].(map[string]any); ok {
			if bottom, ok := g["bottom"].(int); ok {
				narrow["geo"] = map[string]any{"bottom": bottom + narrowTool + 4}
			}
		}
	}
	for k, v := range b.narrow {
		narrow[k] = v
	}
	if !b.english() {
		b.localise(obj)
	}
	obj = map[string]any{"baseOption": obj, "media": []any{map[string]any{
		"query": map[string]any{"maxWidth": 480}, "option": narrow,
	}}}
	js, err := encodeJS(obj)
	if err != nil {
		return Option{}, nil, err
	}
	o.JS = js
	o.Sources = b.src.list
	o.AsOf = b.asOf
	return o, obj, nil
}

// The narrowest drawing laid out (a 320 px phone's card) and the
// toolbox's icons on a phone.
const narrowWidth, narrowTool, narrowToolGap = 280, 13, 7

// setPath sets value at a dotted path in obj, making maps on the way.
func setPath(obj map[string]any, path string, value any) error {
	keys := strings.Split(path, ".")
	var cur any = obj
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[k] = value
				return nil
			}
			next, ok := c[k]
			if !ok || next == nil {
				next = map[string]any{}
				c[k] = next
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("patch %s: no element %q", path, k)
			}
			if last {
				c[n] = value
				return nil
			}
			cur = c[n]
		default:
			return fmt.Errorf("patch %s: %q is not an object or array", path, strings.Join(keys[:i], "."))
		}
	}
	return nil
}

// funcString matches a JSON string holding a go-echarts function marker.
var funcString = regexp.MustCompile(`"__f__(?:[^"\\]|\\.)*?__f__"`)

// encodeJS writes the option as compact JavaScript: JSON, except that the
// strings go-echarts marked as functions become the functions' source. Each
// marked string is unquoted as JSON first, so quotes and backslashes in a
// function survive (go-echarts' own page renderer leaves them escaped).
func encodeJS(obj map[string]any) (string, error) {
	raw, err := encodeJSON(obj, "")
	if err != nil {
		return "", err
	}
	var bad error
	js := funcString.ReplaceAllFunc(raw, func(m []byte) []byte {
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			bad = err
			return m
		}
		return []byte(strings.TrimSuffix(strings.TrimPrefix(s, "__f__"), "__f__"))
	})
	if bad != nil {
		return "", fmt.Errorf("unquoting a function: %w", bad)
	}
	return string(js), nil
}

// encodeJSON writes v as JSON without HTML escaping, indented when indent
// is not empty.
func encodeJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the option: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// esc escapes dataset text for a tooltip, which ECharts renders as HTML.
func esc(s string) string { return html.EscapeString(s) }

// Thousands formats an integer with commas between thousands, as English
// writes it: 12,345. A chart writes its numbers in its view's language.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// pct formats a ratio as a percentage with one decimal: 0.914 -> 91.4.
func pct(r float64) float64 {
	return float64(int(r*1000+sign(r)*0.5)) / 10
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// sourceLine credits the chart's sources in one line, under the plot.
func (b *builder) sourceLine() string {
	if b.asOf.IsZero() {
		return b.t("source.line", publishers(b.pr, b.src.list, 1), "kforstats")
	}
	return b.t("source.line_dated", publishers(b.pr, b.src.list, 1), "kforstats", b.asOf.String())
}

// srcTip is a source as a tooltip line.
func (b *builder) srcTip(s *dataset.Source) string {
	if s == nil {
		return ""
	}
	return "<br/>" + b.t("tip.source", esc(s.Publisher), esc(s.Published.String()))
}

// localise gives option obj, in a language other than English, the text
// ECharts would otherwise write itself in English: the brush's buttons,
// and the numbers of the value axes, which ECharts groups with commas
// (4,700) whatever the page's language.
func (b *builder) localise(obj map[string]any) {
	if tb, ok := obj["toolbox"].(map[string]any); ok {
		if f, ok := tb["feature"].(map[string]any); ok && f["brush"] != nil {
			if br, ok := f["brush"].(map[string]any); ok {
				br["title"] = map[string]any{"lineX": b.t("toolbox.brush"), "clear": b.t("toolbox.brush_clear")}
			}
		}
	}
	group, decimal := b.pr.Separators()
	format := opts.FuncOpts(fmt.Sprintf(`function (v) {
	var s = String(v).split('.');
	s[0] = s[0].replace(/\B(?=(\d{3})+(?!\d))/g, %q);
	return s.join(%q);
}`, group, decimal))
	for _, key := range []string{"xAxis", "yAxis"} {
		axes, ok := obj[key].([]any)
		if !ok {
			if one, ok := obj[key].(map[string]any); ok {
				axes = []any{one}
			}
		}
		for _, a := range axes {
			ax, ok := a.(map[string]any)
			if !ok || (ax["type"] != "value" && ax["type"] != "log") {
				continue
			}
			label, _ := ax["axisLabel"].(map[string]any)
			if label == nil {
				label = map[string]any{}
				ax["axisLabel"] = label
			}
			if f, _ := label["formatter"].(string); f == "" {
				label["formatter"] = string(format)
			}
		}
	}
}
