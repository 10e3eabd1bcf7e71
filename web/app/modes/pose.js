// Pose: MoveNet Lightning's 17 keypoints of one person, joined into a skeleton over the picture; the
// keypoints below the confidence threshold (a slider, redrawn at once) are left out. The model runs in
// the demo's worker (pipelines/pose.js).
import { decodeMoveNet, SKELETON } from '../decode/movenet.js';
import { percent } from '../format.js';
import { infer } from '../inference_client.js';
import { getModel } from '../model_library.js';

const BONE_COLOR = '#1a7a43';
const POINT_COLOR = '#c0392b';

export class PoseMode {
  id = 'pose';

  constructor({ requestRender }) {
    this.slider = document.getElementById('pose-threshold');
    this.value = document.getElementById('pose-threshold-value');
    this.list = document.getElementById('pose-list');
    this.slider.addEventListener('input', () => {
      this.value.textContent = Number(this.slider.value).toFixed(2);
      requestRender();
    });
    this.lastListText = null;
  }

  async prepare() {
    const m = await getModel('movenet');
    return { title: 'MoveNet Lightning', bytes: m.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    return infer('pose', frame);
  }

  render(result, overlay) {
    const threshold = Number(this.slider.value);
    const keypoints = decodeMoveNet(result.keypoints, result.region);
    const seen = keypoints.map((k) => k.score >= threshold);
    for (const [a, b] of SKELETON) if (seen[a] && seen[b]) overlay.line([keypoints[a].x, keypoints[a].y], [keypoints[b].x, keypoints[b].y], BONE_COLOR);
    keypoints.forEach((k, i) => { if (seen[i]) overlay.point([k.x, k.y], POINT_COLOR); });
    this.#list(keypoints.filter((_, i) => seen[i]));
  }

  #list(found) {
    const text = found.map((k) => `${k.name} ${percent(k.score)}`).join('|');
    if (text === this.lastListText) return;
    this.lastListText = text;
    if (!found.length) {
      this.list.innerHTML = '<li class="muted">No keypoint above the threshold.</li>';
      return;
    }
    this.list.replaceChildren(...found.map((k) => {
      const li = document.createElement('li');
      li.dataset.keypoint = k.name;
      li.dataset.x = k.x.toFixed(1);
      li.dataset.y = k.y.toFixed(1);
      li.textContent = `${k.name.replace('_', ' ')} ${percent(k.score)}`;
      return li;
    }));
  }

  clear() {
    this.lastListText = null;
    this.list.innerHTML = '<li class="muted">Nothing yet.</li>';
  }
}
