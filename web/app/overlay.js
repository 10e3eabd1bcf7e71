// Drawing results over the picture. The overlay canvas covers the stage at device resolution; results
// arrive in picture pixels and are mapped here, mirrored when the camera preview is.
// Label tags take black or white text, whichever contrasts more with the tag's colour (at least 4.5:1
// for every colour colorFor gives). `drawn` lists what the last frame drew (tests and debugging read it).
export class Overlay {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.drawn = [];
  }

  /** Clears and sizes the canvas; returns a mapper from picture pixels to canvas pixels. */
  begin({ width, height, mirrored }) {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(rect.width * dpr)), ch = Math.max(1, Math.round(rect.height * dpr));
    if (this.canvas.width !== cw) this.canvas.width = cw;
    if (this.canvas.height !== ch) this.canvas.height = ch;
    this.ctx.clearRect(0, 0, cw, ch);
    this.drawn = [];
    this.scale = dpr;
    this.mirrored = !!mirrored;
    const sx = width ? cw / width : 1, sy = height ? ch / height : 1;
    this.map = (x, y) => [mirrored ? cw - x * sx : x * sx, y * sy];
    return this.map;
  }

  clear() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = [];
  }

  /** A line between two points (picture pixels), e.g. a bone of a skeleton. */
  line([x1, y1], [x2, y2], color) {
    const [ax, ay] = this.map(x1, y1), [bx, by] = this.map(x2, y2);
    this.ctx.lineWidth = 4 * this.scale;
    this.ctx.lineCap = 'round';
    this.ctx.strokeStyle = color;
    this.ctx.beginPath();
    this.ctx.moveTo(ax, ay);
    this.ctx.lineTo(bx, by);
    this.ctx.stroke();
  }

  /** A dot at a point (picture pixels), outlined so it shows on light and dark pictures alike. */
  point([x, y], color, radius = 5) {
    const [px, py] = this.map(x, y);
    this.ctx.beginPath();
    this.ctx.arc(px, py, radius * this.scale, 0, 2 * Math.PI);
    this.ctx.fillStyle = color;
    this.ctx.fill();
    this.ctx.lineWidth = 2 * this.scale;
    this.ctx.strokeStyle = '#ffffff';
    this.ctx.stroke();
    this.drawn.push({ point: [px, py], color });
  }

  /**
   * A box with a label tag (lines of text) above it (or inside when there is no room). When the tag would
   * be much wider than the box or taller than it (a small face), only `short` (e.g. its number) is drawn,
   * so the tag does not hide what it labels.
   */
  box({ x1, y1, x2, y2 }, lines, color, { short } = {}) {
    const [ax, ay] = this.map(x1, y1), [bx, by] = this.map(x2, y2);
    const left = Math.min(ax, bx), right = Math.max(ax, bx), top = Math.min(ay, by), bottom = Math.max(ay, by);
    const ctx = this.ctx, s = this.scale;
    ctx.lineWidth = 3 * s;
    ctx.strokeStyle = color;
    ctx.strokeRect(left, top, right - left, bottom - top);
    const entry = { lines, color, box: { left, top, right, bottom } };
    this.drawn.push(entry);
    if (!lines.length) return;
    const size = Math.round(14 * s);
    ctx.font = `600 ${size}px system-ui, sans-serif`;
    const pad = 4 * s, lineH = size * 1.25;
    const measure = (ls) => ({ w: Math.max(...ls.map((l) => ctx.measureText(l).width)) + 2 * pad, h: ls.length * lineH + pad });
    let { w, h } = measure(lines);
    if (short !== undefined && (w > 1.5 * (right - left) || h > bottom - top)) {
      lines = [String(short)];
      ({ w, h } = measure(lines));
    }
    const tx = Math.min(Math.max(left, 0), this.canvas.width - w);
    let ty = top - h >= 0 ? top - h : Math.min(bottom, this.canvas.height - h);
    if (ty < 0) ty = 0;
    const ink = inkOn(color);
    ctx.fillStyle = color;
    ctx.fillRect(tx, ty, w, h);
    ctx.fillStyle = ink;
    ctx.textBaseline = 'top';
    lines.forEach((l, i) => ctx.fillText(l, tx + pad, ty + pad / 2 + i * lineH + (lineH - size) / 2));
    Object.assign(entry, { shown: lines, ink, tag: { x: tx, y: ty, w, h } });
  }
}

/** A stable, readable colour per class index (hex). */
export function colorFor(i) {
  return hslToHex((i * 47) % 360, 0.8, 0.4);
}

function hslToHex(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return `#${[f(0), f(8), f(4)].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of '#rrggbb'. */
export function luminance(hex) {
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => lin(parseInt(hex.slice(i, i + 2), 16) / 255));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two '#rrggbb' colours. */
export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white text, whichever contrasts more with `background` ('#rrggbb'). */
export function inkOn(background) {
  return contrast(background, '#ffffff') >= contrast(background, '#000000') ? '#ffffff' : '#000000';
}
