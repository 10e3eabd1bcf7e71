// Hands: MediaPipe's palm detector and hand landmark model (from human-models) find hands and their 21
// landmarks, drawn as a box and a skeleton over the picture. The models run in the demo's worker
// (pipelines/hands.js); a palm the landmark model does not confirm (below HAND_THRESHOLD) is not a hand.
import { HAND_SKELETON, HAND_THRESHOLD } from '../decode/hands.js';
import { percent } from '../format.js';
import { infer } from '../inference_client.js';
import { getModel } from '../model_library.js';

const BOX_COLOR = '#8a3ffc';
const BONE_COLOR = '#1a7a43';
const POINT_COLOR = '#c0392b';

export class HandsMode {
  id = 'hands';

  constructor() {
    this.list = document.getElementById('hand-list');
    this.lastListText = null;
  }

  async prepare() {
    const [detect, landmark] = await Promise.all([getModel('handdetect'), getModel('handlandmark')]);
    return { title: 'Palm detector, hand landmarks', bytes: detect.bytes + landmark.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    return infer('hands', frame);
  }

  render(result, overlay) {
    const hands = result.hands.filter((h) => h.score >= HAND_THRESHOLD);
    hands.forEach((h, i) => {
      const pts = h.landmarks.map((p) => [p.x, p.y]);
      for (const [a, b] of HAND_SKELETON) overlay.line(pts[a], pts[b], BONE_COLOR);
      for (const p of pts) overlay.point(p, POINT_COLOR, 3); // 21 points on a hand: smaller than the body's
      overlay.box(h, [`hand ${i + 1}: ${percent(h.score)}`], BOX_COLOR, { short: i + 1 });
    });
    this.#list(hands, result.hands.length - hands.length);
  }

  #list(hands, rejected) {
    const text = hands.map((h) => percent(h.score)).join('|') + `/${rejected}`;
    if (text === this.lastListText) return;
    this.lastListText = text;
    this.list.dataset.hands = String(hands.length);
    this.list.dataset.rejected = String(rejected);
    const items = hands.map((h, i) => {
      const li = document.createElement('li');
      li.dataset.score = h.score.toFixed(3);
      li.textContent = `Hand ${i + 1}: ${percent(h.score)} sure (palm detector ${percent(h.palmScore)})`;
      return li;
    });
    if (!hands.length) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'No hand found.';
      items.push(li);
    }
    if (rejected) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = `${rejected} palm-like ${rejected === 1 ? 'spot' : 'spots'} not confirmed as a hand by the landmark model.`;
      items.push(li);
    }
    this.list.replaceChildren(...items);
  }

  showFailure(text) {
    this.lastListText = null;
    this.list.innerHTML = '';
    const li = document.createElement('li');
    li.textContent = `No result: ${text}`;
    this.list.append(li);
  }

  clear() {
    this.lastListText = null;
    delete this.list.dataset.hands;
    delete this.list.dataset.rejected;
    this.list.innerHTML = '<li class="muted">Nothing yet.</li>';
  }
}
