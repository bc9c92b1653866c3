// kforstats dashboard: draws the charts whose options /options.js hands to
// kfor.draw. No inline script anywhere, so the page runs under a
// Content-Security-Policy of script-src 'self'.
//
// A page whose charts the server drew (each .chart holds its SVG) is
// complete without this script; this script then takes each drawing over
// with an interactive chart of the same option, size and renderer (SVG),
// in the same task, so that no frame shows neither or both. Such a page
// names ECharts and its options on this script's tag (data-echarts,
// data-options): they are fetched once the page has been painted, so that
// the first paint, with every chart, waits for none of them. ECharts is an
// ES module (dashboard/web/src/page.js); the maps' parts of it come only
// when a map scrolls into view, with the map's outlines.
(function () {
  'use strict';
  var charts = [];
  var drawn = []; // {chart, el, option, narrow} per chart
  var pending = 0;

  // The options' media rule (dashboard/chart) is for a chart at most this
  // wide. ECharts merges the rule in when a chart narrows past it, but
  // widening again does not take it out: the chart keeps its phone layout.
  var NARROW = 480;
  function isNarrow(el) { return el.clientWidth <= NARROW; }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function isoDay(ms) {
    var d = new Date(ms);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  // The strength chart's zoom fills in the date-range fields, so that
  // "Show" applies it to every chart, and puts it in the address at once
  // (replaceState: no reload, no history entry per drag), so that a zoomed
  // view can be linked to. Zoomed all the way out, the range leaves it.
  function followZoom(chart) {
    var form = document.querySelector('form.controls');
    if (!form) { return; }
    chart.on('datazoom', function () {
      var dz = (chart.getOption().dataZoom || [])[0];
      if (!dz || dz.startValue == null || dz.endValue == null) { return; }
      var whole = dz.start <= 0 && dz.end >= 100;
      form.elements.from.value = whole ? '' : isoDay(dz.startValue);
      form.elements.to.value = whole ? '' : isoDay(dz.endValue);
      if (!window.history || !window.URL) { return; }
      var u = new URL(window.location.href);
      ['from', 'to'].forEach(function (k) {
        if (form.elements[k].value) { u.searchParams.set(k, form.elements[k].value); } else { u.searchParams.delete(k); }
      });
      window.history.replaceState(null, '', u.pathname + u.search + u.hash);
    });
    // Brushing a span of time zooms to it.
    chart.on('brushEnd', function (e) {
      var a = e.areas && e.areas[0];
      if (!a || !a.coordRange) { return; }
      chart.dispatchAction({ type: 'dataZoom', startValue: a.coordRange[0], endValue: a.coordRange[1] });
      chart.dispatchAction({ type: 'brush', areas: [] });
    });
  }

  // The map outlines, fetched once each by URL (two maps' names may share
  // a file), as promises of the parsed GeoJSON.
  var outlines = {};
  function outline(url) {
    if (!outlines[url]) {
      outlines[url] = fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) { throw new Error('GET ' + url + ': ' + r.status); }
        return r.json();
      });
    }
    return outlines[url];
  }

  // drawMap draws a chart on maps (data-maps: {name: outline URL}) once it
  // comes near the viewport: the outlines (tens of KB) stay out of the
  // first load, and a reader who never scrolls to a map never fetches one.
  function drawMap(el, maps, start) {
    var go = function () {
      var names = Object.keys(maps);
      // The maps' parts of ECharts (page.js) come with the outlines.
      var parts = window.kforMapParts ? window.kforMapParts() : Promise.resolve();
      Promise.all([parts].concat(names.map(function (n) { return outline(maps[n]); }))).then(function (got) {
        var geos = got.slice(1);
        names.forEach(function (n, i) {
          if (!echarts.getMap(n)) { echarts.registerMap(n, geos[i]); }
        });
        start();
      }).catch(function (err) {
        el.setAttribute('data-rendered', 'failed');
        el.textContent = 'The map could not be loaded: ' + err.message;
      });
    };
    whenNear(el, go);
  }

  // whenNear calls f once el comes within 300 px of the viewport.
  function whenNear(el, f) {
    if (!('IntersectionObserver' in window)) { f(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        seen.disconnect();
        f();
      }
    }, { rootMargin: '300px 0px' });
    seen.observe(el);
  }

  // near reports whether a box is within 300 px of the viewport now.
  function near(el) {
    var r = el.getBoundingClientRect();
    return r.bottom > -300 && r.top < window.innerHeight + 300;
  }

  function draw(list) {
    // Every box's size is read before any chart is drawn, and handed to
    // ECharts: reading it between drawings would lay the whole page out
    // again for each chart.
    var sizes = list.map(function (c) {
      var el = document.getElementById('chart-' + c.id);
      if (!el) { return null; }
      if (!el.hasAttribute('data-drawn')) { el.style.height = (c.height || 420) + 'px'; }
      return { width: el.clientWidth, height: parseInt(el.style.height, 10) || c.height || 420,
        later: el.hasAttribute('data-maps') || (el.hasAttribute('data-drawn') && !near(el)) };
    });
    // data-charts=ready counts the charts drawn at load: not the maps,
    // which wait to be scrolled to, nor the server's drawings out of view,
    // which the script takes over as they come near (they are there to
    // see meanwhile).
    pending = sizes.filter(function (sz) { return sz && !sz.later; }).length;
    list.forEach(function (c, i) {
      var el = document.getElementById('chart-' + c.id);
      if (!el) { return; }
      var maps = el.getAttribute('data-maps');
      var start = function (counted, size) {
        // The server's drawing goes in the same task as the chart comes,
        // before any frame is painted.
        var drawnBy = el.querySelector(':scope > svg');
        if (drawnBy) { el.removeChild(drawnBy); }
        el.removeAttribute('data-drawn'); // the box takes the chart's height (app.css)
        var opts = { renderer: 'svg' };
        if (size) { opts.width = size.width; opts.height = size.height; }
        if (c.locale) { opts.locale = c.locale; } // the months a time axis names, in the page's language
        var chart = echarts.init(el, c.theme || null, opts);
        chart.on('finished', function once() {
          chart.off('finished', once);
          el.setAttribute('data-rendered', 'true');
          if (counted && --pending === 0) { document.documentElement.setAttribute('data-charts', 'ready'); }
        });
        chart.setOption(c.option);
        if (c.id === 'strength') { followZoom(chart); }
        charts.push(chart);
        drawn.push({ chart: chart, el: el, option: c.option, narrow: (size ? size.width : el.clientWidth) <= NARROW });
      };
      if (maps) {
        drawMap(el, JSON.parse(maps), function () { start(false); });
        return;
      }
      if (sizes[i].later) {
        whenNear(el, function () { start(false); });
        return;
      }
      start(true, sizes[i]);
    });
    if (pending === 0) { document.documentElement.setAttribute('data-charts', 'ready'); }
  }

  var frame = 0;
  function resize() {
    if (frame) { return; }
    frame = window.requestAnimationFrame(function () {
      frame = 0;
      drawn.forEach(function (d) {
        d.chart.resize({ width: 'auto', height: 'auto' }); // the box's size now, not the size given at init
        var n = isNarrow(d.el);
        if (n !== d.narrow) {
          d.narrow = n;
          relayout(d);
        }
      });
    });
  }
  window.addEventListener('resize', resize);

  // relayout draws a chart afresh from its option, so that ECharts applies
  // the media rule for its width, and only that, over the base option; the
  // zoom the reader chose is kept.
  function relayout(d) {
    var dz = (d.chart.getOption().dataZoom || [])[0];
    d.chart.setOption(d.option, { notMerge: true });
    if (dz && dz.startValue != null && dz.endValue != null && !(dz.start <= 0 && dz.end >= 100)) {
      d.chart.dispatchAction({ type: 'dataZoom', startValue: dz.startValue, endValue: dz.endValue });
    }
  }

  window.kfor = { draw: draw, charts: charts };

  // A page drawn by the server: fetch ECharts (an ES module) and the
  // options (which call kfor.draw) at once, after the first paint; the
  // charts are drawn once both have come.
  var me = document.currentScript;
  var lib = me && me.getAttribute('data-echarts');
  var later = null; // the options handed over before ECharts came
  if (lib) {
    later = [];
    window.kfor.draw = function (list) { later.push(list); };
    window.requestAnimationFrame(function () {
      setTimeout(function () {
        var loaded = import(lib);
        var s = document.createElement('script');
        s.src = me.getAttribute('data-options');
        document.head.appendChild(s);
        loaded.then(function () {
          window.kfor.draw = draw;
          later.forEach(draw);
        });
      }, 0);
    });
  }
})();