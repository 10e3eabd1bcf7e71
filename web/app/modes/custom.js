// Your model: any image classifier the engine can load (an .onnx file, or a TF.js model.json with its
// .bin shards), from files or a URL, with an optional labels file, the input size, normalisation, layout
// and fit chosen by the visitor; the top 5 classes are shown as bars.
import { percent } from '../format.js';
import { parseLabels } from '../labels.js';
import { infer } from '../inference_client.js';
import { describeError, showError, showInfo } from '../messages.js';
import { loadWithProgress } from '../model_library.js';

const MODEL_FILE = /\.(onnx|json|bin)$/i;

export class CustomMode {
  id = 'custom';

  constructor({ requestRender, onModelChanged }) {
    this.requestRender = requestRender;
    this.onModelChanged = onModelChanged;
    this.top = document.getElementById('custom-top');
    this.info = document.getElementById('custom-info');
    this.labels = null;
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
    document.getElementById('custom-labels').addEventListener('change', async (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (!file) return;
      try {
        this.labels = parseLabels(await file.text(), file.name);
        document.getElementById('custom-labels-info').textContent = `${this.labels.length} labels from ${file.name}.`;
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
      const input = loaded.inputs[0];
      this.info.textContent = `${name}: input ${input?.name} [${input?.shape.join(', ')}], ${loaded.outputs.length} output(s).`;
      showInfo(`${name} is loaded.`);
      this.onModelChanged();
    } catch (e) {
      showError(describeError(e));
    }
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
      this.top.innerHTML = '<li class="muted">Load a model to see its top 5.</li>';
      return;
    }
    this.top.replaceChildren(...result.top.map(({ index, score }) => {
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = this.labels?.[index] ?? `class ${index}`;
      const pct = document.createElement('span');
      pct.className = 'pct';
      pct.textContent = percent(score);
      const bar = document.createElement('span');
      bar.className = 'bar';
      const fill = document.createElement('span');
      fill.style.width = `${Math.max(0, Math.min(1, score)) * 100}%`;
      bar.append(fill);
      li.append(label, pct, bar);
      return li;
    }));
  }

  clear() {
    this.top.replaceChildren();
  }
}
