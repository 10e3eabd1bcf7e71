// Background: selfie segmentation (human-models' selfie.json, MediaPipe's model) separates the person
// from the rest; the rest is blurred or replaced by a plain colour, drawn on the overlay over the picture
// with the person cut out (the sharp picture shows through). The model runs in the demo's worker
// (pipelines/background.js); the panel says in text how much of the picture is the person.
import { backgroundAlpha, personFraction, SELFIE_SIZE } from '../decode/selfie.js';
import { percent } from '../format.js';
import { infer } from '../inference_client.js';
import { getModel } from '../model_library.js';

export const PLAIN_BACKGROUND = '#2f5d50';

export class BackgroundMode {
  id = 'background';

  /** picture(): the element showing the current picture (the video or the photo canvas), drawn blurred. */
  constructor({ requestRender, picture }) {
    this.picture = picture;
    this.style = document.getElementById('background-style');
    this.info = document.getElementById('background-info');
    this.style.addEventListener('change', () => requestRender());
    this.mask = document.createElement('canvas');
    this.mask.width = this.mask.height = SELFIE_SIZE;
  }

  async prepare() {
    const m = await getModel('selfie');
    return { title: 'Selfie segmentation', bytes: m.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame) {
    return infer('background', frame);
  }

  render(result, overlay) {
    const mask = result.mask.data;
    const share = personFraction(mask);
    this.info.dataset.person = share.toFixed(4);
    this.info.textContent = share < 0.005 ? 'No person found: the whole picture is background.' : `The person covers ${percent(share)} of the picture.`;

    this.mask.getContext('2d').putImageData(new ImageData(backgroundAlpha(mask), SELFIE_SIZE, SELFIE_SIZE), 0, 0);
    const { ctx, canvas } = overlay;
    const W = canvas.width, H = canvas.height;
    ctx.save();
    if (overlay.mirrored) { // the camera preview is shown mirrored (CSS): so must what covers it be
      ctx.translate(W, 0);
      ctx.scale(-1, 1);
    }
    if (this.style.value === 'blur') {
      // The sharp picture under the blurred one: blur fades to transparent at the canvas' edges.
      ctx.drawImage(this.picture(), 0, 0, W, H);
      ctx.filter = `blur(${Math.max(4, Math.round(W / 50))}px)`;
      ctx.drawImage(this.picture(), 0, 0, W, H);
      ctx.filter = 'none';
    } else {
      ctx.fillStyle = PLAIN_BACKGROUND;
      ctx.fillRect(0, 0, W, H);
    }
    ctx.globalCompositeOperation = 'destination-in'; // keep it only where the mask says background
    ctx.drawImage(this.mask, 0, 0, W, H);
    ctx.restore();
    overlay.drawn.push({ background: this.style.value, person: share });
  }

  showFailure(text) {
    this.info.textContent = `No result: ${text}`;
  }

  clear() {
    this.info.textContent = 'Nothing yet.';
    delete this.info.dataset.person;
  }
}
