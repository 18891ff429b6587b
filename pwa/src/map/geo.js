// Web-Mercator math for the small slippy map, and the areas the public reports page asks
// for. Pure functions, no DOM: tested in pwa/test/geo.test.js.

/** TILE is the side of one map tile in CSS pixels (every common raster tile server). */
export const TILE = 256;
/** Web Mercator is cut off where the map is square: ±85.0511°. */
export const MAX_LAT = 85.0511287798;
export const MIN_ZOOM = 3;
export const MAX_ZOOM = 19;

const worldSize = (z) => TILE * 2 ** z;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** project gives the world pixel {x, y} of a place at zoom z (0,0 is the top left of the world). */
export function project(lat, lon, z) {
  const size = worldSize(z);
  const phi = (clamp(lat, -MAX_LAT, MAX_LAT) * Math.PI) / 180;
  return {
    x: ((lon + 180) / 360) * size,
    y: ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * size,
  };
}

/** unproject is the inverse of project: the place {lat, lon} at world pixel (x, y). */
export function unproject(x, y, z) {
  const size = worldSize(z);
  const n = Math.PI - (2 * Math.PI * y) / size;
  return { lat: (180 / Math.PI) * Math.atan(Math.sinh(n)), lon: (x / size) * 360 - 180 };
}

/** tileUrl fills a template such as https://tile.example/{z}/{x}/{y}.png. */
export function tileUrl(template, z, x, y) {
  return template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
}

/**
 * tilesInView lists the tiles that cover a view of width × height pixels centred on
 * center at zoom z, each with its URL and its top-left corner in view pixels. Columns wrap
 * around the date line; rows beyond the poles are left out.
 */
export function tilesInView(template, center, z, width, height) {
  const c = project(center.lat, center.lon, z);
  const left = c.x - width / 2;
  const top = c.y - height / 2;
  const n = 2 ** z;
  const tiles = [];
  for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + height - 1) / TILE); ty++) {
    if (ty < 0 || ty >= n) continue;
    for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + width - 1) / TILE); tx++) {
      const wrapped = ((tx % n) + n) % n;
      tiles.push({ key: `${z}/${tx}/${ty}`, url: tileUrl(template, z, wrapped, ty), left: tx * TILE - left, top: ty * TILE - top });
    }
  }
  return tiles;
}

/** toView places lat/lon in view pixels for a view centred on center at zoom z. */
export function toView(lat, lon, center, z, width, height) {
  const c = project(center.lat, center.lon, z);
  const p = project(lat, lon, z);
  return { x: p.x - c.x + width / 2, y: p.y - c.y + height / 2 };
}

/** fromView is the place under view pixel (px, py). */
export function fromView(px, py, center, z, width, height) {
  const c = project(center.lat, center.lon, z);
  return unproject(c.x + px - width / 2, c.y + py - height / 2, z);
}

/** panBy moves the centre by (dx, dy) screen pixels (dragging the map right moves the view west). */
export function panBy(center, z, dx, dy) {
  const c = project(center.lat, center.lon, z);
  const p = unproject(c.x - dx, c.y - dy, z);
  return { lat: clamp(p.lat, -MAX_LAT, MAX_LAT), lon: ((((p.lon + 180) % 360) + 360) % 360) - 180 };
}

export const clampZoom = (z) => clamp(Math.round(z), MIN_ZOOM, MAX_ZOOM);

const EARTH_RADIUS_M = 6371008.8;

/** distanceM is the great-circle distance in metres (haversine, as the server computes it). */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The server answers areas up to 0.5° on a side (reports.MaxPublicSpan). */
export const MAX_SPAN = 0.5;

/**
 * bboxAround is the query area "minLon,minLat,maxLon,maxLat" of radius metres around a
 * place, a little under the server's largest area however large the radius.
 */
export function bboxAround(center, radiusM) {
  const dLat = Math.min(radiusM / 111_320, MAX_SPAN / 2 - 1e-6);
  const dLon = Math.min(radiusM / (111_320 * Math.cos((center.lat * Math.PI) / 180)), MAX_SPAN / 2 - 1e-6);
  const r = (v) => Math.round(v * 1e6) / 1e6;
  return [r(center.lon - dLon), r(center.lat - dLat), r(center.lon + dLon), r(center.lat + dLat)].join(',');
}

/** zoomForRadius is the zoom at which radius metres around center fit in a view of minSide pixels. */
export function zoomForRadius(center, radiusM, minSide) {
  const metresPerPixelAtZ0 = (2 * Math.PI * EARTH_RADIUS_M * Math.cos((center.lat * Math.PI) / 180)) / TILE;
  return clampZoom(Math.floor(Math.log2((metresPerPixelAtZ0 * minSide) / (2 * radiusM))));
}
