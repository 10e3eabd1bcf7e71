// Look inside: for the current picture, the first convolution's filters drawn as small images, and the
// feature maps (one grey image per channel) a chosen convolution produces, so a visitor sees which
// patterns each filter responds to and how pooling coarsens them layer after layer.
//
// Needs the engine's introspection (model.layers(), model.filters(name) and the run option
// {capture: [layer]}); without it the panel says so.
import { filters, infer, layers } from '../inference_client.js';
import { getModel } from '../model_library.js';

const MAX_MAPS = 48;
const MAX_MAP_SIDE = 96;

/**
 * A layer's name as a reader wants it: the graph path without the wrappers every layer shares
 * (StatefulPartitionedCall/functional_1/...) and without the op that ends it (/BiasAdd, /Relu,
 * /depthwise): 'StatefulPartitionedCall/functional_1/conv2d_1/BiasAdd' → 'conv2d_1'.
 */
export function readableLayerName(name) {
  const parts = name.split('/').filter((p) => !/^(StatefulPartitionedCall|PartitionedCall|functional_\d+|model(_\d+)?|sequential(_\d+)?)$/.test(p));
  while (parts.length > 1 && /^(BiasAdd|Relu6?|depthwise|Conv2D|convolution|add|FusedBatchNorm(V3)?|Identity|Sigmoid|Elu|LeakyRelu|Add|Mul|BatchNorm)$/i.test(parts.at(-1))) parts.pop();
  // 'separable_conv2d_1/separable_conv2d': the layer, named once
  while (parts.length > 1 && parts.at(-2).startsWith(parts.at(-1))) parts.pop();
  return parts.join('/') || name;
}

/** What a convolution does, in words: '24 filters 5×5 over 3 channels' or 'depthwise 3×3, 24 channels'. */
function describeLayer({ weights: [o, inC, kh, kw], group }) {
  if (group > 1 && inC === 1) return `depthwise ${kh}×${kw}, ${o} channels`;
  return `${o} filters ${kh}×${kw} over ${inC * group} channels${group > 1 ? ` (groups ${group})` : ''}`;
}

// Values → 0..255 grey by the map's own min and max (each map gets its full contrast).
function normalise(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const span = hi - lo || 1;
  return (v) => Math.round(((v - lo) / span) * 255);
}

function tile(width, height, fill, title) {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.title = title;
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(width, height);
  fill(img.data);
  ctx.putImageData(img, 0, 0);
  return c;
}

export class InsideMode {
  id = 'inside';

  constructor({ requestRender, customModel, customPreprocess }) {
    this.customModel = customModel;
    this.customPreprocess = customPreprocess;
    this.modelSelect = document.getElementById('inside-model');
    this.layerSelect = document.getElementById('inside-layer');
    this.filtersBox = document.getElementById('inside-filters');
    this.mapsBox = document.getElementById('inside-maps');
    this.info = document.getElementById('inside-info');
    this.shape = document.getElementById('inside-shape');
    this.modelSelect.addEventListener('change', () => requestRender({ reprepare: true }));
    this.layerSelect.addEventListener('change', () => {
      (this.previousLayer ??= {})[this.key] = this.layerSelect.value;
      requestRender({ rerun: true });
    });
  }

