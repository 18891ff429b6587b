import { describe, it, expect, vi } from 'vitest';
import { MAX_SIDE, isScalable, scaledSize, scaleImage, scaleImages } from '../src/image-scale.js';

// A stand-in decoder: the "photo" says its decoded (upright) size in its bytes.
function photo(name, type, width, height) {
  return new File([JSON.stringify({ width, height })], name, { type, lastModified: 1700000000000 });
}
async function decode(blob) {
  const { width, height } = JSON.parse(await blob.text());
  return { width, height, close: vi.fn() };
}
function encoder() {
  return vi.fn(async (_bitmap, width, height, type) => new Blob([`${width}x${height}`], { type }));
}

describe('the size a photo is scaled to', () => {
  it.each([
    [4000, 3000, 1600, 1200],
    [3000, 4000, 1200, 1600],
    [4032, 3024, 1600, 1200],
    [1601, 10, 1600, 10],
    [20000, 10, 1600, 1],
  ])('%i×%i fits in %i×%i', (w, h, ew, eh) => {
    expect(scaledSize(w, h)).toEqual({ width: ew, height: eh, scaled: true });
  });

  it('leaves an image that fits as it is', () => {
    expect(scaledSize(1600, 900)).toEqual({ width: 1600, height: 900, scaled: false });
    expect(scaledSize(2, 2, 1)).toEqual({ width: 1, height: 1, scaled: true });
  });
});

describe('scaling photos before they are stored or sent', () => {
  it('scales a large JPEG to 1600 px on its longest side, keeping its name and type', async () => {
    const encode = encoder();
    const out = await scaleImage(photo('hage.jpg', 'image/jpeg', 4000, 3000), { decode, encode });
    expect(encode).toHaveBeenCalledWith(expect.anything(), 1600, 1200, 'image/jpeg', 0.85);
    expect(out.name).toBe('hage.jpg');
    expect(out.type).toBe('image/jpeg');
    expect(await out.text()).toBe('1600x1200');
  });

  it('keeps a PNG a PNG, and scales a portrait photo by its height (the decoder applied its orientation)', async () => {
    const encode = encoder();
    const out = await scaleImage(photo('skjerm.PNG', 'image/png', 3000, 4000), { decode, encode });
    expect(encode).toHaveBeenCalledWith(expect.anything(), 1200, 1600, 'image/png', 0.85);
    expect(out.type).toBe('image/png');
  });

  it('returns small images, PDFs and other files untouched, without decoding a PDF', async () => {
    const encode = encoder();
    const spyDecode = vi.fn(decode);
    const small = photo('liten.jpg', 'image/jpeg', 800, 600);
    const pdf = new File(['%PDF-1.7'], 'brev.pdf', { type: 'application/pdf' });
    const heic = new File(['x'], 'bilde.heic', { type: 'image/heic' });
    expect(await scaleImage(small, { decode: spyDecode, encode })).toBe(small);
    expect(await scaleImage(pdf, { decode: spyDecode, encode })).toBe(pdf);
    expect(await scaleImage(heic, { decode: spyDecode, encode })).toBe(heic);
    expect(spyDecode).toHaveBeenCalledTimes(1); // only the JPEG
    expect(encode).not.toHaveBeenCalled();
  });

  it('keeps the original when the browser cannot decode or encode it, and always frees the bitmap', async () => {
    const broken = photo('ødelagt.jpg', 'image/jpeg', 4000, 3000);
    expect(await scaleImage(broken, { decode: async () => { throw new Error('no'); } })).toBe(broken);
    const bitmap = { width: 4000, height: 3000, close: vi.fn() };
    const failing = vi.fn(async () => { throw new Error('no canvas'); });
    expect(await scaleImage(broken, { decode: async () => bitmap, encode: failing })).toBe(broken);
    expect(bitmap.close).toHaveBeenCalledTimes(1);
  });

  it('takes another limit, and scales a list in order', async () => {
    const encode = encoder();
    const files = [photo('a.jpg', 'image/jpeg', 2000, 1000), new File(['%PDF'], 'b.pdf', { type: 'application/pdf' }), photo('c.png', 'image/png', 500, 500)];
    const out = await scaleImages(files, { decode, encode, maxSide: 400 });
    expect(out.map((f) => f.name)).toEqual(['a.jpg', 'b.pdf', 'c.png']);
    expect(await out[0].text()).toBe('400x200');
    expect(out[1]).toBe(files[1]);
    expect(await out[2].text()).toBe('400x400');
    expect(MAX_SIDE).toBe(1600);
    expect(isScalable({ type: 'IMAGE/JPEG' })).toBe(true);
  });
});
