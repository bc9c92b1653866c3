// The ECharts bundle kforstats embeds. It holds only the parts the dashboard
// and the server-side image exporter use, so the page stays small (about
// 200 KB with brotli); both load this same file, so a chart looks the same
// in the browser and as an image. Add a part here when a chart needs it, then
// run `make assets`.
import * as echarts from 'echarts/core';
import { LineChart, BarChart, PieChart, MapChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  BrushComponent,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  ToolboxComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart, BarChart, PieChart, MapChart, ScatterChart,
  AriaComponent, BrushComponent, DataZoomComponent, GeoComponent, GridComponent, LegendComponent,
  MarkAreaComponent, MarkLineComponent, TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent,
  CanvasRenderer, SVGRenderer,
]);

globalThis.echarts = echarts;
