// Objects: CenterNet boxes, labels and confidences over the picture, filtered by a threshold slider.
// The raw detections are kept, so moving the slider redraws at once without running the model again.
// (The model runs in the demo's worker: pipelines/objects.js.)
import { decodeCenterNet } from '../decode/centernet.js';
import { percent } from '../format.js';
import { infer } from '../inference_client.js';
import { getModel } from '../model_library.js';
import { colorFor } from '../overlay.js';

export class ObjectsMode {
  id = 'objects';

  constructor({ requestRender }) {
    this.slider = document.getElementById('object-threshold');
    this.value = document.getElementById('object-threshold-value');
    this.list = document.getElementById('object-list');
    this.slider.addEventListener('input', () => {
      this.value.textContent = Number(this.slider.value).toFixed(2);
      requestRender();
    });
    this.lastListText = null; // what the list shows, so live frames rebuild it only when it changes
  }

  async prepare() {
    const m = await getModel('centernet');
    return { title: 'CenterNet', bytes: m.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    return infer('objects', frame);
  }

  render(result, overlay) {
    const boxes = decodeCenterNet(result.detections, {
      imageWidth: result.width, imageHeight: result.height, threshold: Number(this.slider.value),
    });
    for (const b of boxes) overlay.box(b, [`${b.label} ${percent(b.score)}`], colorFor(b.classIndex));
    this.#list(boxes);
  }

  #list(boxes) {
    const text = boxes.map((b) => `${b.label} ${percent(b.score)}`).join('|');
    if (text === this.lastListText) return;
    this.lastListText = text;
    if (!boxes.length) {
      this.list.innerHTML = '<li class="muted">No object above the threshold.</li>';
      return;
    }
    this.list.replaceChildren(...boxes.map((b) => {
      const li = document.createElement('li');
      li.dataset.label = b.label;
      li.dataset.score = b.score.toFixed(3);
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colorFor(b.classIndex);
      const name = document.createElement('strong');
      name.textContent = b.label;
      li.append(swatch, name, ` ${percent(b.score)}`);
      return li;
    }));
  }

  clear() {
    this.lastListText = null;
    this.list.innerHTML = '<li class="muted">Nothing yet.</li>';
  }
}
