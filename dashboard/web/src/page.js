// The ECharts the page loads: only what its charts use, drawn with the SVG
// renderer (the server draws the page's charts as SVG with ECharts itself,
// and the page's script takes each drawing over with the same renderer, so
// that nothing moves). The maps' parts (the map series, the geo and
// visualMap components, the scatter series of the structure map) are a
// chunk of their own, fetched only when a map scrolls into view
// (kforMapParts); esbuild's code splitting keeps ECharts' core in one
// shared chunk. The server draws with src/echarts.js, the whole bundle as
// one script for goja, which is not served to browsers.
// Each part is imported from its own module, not from the indexes
// ('echarts/charts', 'echarts/components'): esbuild splits by module, and an
// index would make every part it names reachable from this entry.
import * as echarts from 'echarts/core';
import { install as LineChart } from 'echarts/lib/chart/line/install.js';
import { install as BarChart } from 'echarts/lib/chart/bar/install.js';
import { install as PieChart } from 'echarts/lib/chart/pie/install.js';
import { install as AriaComponent } from 'echarts/lib/component/aria/install.js';
import { install as BrushComponent } from 'echarts/lib/component/brush/install.js';
import { install as DataZoomComponent } from 'echarts/lib/component/dataZoom/install.js';
import { install as GridComponent } from 'echarts/lib/component/grid/install.js';
import { install as LegendComponent } from 'echarts/lib/component/legend/install.js';
import { install as MarkAreaComponent } from 'echarts/lib/component/marker/installMarkArea.js';
import { install as MarkLineComponent } from 'echarts/lib/component/marker/installMarkLine.js';
import { install as TitleComponent } from 'echarts/lib/component/title/install.js';
import { install as ToolboxComponent } from 'echarts/lib/component/toolbox/install.js';
import { install as TooltipComponent } from 'echarts/lib/component/tooltip/install.js';
import { install as SVGRenderer } from 'echarts/lib/renderer/installSVGRenderer.js';

echarts.use([
  LineChart, BarChart, PieChart,
  AriaComponent, BrushComponent, DataZoomComponent, GridComponent, LegendComponent,
  MarkAreaComponent, MarkLineComponent, TitleComponent, ToolboxComponent, TooltipComponent,
  SVGRenderer,
]);

globalThis.echarts = echarts;
globalThis.kforMapParts = () => import('./maps.js');
