package dashboard

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kforstats/kforstats/dashboard/i18n"
)

// overflowing lists what a reader would see cut off or spilling: a box of
// the page (a headline card, the controls, a chart's card, a button, the
// language switch) whose text is wider than the box, and in every chart's
// drawing a text that runs out of the drawing or into the toolbox (where
// ECharts placed it). Albanian and Serbian run longer than English.
const overflowing = `(function () {
  var out = [];
  document.querySelectorAll('.fig, .fig dt, .controls fieldset, .controls label, .top h1, .langs, .button, button, .chart-card, .downloads, summary, .notice, .notice li').forEach(function (el) {
    if (el.classList.contains('sr-only')) { return; } // one pixel wide by design: read aloud, not shown
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push('box ' + (el.className || el.tagName) + ' "' + el.textContent.trim().slice(0, 40) + '": ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
  });
  document.querySelectorAll('.chart').forEach(function (el) {
    var svg = el.querySelector('svg'), c = echarts.getInstanceByDom(el);
    if (!svg || !c) { return; }
    var box = svg.getBoundingClientRect(), o = c.getOption(), title = (o.title && o.title[0] && o.title[0].text) || '';
    // The toolbox's icons where ECharts drew them (not their names,
    // shown on hover only, nor the transparent background).
    var tb = null, tv = (c._componentsViews || []).filter(function (v) { return v && v.type === 'toolbox'; })[0];
    if (tv) {
      tv.group.eachChild(function (icon) {
        if (icon.type !== 'path') { return; } // the transparent background
        var g = icon.getBoundingRect().clone(), m = icon.getComputedTransform();
        if (m) { g.applyTransform(m); }
        var r = {left: box.left + g.x, right: box.left + g.x + g.width, top: box.top + g.y, bottom: box.top + g.y + g.height};
        tb = !tb ? r : {left: Math.min(tb.left, r.left), right: Math.max(tb.right, r.right), top: Math.min(tb.top, r.top), bottom: Math.max(tb.bottom, r.bottom)};
      });
    }
    svg.querySelectorAll('text').forEach(function (t) {
      var r = t.getBoundingClientRect(), s = t.textContent;
      if (!s || r.width === 0 || getComputedStyle(t).display === 'none' || t.closest('[clip-path]')) { return; }
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        out.push(el.getAttribute('data-chart') + ': "' + s.slice(0, 40) + '" runs out of the drawing (' + Math.round(r.left - box.left) + '..' + Math.round(r.right - box.left) + ' of ' + Math.round(box.width) + ')');
      }
      if (tb && r.right > tb.left && r.left < tb.right && r.bottom > tb.top && r.top < tb.bottom) {
        out.push(el.getAttribute('data-chart') + ': ' + (s === title ? 'its title ' : '') + '"' + s.slice(0, 40) + '" runs into the toolbox');
      }
    });
  });
  return out;
})()`

