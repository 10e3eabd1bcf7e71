// Drawing results over the picture. The overlay canvas covers the stage at device resolution; results
// arrive in picture pixels and are mapped here, mirrored when the camera preview is.
export class Overlay {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
  }

  /** Clears and sizes the canvas; returns a mapper from picture pixels to canvas pixels. */
  begin({ width, height, mirrored }) {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(rect.width * dpr)), ch = Math.max(1, Math.round(rect.height * dpr));
    if (this.canvas.width !== cw) this.canvas.width = cw;
    if (this.canvas.height !== ch) this.canvas.height = ch;
    this.ctx.clearRect(0, 0, cw, ch);
    this.scale = dpr;
    const sx = width ? cw / width : 1, sy = height ? ch / height : 1;
    this.map = (x, y) => [mirrored ? cw - x * sx : x * sx, y * sy];
    return this.map;
  }

  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** A box with a label tag (lines of text) above it (or inside when there is no room). */
  box({ x1, y1, x2, y2 }, lines, color) {
    const [ax, ay] = this.map(x1, y1), [bx, by] = this.map(x2, y2);
    const left = Math.min(ax, bx), right = Math.max(ax, bx), top = Math.min(ay, by), bottom = Math.max(ay, by);
    const ctx = this.ctx, s = this.scale;
    ctx.lineWidth = 3 * s;
    ctx.strokeStyle = color;
    ctx.strokeRect(left, top, right - left, bottom - top);
    if (!lines.length) return;
    const size = Math.round(14 * s);
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    const pad = 4 * s, lineH = size * 1.25;
    const w = Math.max(...lines.map((l) => ctx.measureText(l).width)) + 2 * pad;
    const h = lines.length * lineH + pad;
    const tx = Math.min(Math.max(left, 0), this.canvas.width - w);
    let ty = top - h >= 0 ? top - h : Math.min(bottom, this.canvas.height - h);
    if (ty < 0) ty = 0;
    ctx.fillStyle = color;
    ctx.fillRect(tx, ty, w, h);
    ctx.fillStyle = '#fff';
    ctx.textBaseline = 'top';
    lines.forEach((l, i) => ctx.fillText(l, tx + pad, ty + pad / 2 + i * lineH + (lineH - size) / 2));
  }
}

/** A stable, readable colour per class index. */
export function colorFor(i) {
  return `hsl(${(i * 47) % 360} 80% 40%)`;
}
