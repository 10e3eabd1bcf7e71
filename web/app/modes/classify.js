// Classify: what the picture shows among the 1000 ImageNet classes, as the five best with their
// percentages (text and bars). MobileNetV2, 8-bit TFLite (models/tflite, Apache-2.0), runs in the demo's
// worker (pipelines/imagenet.js). Its labels file is matched to the model's output count before anything
// is shown (labels.js matchLabels): a list that does not fit would shift every name, so the mode refuses
// to start and says why.
import { infer } from '../inference_client.js';
import { matchLabels, parseLabels } from '../labels.js';
import { CATALOG, getModel } from '../model_library.js';
import { renderTopBars, renderTopFailure } from '../top_bars.js';

const NOTHING_YET = '<li class="muted">Nothing yet.</li>';

async function fetchLabels(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the labels file ${url} could not be fetched (HTTP ${response.status})`);
  return parseLabels(await response.text(), url);
}

export class ClassifyMode {
  id = 'classify';

  constructor() {
    this.top = document.getElementById('classify-top');
    this.labels = null;
    this.refusal = ''; // why the mode cannot name anything (its labels do not fit the model), else ''
  }

  async prepare() {
    const { labels: labelsUrl } = CATALOG.mobilenet;
    const [model, labels] = await Promise.all([getModel('mobilenet'), fetchLabels(labelsUrl)]);
    const classes = model.outputs[0]?.shape?.at(-1);
    const matched = matchLabels(labels, classes);
    if (!matched || matched.length !== classes) {
      this.refusal = `${labelsUrl} has ${labels.length} labels but the classifier has ${classes} outputs: every name would be wrong, so Classify is off.`;
      this.clear();
      throw new Error(this.refusal);
    }
    this.labels = matched;
    this.refusal = '';
    return { title: 'MobileNetV2 (8-bit)', bytes: model.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    return infer('imagenet', frame);
  }

  render(result) {
    renderTopBars(this.top, result.top.map(({ index, score }) => ({ name: this.labels[index], score })));
  }

  /** The picture could not be classified (the message says why): the list says so instead of going stale. */
  showFailure(text) {
    renderTopFailure(this.top, text);
  }

  clear() {
    if (this.refusal) this.showFailure(this.refusal);
    else this.top.innerHTML = NOTHING_YET;
  }
}
