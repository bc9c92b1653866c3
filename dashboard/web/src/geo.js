// Converts Natural Earth outlines (world-atlas, pinned in package.json) into
// the two compact GeoJSON files kforstats embeds: the world at 1:110m for
// the contributors' map, and Kosovo with its neighbours at 1:50m for the
// structure map. Each feature is named by its ISO 3166-1 alpha-3 code
// (Kosovo: XKX), the key the charts use; coordinates keep 2 (world) or 3
// (Kosovo) decimals. Run by `make assets` (npm run geo).
//
// The world is simplified first (topojson-simplify, Visvalingam's method on
// the shared borders, so that neighbours still meet): drawn 1000 px wide
// the map shows about 4 px a degree, and the points 1:110m keeps closer
// together than that cost each image its time (ECharts builds every path
// in goja, resvg fills it) and show nothing. Islands smaller than a few
// pixels go too, but never a nation's largest piece.
const fs = require('fs');
const path = require('path');
const { feature } = require('topojson-client');
const { presimplify, simplify } = require('topojson-simplify');

// ISO 3166-1 numeric to alpha-3, for the nations the record names and
// Kosovo's neighbours; world-atlas gives the numeric code as the id.
const alpha3 = {
  '008': 'ALB', '784': 'ARE', '032': 'ARG', '051': 'ARM', '040': 'AUT', '031': 'AZE', '056': 'BEL', '100': 'BGR',
  '124': 'CAN', '756': 'CHE', '203': 'CZE', '276': 'DEU', '208': 'DNK', '724': 'ESP', '233': 'EST', '246': 'FIN',
  '250': 'FRA', '826': 'GBR', '268': 'GEO', '300': 'GRC', '191': 'HRV', '348': 'HUN', '372': 'IRL', '352': 'ISL',
  '380': 'ITA', '440': 'LTU', '442': 'LUX', '428': 'LVA', '504': 'MAR', '498': 'MDA', '807': 'MKD', '499': 'MNE',
  '458': 'MYS', '528': 'NLD', '578': 'NOR', '616': 'POL', '620': 'PRT', '642': 'ROU', '643': 'RUS', '703': 'SVK',
  '705': 'SVN', '752': 'SWE', '792': 'TUR', '804': 'UKR', '840': 'USA', '688': 'SRB', '070': 'BIH',
};

// unwrap moves the western half of a ring that crosses the antimeridian
// (Russia's Chukotka, Fiji) east by 360 degrees: drawn as given, the ring
// would run across the whole map.
function unwrap(ring) {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  return crosses ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring;
}

function unwrapGeometry(g) {
  if (g.type === 'Polygon') return { type: g.type, coordinates: g.coordinates.map(unwrap) };
  return { type: g.type, coordinates: g.coordinates.map((poly) => poly.map(unwrap)) };
}

// area is a ring's planar area in square degrees.
function area(ring) {
  let a = 0;
  for (let i = 0, n = ring.length - 1; i < n; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(a) / 2;
}

// dropSmall removes the polygons of a multipolygon whose outer ring is
// under minArea square degrees, keeping the largest whatever its size.
function dropSmall(g, minArea) {
  if (g.type !== 'MultiPolygon' || !minArea) return g;
  const largest = Math.max(...g.coordinates.map((poly) => area(poly[0])));
  const coordinates = g.coordinates.filter((poly) => area(poly[0]) >= Math.min(minArea, largest));
  return coordinates.length === 1 ? { type: 'Polygon', coordinates: coordinates[0] } : { type: g.type, coordinates };
}

// europeOnly keeps a multipolygon's pieces east of 30° W: France's outline
// holds French Guiana, which shaded as a contributor reads as a South
// American nation sending troops.
function europeOnly(g) {
  if (g.type !== 'MultiPolygon') return g;
  const coordinates = g.coordinates.filter((poly) => poly[0].some(([x]) => x > -30));
  return coordinates.length === 1 ? { type: 'Polygon', coordinates: coordinates[0] } : { type: g.type, coordinates };
}

// convert reads a world-atlas file and returns its countries as GeoJSON:
// those named in keep (all when absent), each point rounded to decimals,
// simplified when minWeight (square degrees, the least triangle a point
// makes with its neighbours) is given, without polygons under minArea.
function convert(file, decimals, keep, { minWeight = 0, minArea = 0 } = {}) {
  let topo = require(path.join(__dirname, '..', 'node_modules', 'world-atlas', file));
  if (minWeight) topo = simplify(presimplify(topo), minWeight);
  const fc = feature(topo, topo.objects.countries);
  const f = 10 ** decimals;
  const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * f) / f, Math.round(c[1] * f) / f] : c.map(round));
  const out = { type: 'FeatureCollection', features: [] };
  for (const ft of fc.features) {
    const name = ft.properties.name === 'Kosovo' ? 'XKX' : alpha3[ft.id] || ft.properties.name;
    if (keep && !keep.includes(name)) continue;
    if (!ft.geometry || name === 'Antarctica') continue; // no contributor; it would fill the map's foot
    let g = dropSmall(unwrapGeometry(ft.geometry), minArea);
    if (name === 'FRA') g = europeOnly(g);
    out.features.push({ type: 'Feature', properties: { name }, geometry: { type: g.type, coordinates: round(g.coordinates) } });
  }
  return JSON.stringify(out);
}

const dir = path.join(__dirname, '..', '..', 'assets');
// A point goes when the triangle it makes with its neighbours is under
// WEIGHT square degrees (about 1.5 px² at 1000 px wide); an island under
// 0.1 square degrees (Luxembourg is 0.3) unless it is its nation's
// largest piece.
const WEIGHT = 0.1;
fs.writeFileSync(path.join(dir, 'geo-world.json'), convert('countries-110m.json', 2, null, { minWeight: WEIGHT, minArea: 0.1 }));
fs.writeFileSync(path.join(dir, 'geo-kosovo.json'), convert('countries-50m.json', 3, ['XKX', 'SRB', 'MNE', 'ALB', 'MKD']));
