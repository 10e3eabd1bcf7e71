// Where a picture lands in a model's square input and back. Mirrors the engine's preprocessing
// (engine/src/image/preprocess.cc): 'letterbox' scales by min(side/w, side/h), rounds the placed size,
// and centres it with integer offsets; 'stretch' scales each axis independently.

/** Maps input-tensor pixel coordinates back to picture coordinates. */
export function inputToImage({ fit, inputWidth, inputHeight, imageWidth, imageHeight }) {
  if (fit === 'stretch') {
    const sx = imageWidth / inputWidth, sy = imageHeight / inputHeight;
    return (x, y) => [x * sx, y * sy];
  }
  if (fit !== 'letterbox') throw new Error(`inputToImage: fit '${fit}' is not handled`);
  const s = Math.min(inputWidth / imageWidth, inputHeight / imageHeight);
  const placedW = Math.min(Math.max(Math.round(imageWidth * s), 1), inputWidth);
  const placedH = Math.min(Math.max(Math.round(imageHeight * s), 1), inputHeight);
  const dx = Math.floor((inputWidth - placedW) / 2), dy = Math.floor((inputHeight - placedH) / 2);
  const sx = imageWidth / placedW, sy = imageHeight / placedH;
  return (x, y) => [(x - dx) * sx, (y - dy) * sy];
}

/** A box grown by `factor` about its centre and made square (the larger side), as face crops want. */
export function squareAround({ x1, y1, x2, y2 }, factor) {
  const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
  const half = (Math.max(x2 - x1, y2 - y1) * factor) / 2;
  return { x1: cx - half, y1: cy - half, x2: cx + half, y2: cy + half };
}
