// Pixels inside the demo's worker: a picture (or a square region of it) drawn at a given size on an
// OffscreenCanvas and read back as RGBA, which webcnn takes as it is. Parts of a region outside the
// picture stay black, as the face models expect of crops at the border.
const canvases = new Map(); // "w×h" → 2D context, reused frame after frame

function context(width, height) {
  const key = `${width}x${height}`;
  let ctx = canvases.get(key);
  if (!ctx) {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    ctx.imageSmoothingQuality = 'high';
    canvases.set(key, ctx);
  }
  return ctx;
}

/** The whole picture at its own size: {data, width, height}. */
export function rgbaOf(bitmap) {
  const ctx = context(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
}

/** The region {x1, y1, x2, y2} (picture pixels) resized to width×height. */
export function regionOf(bitmap, { x1, y1, x2, y2 }, width, height = width) {
  const ctx = context(width, height);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(bitmap, x1, y1, x2 - x1, y2 - y1, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

/** The same region as a small ImageBitmap (thumbnails). */
export function regionBitmap(bitmap, region, size) {
  const image = regionOf(bitmap, region, size);
  return createImageBitmap(image);
}