// TestBrowserLanguages loads the page in Albanian, Serbian and Serbian
// Cyrillic, light and dark, and at a phone's width (English too), in
// Chromium: the page
// says its language, every chart is drawn, no text overflows its box or
// runs out of its chart, nothing is logged as an error and nothing is
// fetched from another host. The screenshots are artefacts to look at.
func TestBrowserLanguages(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	origin, _ := url.Parse(base)
	type view struct {
		lang          i18n.Lang
		theme         string
		width, height int64
		query         string // more of the address: values the page cannot use, for its notices
	}
	var views []view
	for _, l := range []i18n.Lang{i18n.Albanian, i18n.Serbian, i18n.SerbianCyrillic} {
		views = append(views, view{l, "light", 1280, 900, ""}, view{l, "dark", 1280, 900, ""})
	}
	// English at a phone's width too: the same checks hold for it.
	views = append(views, view{i18n.Albanian, "light", 390, 844, ""}, view{i18n.SerbianCyrillic, "dark", 390, 844, ""}, view{i18n.English, "light", 390, 844, ""})
	// The notices, which run longest, on a phone.
	const bad = "from=2015&to=2010&date=1998&nation=XYZ&theme=pink"
	views = append(views, view{i18n.Albanian, "light", 390, 844, bad}, view{i18n.SerbianCyrillic, "light", 390, 844, bad})
	for _, v := range views {
		name := fmt.Sprintf("%s-%s-%d", v.lang.Code, v.theme, v.width)
		if v.query != "" {
			name += "-notices"
		}
		t.Run(name, func(t *testing.T) {
			q, err := url.ParseQuery(v.query)
			if err != nil {
				t.Fatal(err)
			}
			q.Set("lang", v.lang.Code)
			if q.Get("theme") == "" {
				q.Set("theme", v.theme)
			}
			ctx, pl := openTab(t, bctx, base+"/?"+q.Encode(), v.width, v.height)
			states := drawAll(t, ctx, pl)
			if len(states) < 9 {
				t.Errorf("%d charts drawn, want 9", len(states))
			}
			if v.query != "" {
				notices, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.notice li')).map(function (li) { return li.textContent; })`))
				if err != nil || len(notices) != 4 {
					t.Errorf("notices %q (%v), want 4 (from, date, nation, theme)", notices, err)
				}
				for _, n := range notices {
					if strings.Contains(n, "showing") || strings.Contains(n, "is not") {
						t.Errorf("notice in English: %q", n)
					}
				}
			}
			lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
			if err != nil || lang != v.lang.Code {
				t.Errorf("<html lang> = %q (%v), want %q", lang, err, v.lang.Code)
			}
			title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('h1').textContent`))
			if want := i18n.NewPrinter(v.lang).T("page.title"); err != nil || title != want {
				t.Errorf("heading = %q (%v), want %q", title, err, want)
			}
			over, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowing))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range over {
				t.Errorf("overflows: %s", o)
			}
			if side, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); err == nil && side > 0 {
				t.Errorf("page scrolls sideways by %dpx", side)
			}
			shot, err := fullPageShot(ctx)
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			saveShot(t, filepath.Join("testdata", "artefacts", "dashboard-lang-"+name+".png"), shot)
			pl.check(t, origin.Host)
		})
	}
}

// TestBrowserMonths: a reader who zooms the strength chart to one year
// sees its time axis name the months in the page's language (ECharts
// writes "Feb" in every language unless told otherwise).
func TestBrowserMonths(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	for _, l := range []i18n.Lang{i18n.English, i18n.Albanian, i18n.SerbianCyrillic} {
		t.Run(l.Code, func(t *testing.T) {
			ctx, _ := openPage(t, bctx, base+"/?lang="+l.Code, 1280, 900)
			const zoom = `(function () {
  var c = echarts.getInstanceByDom(document.getElementById('chart-strength'));
  c.dispatchAction({type: 'dataZoom', startValue: Date.UTC(2010, 0, 1), endValue: Date.UTC(2010, 11, 31)});
  return true;
})()`
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](zoom)); err != nil {
				t.Fatal(err)
			}
			own, english := map[string]bool{}, map[string]bool{}
			for m := 1; m <= 12; m++ {
				own[i18n.NewPrinter(l).T("month.abbr."+strconv.Itoa(m))] = true
				english[i18n.NewPrinter(i18n.English).T("month.abbr."+strconv.Itoa(m))] = true
			}
			var mine, other []string
			deadline := time.Now().Add(10 * time.Second)
			for len(mine) < 3 && time.Now().Before(deadline) {
				texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#chart-strength svg text')).map(function (t) { return t.textContent; })`))
				if err != nil {
					t.Fatal(err)
				}
				mine, other = nil, nil
				for _, s := range texts {
					switch {
					case own[s]:
						mine = append(mine, s)
					case english[s]:
						other = append(other, s)
					}
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(mine) < 3 || (l.Code != i18n.English.Code && len(other) > 0) {
				t.Errorf("zoomed to 2010, the time axis names the months %q in %s and %q in English; want at least 3, all in %s", mine, l.Code, other, l.Code)
			}
		})
	}
}
