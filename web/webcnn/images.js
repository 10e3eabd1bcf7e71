// Images from wherever they come from: {data: RGBA bytes, width, height} as they are; ImageBitmaps,
// canvases, <img> and <video> elements drawn onto a canvas and read back; and how each backend ships
// an image to the engine (in this thread as is, to the worker as a transferred ImageBitmap).

import { codedError, ErrorCode, invalidArgument, invalidArgumentType } from './errors.js';
import { isNode } from './environment.js';
import { checkPixels, isPixelObject } from './inputs.js';

/** Reads RGBA pixels out of images, reusing one canvas. */
export class PixelReader {
  constructor() {
    this.canvas = null;
  }

  // RGBA pixels of an image: {data, width, height} as is; bitmaps, canvases, <img> and <video> drawn
  // onto a canvas and read back. ImageBitmaps are closed afterwards (they were transferred to us).
  read(image) {
    if (isPixelObject(image)) return checkPixels(image);
    const width = image.naturalWidth || image.videoWidth || image.displayWidth || image.width;
    const height = image.naturalHeight || image.videoHeight || image.displayHeight || image.height;
    if (!(width > 0 && height > 0)) throw invalidArgument('the image has no pixels yet (not loaded, or zero size)');
    if (!this.canvas) {
      this.canvas = typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(width, height)
        : typeof document !== 'undefined' ? document.createElement('canvas') : null;
      if (!this.canvas) throw invalidArgumentType('images must be {data: RGBA bytes, width, height} here (no canvas)');
    }
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(image, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height);
    if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) image.close();
    return data;
  }
}

/** In this thread: images go to the engine's PixelReader as they are. */
export async function inProcessImagePayload(image) {
  if (isPixelObject(image)) return { image: checkPixels(image), transfer: [] };
  if (isNode)
    throw invalidArgumentType('in Node, images are {data: Uint8Array | Uint8ClampedArray (RGBA), width, height}');
  return { image, transfer: [] };
}

/**
 * To the worker: pixels already in memory are copied once by postMessage; anything drawable becomes an
 * ImageBitmap that is transferred (no copy) and read by the worker. An image that cannot be decoded
 * (a broken file in an <img>, a Blob that is no image) is the caller's: INVALID_ARGUMENT.
 */
export async function workerImagePayload(image) {
  if (isPixelObject(image)) {
    const { data, width, height } = checkPixels(image); // before postMessage copies the pixels
    return { image: { data, width, height }, transfer: [] };
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(image);
  } catch (e) {
    const error = codedError(e?.message ?? String(e), ErrorCode.INVALID_ARGUMENT, e instanceof TypeError ? TypeError : Error);
    error.cause = e;
    throw error;
  }
  return { image: bitmap, transfer: [bitmap] };
}
