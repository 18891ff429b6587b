import { describe, expect, it } from 'vitest';
import { project, unproject, tilesInView, tileUrl, toView, fromView, panBy, distanceM, bboxAround, zoomForRadius, TILE } from '../src/map/geo.js';

const oslo = { lat: 59.9139, lon: 10.7522 };

describe('Web Mercator', () => {
  it('puts the origin of the world at the top left and the equator/meridian in the middle', () => {
    expect(project(0, 0, 0)).toEqual({ x: 128, y: 128 });
    const nw = project(85.0511287798, -180, 1);
    expect(nw.x).toBe(0);
    expect(nw.y).toBeCloseTo(0, 6);
  });

  it('finds the tile of Oslo sentrum that OpenStreetMap serves', () => {
    // The OpenStreetMap wiki's formula, x = (lon + 180) / 360 · 2^z and
    // y = (1 − asinh(tan φ) / π) / 2 · 2^z, gives tile 17362/9531 at zoom 15.
    const p = project(oslo.lat, oslo.lon, 15);
    expect([Math.floor(p.x / TILE), Math.floor(p.y / TILE)]).toEqual([17362, 9531]);
  });

  it('unprojects what it projects', () => {
    for (const z of [3, 10, 18]) {
      const p = project(oslo.lat, oslo.lon, z);
      const back = unproject(p.x, p.y, z);
      expect(back.lat).toBeCloseTo(oslo.lat, 9);
      expect(back.lon).toBeCloseTo(oslo.lon, 9);
    }
  });

  it('places the centre in the middle of the view and back', () => {
    expect(toView(oslo.lat, oslo.lon, oslo, 14, 320, 240)).toEqual({ x: 160, y: 120 });
    const east = toView(oslo.lat, oslo.lon + 0.01, oslo, 14, 320, 240);
    expect(east.x).toBeGreaterThan(160);
    expect(east.y).toBeCloseTo(120, 9);
    const north = toView(oslo.lat + 0.01, oslo.lon, oslo, 14, 320, 240);
    expect(north.y).toBeLessThan(120);
    const p = fromView(east.x, east.y, oslo, 14, 320, 240);
    expect(p.lon).toBeCloseTo(oslo.lon + 0.01, 9);
  });

  it('pans opposite to the drag and wraps around the date line', () => {
    const moved = panBy(oslo, 14, 100, 0); // dragged right: the view moves west
    expect(moved.lon).toBeLessThan(oslo.lon);
    expect(moved.lat).toBeCloseTo(oslo.lat, 9);
    const wrapped = panBy({ lat: 0, lon: 179.9 }, 3, -TILE, 0); // a tile at zoom 3 is 45°
    expect(wrapped.lon).toBeCloseTo(179.9 + 45 - 360, 9);
  });
});

describe('tiles', () => {
  it('fills the template', () => {
    expect(tileUrl('https://tile.example/{z}/{x}/{y}.png?k=1', 15, 17364, 9530)).toBe('https://tile.example/15/17364/9530.png?k=1');
  });

  it('covers the view with whole tiles and no more', () => {
    const tiles = tilesInView('https://t/{z}/{x}/{y}.png', oslo, 15, 320, 240);
    // 320 px spans two or three columns, 240 px one or two rows.
    expect(tiles.length).toBeGreaterThanOrEqual(2);
    expect(tiles.length).toBeLessThanOrEqual(6);
    for (const t of tiles) {
      expect(t.left).toBeGreaterThan(-TILE);
      expect(t.left).toBeLessThan(320);
      expect(t.top).toBeGreaterThan(-TILE);
      expect(t.top).toBeLessThan(240);
    }
    expect(tiles.some((t) => t.url === 'https://t/15/17362/9531.png')).toBe(true);
  });

  it('wraps columns and drops rows beyond the poles', () => {
    const tiles = tilesInView('{z}/{x}/{y}', { lat: 84, lon: 179.99 }, 3, 512, 512);
    for (const t of tiles) {
      const [, x, y] = t.url.split('/').map(Number);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(8);
      expect(y).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('areas and distances', () => {
  it('measures as the server does', () => {
    // Karl Johans gate 22 to the tram stop of the demo: about 430 m.
    const d = distanceM({ lat: 59.9138, lon: 10.7387 }, { lat: 59.91273, lon: 10.74609 });
    expect(d).toBeGreaterThan(400);
    expect(d).toBeLessThan(460);
  });

  it('asks for a box of the radius, never larger than the server answers', () => {
    const [minLon, minLat, maxLon, maxLat] = bboxAround(oslo, 1000).split(',').map(Number);
    expect(maxLat - minLat).toBeCloseTo(2000 / 111_320, 4);
    expect(maxLon - minLon).toBeGreaterThan(maxLat - minLat); // a degree of longitude is shorter up north
    const [a, b, c, d] = bboxAround(oslo, 500_000).split(',').map(Number);
    expect(c - a).toBeLessThan(0.5);
    expect(d - b).toBeLessThan(0.5);
  });

  it('zooms out for a larger area', () => {
    expect(zoomForRadius(oslo, 500, 320)).toBeGreaterThan(zoomForRadius(oslo, 5000, 320));
    // 2 km across 320 px is 6.25 m a pixel; zoom 13 is 9.6 m a pixel at 60° N, zoom 14 4.8.
    expect(zoomForRadius(oslo, 1000, 320)).toBe(13);
  });
});
