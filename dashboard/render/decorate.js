// decorate makes an exported image stand on its own: the chart's title when
// the option has none, a source line at the bottom, an opaque background,
// and no animation (it would put CSS keyframes into the SVG). The server
// runs it before drawing; the browser comparison test loads this same file
// so that Chromium draws the very option the server drew.
(function (g) {
  function asArray(v) {
    if (v == null) return [];
    return Array.isArray(v) ? v : [v];
  }

  g.__kforDecorate = function (option, theme, prov) {
    var dark = theme === 'dark';
    option.animation = false;
    if (option.backgroundColor == null && !dark) option.backgroundColor = '#ffffff';
    var muted = dark ? '#b9b8ce' : '#6e7079';
    var titles = asArray(option.title);
    var hasTitle = titles.some(function (t) { return t && t.text; });
    if (!hasTitle && prov.title) {
      titles.unshift({ text: prov.title, left: 12, top: 10 });
    }
    if (prov.footer) {
      titles.push({
        text: prov.footer, left: 12, bottom: 8, z: 10,
        textStyle: { fontSize: 11, fontWeight: 'normal', color: muted }
      });
      // Room for the source line under whatever sits at the bottom.
      var bump = function (c) {
        if (c && typeof c.bottom === 'number') c.bottom += 18;
      };
      asArray(option.grid).forEach(bump);
      asArray(option.dataZoom).forEach(function (z) {
        if (z && z.type === 'slider') bump(z);
      });
      asArray(option.legend).forEach(bump);
    }
    option.title = titles;
    return option;
  };
})(globalThis);
