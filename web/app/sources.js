// Where pictures come from: the camera (with a picker, start/stop and a mirrored preview) or a photo
// (file picker, drag and drop, paste, or one of the sample photos served at /photos/, one click each). Calls onChange({kind: 'camera' | 'photo' | 'none', width, height})
// whenever the picture source changes; the current photo is `photo` (an ImageBitmap), the camera is
// `video`.
import { showError, showInfo } from './messages.js';
import { PhotoCredit } from './photo_credits.js';

const CAMERA_ERRORS = {
  NotAllowedError: 'Camera permission was denied. Allow the camera for this site in the browser\'s settings, or open a photo instead.',
  SecurityError: 'The browser does not allow the camera here (it needs https or localhost).',
  NotFoundError: 'No camera was found. Connect one, or open a photo instead.',
  OverconstrainedError: 'The chosen camera is not available any more. Pick another one.',
  NotReadableError: 'The camera is in use by another application, or the system blocked it.',
  AbortError: 'The camera could not be started. Try again, or pick another camera.',
};

/**
 * The video's current frame. A VideoFrame refers to the decoded frame without copying its pixels, so
 * grabbing costs the main thread nearly nothing; browsers without WebCodecs get an ImageBitmap.
 */
export function grabFrame(video) {
  if (typeof VideoFrame === 'function') {
    try {
      return Promise.resolve(new VideoFrame(video));
    } catch {
      // e.g. no frame decoded yet: fall through
    }
  }
  return createImageBitmap(video);
}

