// Photos from a phone camera are 12–50 megapixels: several megabytes each, slow on a bad
// connection and heavy in the offline outbox (IndexedDB). They are scaled down in the browser
// before they are stored or sent, so that the longest side is at most MAX_SIDE pixels; the
// server scales again to its own limit, so this is about the bytes on the way, not a rule.
// Anything else (a PDF, a small image, a type the browser cannot decode) is kept as it is:
// the server checks every file and refuses clearly what it cannot take.
//
// Decoding goes through createImageBitmap with imageOrientation 'from-image', so a photo the
// camera stored sideways with an EXIF orientation comes out upright; re-encoding through a
// canvas writes no EXIF at all (no location). Both steps can be replaced (tests, or a caller
// with its own encoder), which is why scaleImage takes them as options.

export const MAX_SIDE = 1600;
const QUALITY = 0.85; // JPEG quality of a scaled photo: no visible loss at this size
const SCALABLE = new Set(['image/jpeg', 'image/png']);

/** isScalable tells a photo this module may scale (JPEG or PNG) from anything else. */
export function isScalable(file) {
  return Boolean(file && SCALABLE.has(String(file.type).toLowerCase()));
}

/**
 * scaledSize is the size that fits width×height into maxSide on its longest side, keeping the
 * proportions; scaled is false when it fits already.
 */
export function scaledSize(width, height, maxSide = MAX_SIDE) {
  const longest = Math.max(width, height);
  if (!(longest > maxSide)) return { width, height, scaled: false };
  const f = maxSide / longest;
  return {
    width: Math.max(1, Math.round(width * f)),
    height: Math.max(1, Math.round(height * f)),
    scaled: true,
  };
}

/** decodeOriented decodes blob upright (EXIF orientation applied). */
export function decodeOriented(blob) {
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}

/** encodeCanvas draws bitmap at width×height and encodes it as type. */
export async function encodeCanvas(bitmap, width, height, type, quality) {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width, height);
    draw(canvas.getContext('2d'), bitmap, width, height);
    return canvas.convertToBlob({ type, quality });
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  draw(canvas.getContext('2d'), bitmap, width, height);
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('image-scale: the canvas gave no image'))), type, quality);
  });
}

function draw(ctx, bitmap, width, height) {
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
}

/**
 * scaleImage returns file scaled to fit maxSide (a new File of the same name and type), or file
 * itself when it is not a JPEG or PNG, already fits, or cannot be decoded or encoded here.
 * Options: maxSide (default MAX_SIDE), quality (JPEG, default 0.85), decode(blob) → bitmap with
 * width and height, encode(bitmap, width, height, type, quality) → Blob.
 */
export async function scaleImage(file, { maxSide = MAX_SIDE, quality = QUALITY, decode = decodeOriented, encode = encodeCanvas } = {}) {
  if (!isScalable(file)) return file;
  let bitmap;
  try {
    bitmap = await decode(file);
  } catch {
    return file; // not decodable here (a broken file, a browser without support): the server decides
  }
  try {
    const size = scaledSize(bitmap.width, bitmap.height, maxSide);
    if (!size.scaled) return file;
    const type = String(file.type).toLowerCase();
    const blob = await encode(bitmap, size.width, size.height, type, quality);
    return new File([blob], file.name, { type, lastModified: file.lastModified });
  } catch {
    return file;
  } finally {
    if (bitmap && typeof bitmap.close === 'function') bitmap.close();
  }
}

/** scaleImages scales each of files in turn (one decoded photo in memory at a time), keeping the order. */
export async function scaleImages(files, options) {
  const out = [];
  for (const f of files) out.push(await scaleImage(f, options));
  return out;
}
