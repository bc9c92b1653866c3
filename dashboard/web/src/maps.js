// The parts of ECharts only the maps use: see page.js, which imports each
// part from its own module too.
import { use } from 'echarts/core';
import { install as MapChart } from 'echarts/lib/chart/map/install.js';
import { install as ScatterChart } from 'echarts/lib/chart/scatter/install.js';
import { install as GeoComponent } from 'echarts/lib/component/geo/install.js';
import { install as VisualMapComponent } from 'echarts/lib/component/visualMap/install.js';

use([MapChart, ScatterChart, GeoComponent, VisualMapComponent]);