export class Sources {
  constructor({ onChange }) {
    this.onChange = onChange;
    this.stage = document.getElementById('stage');
    this.video = document.getElementById('video');
    this.photoCanvas = document.getElementById('photo');
    this.toggle = document.getElementById('camera-toggle');
    this.select = document.getElementById('camera-select');
    this.mirror = document.getElementById('mirror');
    this.kind = 'none';
    this.stream = null;
    this.photo = null;
    this.sampleName = null; // the sample photo on show (its credit is shown under the picture), else null
    this.credit = new PhotoCredit(document.getElementById('photo-credit'));
    this.starting = false;

    this.toggle.addEventListener('click', () => (this.stream ? this.stopCamera() : this.startCamera()));
    this.select.addEventListener('change', () => { if (this.stream) this.startCamera(); });
    this.mirror.addEventListener('change', () => this.#applyMirror());
    document.getElementById('file-input').addEventListener('change', (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (file) this.openFile(file);
    });
    this.#wireDrop();
    for (const button of document.querySelectorAll('.samples [data-photo]'))
      button.addEventListener('click', () => this.openSample(button.dataset.photo));
    document.addEventListener('paste', (e) => {
      if (e.target.closest?.('input, textarea')) return;
      const file = [...(e.clipboardData?.files || [])][0];
      if (file) {
        e.preventDefault();
        this.openFile(file);
      }
    });
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.#listCameras());
  }

  get mirrored() { return this.kind === 'camera' && this.mirror.checked; }

  get size() {
    if (this.kind === 'camera') return { width: this.video.videoWidth, height: this.video.videoHeight };
    if (this.kind === 'photo') return { width: this.photo.width, height: this.photo.height };
    return { width: 0, height: 0 };
  }

  async startCamera() {
    if (this.starting) return;
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(CAMERA_ERRORS.SecurityError);
      return;
    }
    this.starting = true;
    this.toggle.disabled = true;
    this.#stopStream();
    try {
      const deviceId = this.select.value;
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: 640 }, height: { ideal: 480 } },
      });
      this.stream.getVideoTracks()[0]?.addEventListener('ended', () => {
        if (this.stream) { showInfo('The camera stopped.'); this.stopCamera(); }
      });
      this.video.srcObject = this.stream;
      await this.video.play();
      if (!this.video.videoWidth) await new Promise((r) => this.video.addEventListener('loadedmetadata', r, { once: true }));
      this.#closePhoto();
      this.#setKind('camera');
      await this.#listCameras();
    } catch (e) {
      this.#stopStream();
      showError(CAMERA_ERRORS[e?.name] || `The camera could not be started: ${e?.message || e}`);
      if (this.kind === 'camera') this.#setKind('none');
    } finally {
      this.starting = false;
      this.toggle.disabled = false;
      this.#syncToggle();
    }
  }

  stopCamera() {
    this.#stopStream();
    if (this.kind === 'camera') this.#setKind('none');
    this.#syncToggle();
  }

  /** One of the sample photos (tests/data/photos, served at /photos/; its credit shown under it). */
  async openSample(name) {
    let file;
    try {
      const response = await fetch(`photos/${encodeURIComponent(name)}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      file = new File([blob], name, { type: blob.type });
    } catch (e) {
      showError(`The sample photo ${name} could not be fetched (${e?.message || e}).`);
      return;
    }
    await this.openFile(file, { sample: name });
  }

  /** A photo; `sample` names the sample photo it is (for its credit line). */
  async openFile(file, { sample = null } = {}) {
    if (!file.type.startsWith('image/') && file.type !== '') {
      showError(`“${file.name}” is not an image (${file.type}). Open a JPEG, PNG, WebP, GIF or BMP photo.`);
      return;
    }
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      showError(`“${file.name}” could not be read as an image: the file is damaged or in a format this browser cannot decode.`);
      return;
    }
    this.stopCamera();
    this.#closePhoto();
    this.sampleName = sample;
    this.photo = bitmap;
    this.photoCanvas.width = bitmap.width;
    this.photoCanvas.height = bitmap.height;
    this.photoCanvas.getContext('2d').drawImage(bitmap, 0, 0);
    this.photoCanvas.setAttribute('aria-label', `Photo: ${file.name}`);
    this.#setKind('photo');
  }

  /** A snapshot of the current picture the caller owns (and must close or transfer), or null. */
  async grab() {
    if (this.kind === 'camera' && this.video.readyState >= 2 && this.video.videoWidth) return grabFrame(this.video);
    if (this.kind === 'photo' && this.photo) return createImageBitmap(this.photo);
    return null;
  }

  #setKind(kind) {
    this.kind = kind;
    this.stage.classList.toggle('camera', kind === 'camera');
    this.stage.classList.toggle('photo', kind === 'photo');
    this.stage.classList.toggle('empty', kind === 'none');
    const { width, height } = this.size;
    if (width && height) {
      // Keep the picture's shape and fit the viewport: the width follows from the height limit.
      this.stage.style.aspectRatio = `${width} / ${height}`;
      this.stage.style.maxWidth = `calc(64vh * ${(width / height).toFixed(4)})`;
    }
    this.#applyMirror();
    this.credit.show(kind === 'photo' ? this.sampleName : null);
    this.onChange({ kind, width, height });
  }

  #applyMirror() {
    this.stage.classList.toggle('mirrored', this.mirror.checked);
    this.onChange?.({ kind: this.kind, ...this.size, mirrorOnly: true });
  }

  #syncToggle() {
    const on = !!this.stream;
    this.toggle.textContent = on ? 'Stop camera' : 'Start camera';
    this.toggle.setAttribute('aria-pressed', String(on));
  }

  #stopStream() {
    if (!this.stream) return;
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  #closePhoto() {
    this.photo?.close();
    this.photo = null;
  }

  async #listCameras() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput');
    const current = this.stream?.getVideoTracks()[0]?.getSettings().deviceId || this.select.value;
    this.select.replaceChildren(...cameras.map((d, i) => {
      const option = new Option(d.label || `Camera ${i + 1}`, d.deviceId);
      option.selected = d.deviceId === current;
      return option;
    }));
    if (!cameras.length) this.select.append(new Option('No camera found', ''));
  }

  #wireDrop() {
    const stage = this.stage;
    let depth = 0;
    const isFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    stage.addEventListener('dragenter', (e) => { if (isFiles(e)) { depth++; stage.classList.add('dragging'); e.preventDefault(); } });
    stage.addEventListener('dragover', (e) => { if (isFiles(e)) e.preventDefault(); });
    stage.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; stage.classList.remove('dragging'); } });
    stage.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      stage.classList.remove('dragging');
      const file = e.dataTransfer?.files?.[0];
      if (file) this.openFile(file);
    });
    // A drop elsewhere on the page must not navigate away from it.
    window.addEventListener('dragover', (e) => e.preventDefault());
    window.addEventListener('drop', (e) => e.preventDefault());
  }
}
