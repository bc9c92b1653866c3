// Run before echarts.min.js in each JS runtime: the few browser globals
// ECharts touches at load and init time. Server-side rendering draws one
// frame synchronously, so the timers are stubs that never fire: a real
// timer would keep zrender rescheduling animation frames forever.
(function (g) {
  var noop = function () {};
  g.setTimeout = function () { return 0; };
  g.clearTimeout = noop;
  g.setInterval = function () { return 0; };
  g.clearInterval = noop;
  g.requestAnimationFrame = function () { return 0; };
  g.cancelAnimationFrame = noop;
  g.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop };
})(globalThis);
