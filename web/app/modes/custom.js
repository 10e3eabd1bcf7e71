// Your model: any image classifier the engine can load (an .onnx file, or a TF.js model.json with its
// .bin shards), from files, a URL (relative to this server or absolute) or the examples this server has,
// with an optional labels file, the input size, normalisation, layout and fit chosen by the visitor; the
// top 5 classes are shown as bars. Grey models (one input channel) work too (pipelines/classify.js). A
// labels file must name as many classes as the model has (one more whose first name is 'background' is
// taken without it): otherwise every name would be shifted, so it is refused with the two counts.
import { EMOTIONS } from '../decode/face_attributes.js';
import { matchLabels, parseLabels } from '../labels.js';
import { infer } from '../inference_client.js';
import { describeError, showError, showInfo } from '../messages.js';
import { loadWithProgress } from '../model_library.js';
import { renderTopBars, renderTopFailure } from '../top_bars.js';

const MODEL_FILE = /\.(onnx|json|bin)$/i;

// The served models a visitor can try in one click, with the settings they need.
export const EXAMPLES = {
  emotion: { url: 'models/human/emotion.json', labels: EMOTIONS, width: 64, height: 64, norm: 'minus1to1', fit: 'center-crop' },
  nsfwjs: { url: 'models/nsfwjs/model.json', labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'], width: 224, height: 224,
    norm: 'unit', fit: 'stretch' },
};

/** Classes in a classifier's first output as the model declares it (its last dimension), or undefined. */
function declaredClasses(loaded) {
  const n = loaded?.outputs?.[0]?.shape?.at(-1);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export class CustomMode {
  id = 'custom';

  constructor({ requestRender, onModelChanged, hasPicture }) {
    this.requestRender = requestRender;
    this.hasPicture = hasPicture;
    this.onModelChanged = onModelChanged;
    this.top = document.getElementById('custom-top');
    this.info = document.getElementById('custom-info');
    this.labels = null; // as the visitor gave them
    this.labelsName = '';
    this.loaded = null; // {key: 'custom', inputs, outputs, bytes, title}: the model lives in the worker
    document.getElementById('custom-files').addEventListener('change', (e) => {
      const files = [...e.target.files];
      e.target.value = '';
      if (files.length) this.#loadFiles(files);
    });
    document.getElementById('custom-url-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const url = document.getElementById('custom-url').value.trim();
      if (url) this.#load(url, url.split('/').pop() || url);
    });
    document.getElementById('custom-example-load').addEventListener('click', () => {
      const key = document.getElementById('custom-example').value;
      const example = EXAMPLES[key];
      if (!example) return;
      document.getElementById('custom-width').value = example.width;
      document.getElementById('custom-height').value = example.height;
      document.getElementById('custom-norm').value = example.norm;
      document.getElementById('custom-fit').value = example.fit;
      document.getElementById('custom-layout').value = '';
      document.getElementById('custom-url').value = example.url;
      this.labels = example.labels;
      this.labelsName = `the ${key} example`;
      this.#load(example.url, example.url.split('/').pop());
    });
    document.getElementById('custom-labels').addEventListener('change', async (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (!file) return;
      try {
        this.labels = parseLabels(await file.text(), file.name);
        this.labelsName = file.name;
        this.#checkLabels();
        requestRender();
      } catch (err) {
        showError(`The labels file ${file.name} could not be used: ${describeError(err)}`);
      }
    });
    for (const id of ['custom-width', 'custom-height', 'custom-norm', 'custom-layout', 'custom-fit'])
      document.getElementById(id).addEventListener('change', () => requestRender({ rerun: true }));
  }

  #loadFiles(files) {
    const unknown = files.filter((f) => !MODEL_FILE.test(f.name));
    if (unknown.length) {
      showError(`${unknown.map((f) => f.name).join(', ')}: not a model file. Choose an .onnx file, or a model.json with its .bin weight files.`);
      return;
    }
    const json = files.find((f) => /\.json$/i.test(f.name));
    const onnx = files.find((f) => /\.onnx$/i.test(f.name));
    if (!json && !onnx) {
      showError('Choose the model itself too: an .onnx file, or the model.json beside its .bin files.');
      return;
    }
    this.#load(onnx && files.length === 1 ? onnx : files, (json || onnx).name);
  }

  async #load(source, name) {
    try {
      // A model that fails to load leaves the previous one in place (the worker swaps only on success).
      const loaded = await loadWithProgress('custom', source, name);
      this.loaded = loaded;
      this.classes = declaredClasses(loaded); // until a run tells
      const input = loaded.inputs[0];
      this.info.textContent = `${name}: input ${input?.name} [${input?.shape.join(', ')}], ${loaded.outputs.length} output(s).`;
      this.#checkLabels();
      this.top.innerHTML = `<li class="muted">${this.hasPicture() ? 'Analysing…' : 'Open a photo, pick a sample or start the camera.'}</li>`;
      showInfo(`${name} is loaded.`);
      this.onModelChanged();
    } catch (e) {
      showError(describeError(e));
    }
  }

  /** The labels to show: the visitor's, when their count fits the model's classes. */
  #checkLabels() {
    const info = document.getElementById('custom-labels-info');
    this.usableLabels = null;
    if (!this.labels) {
      info.textContent = 'No labels: classes are shown by index.';
      return;
    }
    const classes = this.classes;
    const labels = matchLabels(this.labels, classes);
    if (!labels) {
      const text = `${this.labelsName} has ${this.labels.length} labels but the model has ${classes} classes: every name would be wrong, so classes are shown by index. Choose the labels made for this model.`;
      info.textContent = text;
      showError(text);
      return;
    }
    this.usableLabels = labels;
    info.textContent = `${labels.length} labels from ${this.labelsName}${labels !== this.labels ? ` (without its first, '${this.labels[0]}')` : ''}.`;
  }

  preprocess() {
    const num = (id) => {
      const v = Number(document.getElementById(id).value);
      return Number.isInteger(v) && v > 0 ? v : undefined;
    };
    const layout = document.getElementById('custom-layout').value || undefined;
    return {
      preset: document.getElementById('custom-norm').value,
      width: num('custom-width'),
      height: num('custom-height'),
      layout,
      fit: document.getElementById('custom-fit').value,
    };
  }

  /** The worker lost the model (an engine or worker restart could not load it again). */
  forget() {
    if (!this.loaded) return;
    this.info.textContent = `${this.loaded.title} was lost when the inference worker restarted: load it again.`;
    this.loaded = null;
  }

  async prepare() {
    if (!this.loaded) return { title: 'none (load one)', bytes: NaN, idle: true };
    return { title: this.loaded.title, bytes: this.loaded.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    if (!this.loaded) {
      frame.close();
      return { top: null, idle: true }; // nothing ran: not counted in the timings
    }
    return infer('classify', frame, { preprocess: this.preprocess() });
  }

  render(result) {
    if (!result.top) {
      this.top.innerHTML = `<li class="muted">${this.loaded ? 'Analysing…' : 'Load a model to see its top 5.'}</li>`;
      return;
    }
    if (result.classes !== this.classes) {
      this.classes = result.classes;
      this.#checkLabels();
    }
    renderTopBars(this.top, result.top.map(({ index, score }) => ({ name: this.usableLabels?.[index] ?? `class ${index}`, score })));
  }

  /** The picture could not be classified (the message says why): the list says so instead of going stale. */
  showFailure(text) {
    renderTopFailure(this.top, text);
  }

  clear() {
    this.top.replaceChildren();
  }
}
