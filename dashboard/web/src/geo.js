// Converts Natural Earth outlines (world-atlas, pinned in package.json) into
// the two compact GeoJSON files kforstats embeds: the world at 1:110m for
// the contributors' map, and Kosovo with its neighbours at 1:50m for the
// structure map. Each feature is named by its ISO 3166-1 alpha-3 code
// (Kosovo: XKX), the key the charts use; coordinates keep 2 (world) or 3
// (Kosovo) decimals. Run by `make assets` (npm run geo).
const fs = require('fs');
const path = require('path');
const { feature } = require('topojson-client');

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

function convert(file, decimals, keep) {
  const topo = require(path.join(__dirname, '..', 'node_modules', 'world-atlas', file));
  const fc = feature(topo, topo.objects.countries);
  const f = 10 ** decimals;
  const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * f) / f, Math.round(c[1] * f) / f] : c.map(round));
  const out = { type: 'FeatureCollection', features: [] };
  for (const ft of fc.features) {
    const name = ft.properties.name === 'Kosovo' ? 'XKX' : alpha3[ft.id] || ft.properties.name;
    if (keep && !keep.includes(name)) continue;
    if (!ft.geometry || name === 'Antarctica') continue; // no contributor; it would fill the map's foot
    const g = unwrapGeometry(ft.geometry);
    out.features.push({ type: 'Feature', properties: { name }, geometry: { type: g.type, coordinates: round(g.coordinates) } });
  }
  return JSON.stringify(out);
}

const dir = path.join(__dirname, '..', '..', 'assets');
fs.writeFileSync(path.join(dir, 'geo-world.json'), convert('countries-110m.json', 2));
// The nations alone (those named by code above), for the world map's
// partners, drawn over the world: a third of its regions to draw.
fs.writeFileSync(path.join(dir, 'geo-nations.json'), convert('countries-110m.json', 2, Object.values(alpha3)));
fs.writeFileSync(path.join(dir, 'geo-kosovo.json'), convert('countries-50m.json', 3, ['XKX', 'SRB', 'MNE', 'ALB', 'MKD']));
