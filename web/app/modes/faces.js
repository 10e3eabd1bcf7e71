// Faces: BlazeFace finds faces; per face the expression classifier and FaceRes (age, gender and a
// 1024-number face signature) describe it (all in the demo's worker: pipelines/faces.js). Enrolled
// people (IndexedDB) are recognised here by the cosine similarity of signatures, against a threshold
// the visitor sees and sets; moving it redraws at once. Faces are numbered largest first, the same
// number on the box and in the list; every attribute shows how sure the model is.
import { cosineSimilarity } from '../decode/face_attributes.js';
import { addPerson, deletePerson, listPeople } from '../enrolment_store.js';
import { percent } from '../format.js';
import { infer, resetTracking } from '../inference_client.js';
import { describeError, showError, showInfo } from '../messages.js';
import { getModel } from '../model_library.js';

const KNOWN_COLOR = '#1a7a43';
const FACE_COLOR = '#2f6fde';

/** The list's and the box's wording of one face's attributes, with the model's confidence in each. */
export function describeFace(f) {
  const expression = f.emotions[0];
  return {
    expression: `${expression.emotion} ${percent(expression.score)}`,
    gender: `${f.attributes.gender} ${percent(f.attributes.genderProbability)}`,
    age: `about ${Math.round(f.attributes.age)} (${percent(f.attributes.ageWithin5)} within ±5 y)`,
  };
}

export class FacesMode {
  id = 'faces';

  constructor({ requestRender }) {
    this.requestRender = requestRender;
    this.list = document.getElementById('face-list');
    this.threshold = document.getElementById('match-threshold');
    this.thresholdValue = document.getElementById('match-threshold-value');
    this.enrolled = document.getElementById('enrolled-list');
    this.people = [];
    this.latest = null; // the last analysed frame: {faces, thumb} (thumb: the largest face, for enrolment)
    this.lastListText = null; // what the list shows, so live frames rebuild it only when it changes
    this.threshold.addEventListener('input', () => {
      this.thresholdValue.textContent = Number(this.threshold.value).toFixed(2);
      requestRender();
    });
    document.getElementById('enrol-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#enrol();
    });
    this.#loadPeople();
  }

  async prepare() {
    const [blaze, emotion, faceres] = await Promise.all([getModel('blazeface'), getModel('emotion'), getModel('faceres')]);
    return { title: 'BlazeFace, emotion, FaceRes', bytes: blaze.bytes + emotion.bytes + faceres.bytes };
  }

  /** Runs in the inference worker; `frame` is transferred there. */
  async infer(frame, { live }) {
    const result = await infer('faces', frame, { live });
    this.latest?.thumb?.close();
    this.latest = result;
    return { faces: result.faces };
  }

  render(result, overlay) {
    const threshold = Number(this.threshold.value);
    const rows = result.faces.map((f, i) => {
      const match = this.#bestMatch(f.attributes.descriptor);
      const known = match && match.similarity >= threshold;
      const expression = f.emotions[0];
      const words = describeFace(f);
      const lines = [
        `${i + 1} · ${known ? `${match.person.name} (${match.similarity.toFixed(2)})` : `face ${percent(f.face.score)}`}`,
        words.expression,
        `${words.gender} · ${Math.round(f.attributes.age)} y`,
      ];
      const color = known ? KNOWN_COLOR : FACE_COLOR;
      overlay.box(f.face, lines, color, { short: i + 1 });
      return { f, match, known, expression, color };
    });
    this.#list(rows);
  }

  #bestMatch(descriptor) {
    let best = null;
    for (const person of this.people) {
      const similarity = cosineSimilarity(descriptor, person.descriptor);
      if (!best || similarity > best.similarity) best = { person, similarity };
    }
    return best;
  }

  #list(rows) {
    const text = rows.map((r) => `${r.known ? r.match.person.name : ''}|${Object.values(describeFace(r.f)).join('|')}`).join(';');
    if (text === this.lastListText) return;
    this.lastListText = text;
    if (!rows.length) {
      this.list.innerHTML = '<li class="muted">No face found.</li>';
      return;
    }
    this.list.replaceChildren(...rows.map(({ f, match, known, expression, color }, i) => {
      const li = document.createElement('li');
      li.className = 'face';
      li.dataset.number = String(i + 1);
      li.dataset.expression = expression.emotion;
      li.dataset.name = known ? match.person.name : '';
      li.dataset.similarity = match ? match.similarity.toFixed(3) : '';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = color;
      const who = document.createElement('strong');
      who.textContent = known ? `${i + 1} · ${match.person.name}` : `Face ${i + 1}`;
      if (known) who.className = 'name';
      const words = describeFace(f);
      const details = [words.expression, words.gender, words.age];
      if (match) details.push(`best match ${match.person.name} ${match.similarity.toFixed(2)}`);
      li.append(swatch, who, ` — ${details.join(', ')}`);
      return li;
    }));
  }

  async #enrol() {
    const input = document.getElementById('enrol-name');
    const name = input.value.trim();
    if (!name) {
      showError('Type a name first, then press Remember.');
      input.focus();
      return;
    }
    const face = this.latest?.faces[0];
    if (!face) {
      showError('There is no face in view to remember. Start the camera or open a photo with a face, in Faces mode.');
      return;
    }
    try {
      let thumbnail = null;
      if (this.latest.thumb) {
        const canvas = new OffscreenCanvas(this.latest.thumb.width, this.latest.thumb.height);
        canvas.getContext('2d').drawImage(this.latest.thumb, 0, 0);
        thumbnail = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
      }
      await addPerson({ name, descriptor: face.attributes.descriptor, thumbnail });
      input.value = '';
      showInfo(`${name} will be recognised from now on (remembered in this browser only).`);
      await this.#loadPeople();
    } catch (e) {
      showError(`Could not remember ${name}: ${describeError(e)}`);
    }
  }

  async #loadPeople() {
    try {
      this.people = await listPeople();
    } catch (e) {
      this.people = [];
      showError(describeError(e));
    }
    for (const url of this.thumbUrls || []) URL.revokeObjectURL(url);
    this.thumbUrls = [];
    if (!this.people.length) {
      this.enrolled.innerHTML = '<li class="muted">Nobody yet.</li>';
    } else {
      this.enrolled.replaceChildren(...this.people.map((p) => {
        const li = document.createElement('li');
        li.dataset.name = p.name;
        const img = document.createElement('img');
        img.alt = '';
        if (p.thumbnail) {
          const url = URL.createObjectURL(p.thumbnail);
          this.thumbUrls.push(url);
          img.src = url;
        }
        const label = document.createElement('span');
        label.textContent = p.name;
        const forget = document.createElement('button');
        forget.type = 'button';
        forget.textContent = 'Forget';
        forget.setAttribute('aria-label', `Forget ${p.name}`);
        forget.addEventListener('click', async () => {
          await deletePerson(p.id).catch((e) => showError(describeError(e)));
          await this.#loadPeople();
        });
        li.append(img, label, forget);
        return li;
      }));
    }
    this.lastListText = null;
    this.requestRender();
  }

  clear() {
    this.lastListText = null;
    resetTracking().catch(() => {});
    this.list.innerHTML = '<li class="muted">No face yet.</li>';
  }
}
