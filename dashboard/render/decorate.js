// decorate makes an exported image stand on its own: the chart's title when
// the option has none, the footer as the source line at the bottom (in place
// of the words of the option's own, a title placed at the bottom), an opaque background, no toolbox (the
// page's own "save as image" leaves it out too) and no animation (it would
// put CSS keyframes into the SVG). The server runs it before drawing; the
// browser comparison test loads this same file so that Chromium draws the
// very option the server drew.
(function (g) {
  function asArray(v) {
    if (v == null) return [];
    return Array.isArray(v) ? v : [v];
  }

  // px reads a layout distance given as a number or as a string of digits
  // ("56"); percentages and keywords give NaN and are left alone.
  function px(v) {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*(px)?\s*$/.test(v)) return parseFloat(v);
    return NaN;
  }

  g.__kforDecorate = function (option, theme, prov) {
    // An option with media queries keeps its components in baseOption.
    var base = option.baseOption || option;
    var media = asArray(option.media).map(function (m) { return (m && m.option) || {}; });
    var dark = theme === 'dark';
    option.animation = false;
    base.animation = false;
    if (base.backgroundColor == null && !dark) base.backgroundColor = '#ffffff';
    // The page's own drawing (prov.page) keeps its toolbox: its script
    // takes the drawing over, and the toolbox must not appear then.
    if (!prov.page) {
      [base].concat(media).forEach(function (o) {
        asArray(o.toolbox).forEach(function (t) { if (t) t.show = false; });
      });
    }
    var muted = dark ? '#b9b8ce' : '#6e7079';
    var titles = asArray(base.title);
    var main = null;
    var hasFooter = false;
    titles.forEach(function (t) {
      if (!t) return;
      if (t.bottom != null) {
        // The option's own source line: the image's footer replaces its
        // words (the page's line leaves the full list to the page).
        hasFooter = true;
        if (prov.footer) t.text = prov.footer;
      } else if (!main && t.text) main = t;
    });
    if (!main && prov.title) {
      main = { text: prov.title, left: 8, top: 4 };
      titles.unshift(main);
    }
    if (prov.footer && !hasFooter) {
      titles.push({
        text: prov.footer, left: 8, bottom: 6, z: 10,
        textStyle: { fontSize: 11, fontWeight: 'normal', color: muted }
      });
      // Room for the footer under whatever sits at the bottom.
      var lift = function (c) {
        var b = c ? px(c.bottom) : NaN;
        if (!isNaN(b)) c.bottom = b + 18;
      };
      [base].concat(media).forEach(function (o) {
        asArray(o.grid).forEach(lift);
        asArray(o.dataZoom).forEach(function (z) {
          if (z && z.type === 'slider') lift(z);
        });
        asArray(o.legend).forEach(lift);
      });
    }
    base.title = titles;
    // Hover states are of no use in an image, and building them costs.
    // The emphasis label is hidden too: a map series shows it by default,
    // and a label shown in any state makes ECharts build one (a text
    // style, a bounding box of every outline) for each region.
    asArray(base.series).forEach(function (se) {
      if (!se) return;
      se.emphasis = { disabled: true, label: { show: false } };
      if (se.markLine) se.markLine.emphasis = { disabled: true };
      if (se.markArea) se.markArea.emphasis = { disabled: true };
      if (se.markPoint) se.markPoint.emphasis = { disabled: true };
    });
    return option;
  };
})(globalThis);