  /** Everything the previous network drew, gone before the next one is shown. */
  #forget() {
    this.layers = [];
    this.filtersBox.replaceChildren();
    this.layerSelect.replaceChildren();
    this.clear();
    this.info.textContent = '';
  }

  async prepare() {
    const key = this.modelSelect.value;
    this.#forget();
    let entry;
    // Prepares can overlap (the tab opens on one network while the visitor already picks another, whose
    // model is loaded sooner): only the latest one may set the key, layers and filters.
    const generation = (this.generation = (this.generation ?? 0) + 1);
    const stale = () => generation !== this.generation;
    if (key === 'custom') {
      entry = this.customModel();
      if (!entry) throw new Error('Load a model in “Your model” first, or pick one of the demo networks.');
    } else {
      entry = await getModel(key);
    }
    if (stale()) return { title: entry.title, bytes: entry.bytes };
    this.key = key;
    try {
      const list = await layers(key);
      if (stale()) return { title: entry.title, bytes: entry.bytes };
      this.layers = list.filter((l) => Array.isArray(l.weights) && l.weights.length === 4);
    } catch (e) {
      if (stale()) return { title: entry.title, bytes: entry.bytes };
      this.layers = [];
      this.filtersBox.replaceChildren();
      this.layerSelect.replaceChildren();
      this.info.textContent = `The layers of this network cannot be shown: ${e.message}`;
      return { title: entry.title, bytes: entry.bytes };
    }
    const previous = this.previousLayer?.[key];
    this.layerSelect.replaceChildren(...this.layers.map((l, i) => {
      const option = new Option(`${i + 1}. ${readableLayerName(l.name)}: ${describeLayer(l)}`, l.name);
      option.title = l.name;
      return option;
    }));
    if (this.layers.some((l) => l.name === previous)) this.layerSelect.value = previous;
    else if (this.layers.length > 1) this.layerSelect.value = this.layers[Math.min(2, this.layers.length - 1)].name;
    this.gridKey = '';
    await this.#showFilters(key, stale);
    return { title: entry.title, bytes: entry.bytes };
  }

  async #showFilters(key, stale) {
    const first = this.layers[0];
    if (!first) {
      this.filtersBox.replaceChildren();
      this.info.textContent = 'This network has no convolution.';
      return;
    }
    const { data, shape } = await filters(key, first.name);
    if (stale()) return;
    const [o, inC, kh, kw] = shape;
    const tiles = [];
    for (let f = 0; f < Math.min(o, 64); ++f) {
      const w = data.subarray(f * inC * kh * kw, (f + 1) * inC * kh * kw);
      const scale = normalise(w);
      tiles.push(tile(kw, kh, (px) => {
        for (let y = 0; y < kh; ++y) for (let x = 0; x < kw; ++x) {
          const at = (c) => w[(c * kh + y) * kw + x];
          const rgb = inC === 3 ? [at(0), at(1), at(2)] : Array(3).fill(Array.from({ length: inC }, (_, c) => at(c)).reduce((a, b) => a + b, 0) / inC);
          const p = 4 * (y * kw + x);
          px.set([scale(rgb[0]), scale(rgb[1]), scale(rgb[2]), 255], p);
        }
      }, `filter ${f + 1}`));
    }
    this.filtersBox.replaceChildren(...tiles);
    this.filtersBox.setAttribute('aria-label', `${tiles.length} first-layer filters of ${first.name}, ${kh}×${kw}, ${inC === 3 ? 'in colour' : 'averaged over input channels'}`);
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    if (!this.layers?.length) {
      frame.close();
      return { maps: null, idle: true }; // nothing ran: not counted in the timings
    }
    const options = { key: this.key, layer: this.layerSelect.value, preprocess: this.key === 'custom' ? this.customPreprocess() : undefined };
    return infer('inside', frame, options);
  }

  render(result) {
    if (!result.maps) return;
    const { data, shape } = result.maps; // NHWC
    const [, h, w, c] = shape;
    const step = Math.max(1, Math.ceil(Math.max(h, w) / MAX_MAP_SIDE));
    const th = Math.ceil(h / step), tw = Math.ceil(w / step);
    const count = Math.min(c, MAX_MAPS);
    // Live frames redraw into the same canvases; only a new layer shape rebuilds the grid.
    const key = `${count}:${tw}x${th}`;
    if (this.gridKey !== key) {
      this.gridKey = key;
      this.mapsBox.replaceChildren(...Array.from({ length: count }, (_, ch) => {
        const canvas = document.createElement('canvas');
        canvas.width = tw;
        canvas.height = th;
        canvas.title = `channel ${ch + 1}`;
        return canvas;
      }));
    }
    const values = new Float32Array(th * tw);
    [...this.mapsBox.children].forEach((canvas, ch) => {
      for (let y = 0; y < th; ++y) for (let x = 0; x < tw; ++x) values[y * tw + x] = data[((y * step) * w + x * step) * c + ch];
      const scale = normalise(values);
      const ctx = canvas.getContext('2d');
      const img = ctx.createImageData(tw, th);
      for (let i = 0; i < values.length; ++i) {
        const g = scale(values[i]);
        img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
        img.data[4 * i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    });
    this.shape.textContent = `${h}×${w}, ${c} channels${c > MAX_MAPS ? ` (first ${MAX_MAPS} shown)` : ''}`;
    this.info.textContent = 'Bright = strong response. Early layers react to edges and colours; later ones, smaller and coarser after pooling, to parts of objects.';
  }

  clear() {
    this.gridKey = '';
    this.mapsBox.replaceChildren();
    this.shape.textContent = '';
  }
}
