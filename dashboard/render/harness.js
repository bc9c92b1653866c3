// Run after echarts.min.js and decorate.js in each JS runtime. Go provides
// __kforMeasure (the width in px of a string in a CSS font, measured in
// Liberation Sans) and calls __kforRender for each chart.
(function (g) {
  var echarts = g.echarts;
  // Without a canvas ECharts guesses text widths from a table; measuring
  // with the font that draws makes legends and labels land where the
  // browser puts them.
  echarts.setPlatformAPI({
    measureText: function (text, font) {
      return { width: g.__kforMeasure(String(text), font || '12px sans-serif') };
    }
  });

  // __kforRender draws one chart as an SVG document.
  // locale, when given, is ECharts' locale object (the month names a time
  // axis writes); else ECharts' English.
  g.__kforRender = function (option, theme, width, height, prov, locale) {
    var chart = echarts.init(null, theme === 'dark' ? 'dark' : null, {
      renderer: 'svg', ssr: true, width: width, height: height, locale: locale
    });
    try {
      chart.setOption(g.__kforDecorate(option, theme, prov));
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
})(globalThis);
