// Greedy non-maximum suppression: keep the best-scoring box, drop every later box of the same class
// overlapping a kept one by more than `iou` (intersection over union), repeat. Boxes are
// {x1, y1, x2, y2, score, classIndex?}; boxes without a class are one class. Per class, because boxes of
// different classes may rightly overlap (a cat on a bed: CenterNet gives both nearly the same box).

export function iou(a, b) {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export function nonMaxSuppression(boxes, { iouThreshold, maxBoxes = Infinity }) {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept = [];
  for (const box of sorted) {
    if (kept.length >= maxBoxes) break;
    if (kept.every((k) => k.classIndex !== box.classIndex || iou(k, box) <= iouThreshold)) kept.push(box);
  }
  return kept;
}
