// The demo page's controller: which mode is active, where pictures come from, when inference runs, and
// the always-visible status (model, download size, inference ms and FPS, SIMD/threads).
//
// Inference runs in the demo's Web Worker (inference_worker.js, which runs webcnn in-process), together
// with all pixel work (reading, cropping, preprocessing) and decoding: this thread hands over frames
// (transferred, not copied) and draws results. Camera frames go through FrameLoop (a frame arriving
// while the previous one is still being analysed is dropped, never queued); a photo is analysed once,
// and again only when a setting that changes the model's input changes. Settings that only change the
// decoding (thresholds) redraw the last result without running anything.
//
// While a photo waits for its first result (models downloading, then the analysis) the stage says so
// (#analysing); a new picture or mode clears the previous results at once, so nothing stale stays.
//
// If the engine or the worker has to be replaced (inference_client.js 'restart'), the page says so; the
// picture that was being analysed is analysed again (a photo) or the next camera frame is (live).
import { FrameLoop } from './frame_loop.js';
import { formatBytes } from './format.js';
import { engineFeatures, events as inferenceEvents, isRestartError } from './inference_client.js';
import { describeError, showError, showRestartNotice } from './messages.js';
import { BackgroundMode } from './modes/background.js';
import { ClassifyMode } from './modes/classify.js';
import { CustomMode } from './modes/custom.js';
import { FacesMode } from './modes/faces.js';
import { HandsMode } from './modes/hands.js';
import { InsideMode } from './modes/inside.js';
import { ObjectsMode } from './modes/objects.js';
import { PoseMode } from './modes/pose.js';
import { Overlay } from './overlay.js';
import { Sources } from './sources.js';
import { FrameStats } from './stats.js';

const $ = (id) => document.getElementById(id);

class App {
  constructor() {
    this.overlay = new Overlay($('overlay'));
    this.stats = new FrameStats(30);
    this.generation = 0; // bumped whenever results in flight become stale (mode or source change)
    this.activation = 0; // bumped per activate(): only the latest one's models make the mode ready
    this.lastResult = null;
    this.ready = false;
    this.stillBusy = false;
    this.stillPending = false;
    this.lastError = '';

    const requestRender = (options) => this.requestRender(options);
    const custom = new CustomMode({ requestRender, onModelChanged: () => this.#modelChanged('custom'),
      hasPicture: () => this.sources.kind !== 'none' });
    this.modes = {
      objects: new ObjectsMode({ requestRender }),
      faces: new FacesMode({ requestRender }),
      pose: new PoseMode({ requestRender }),
      hands: new HandsMode(),
      classify: new ClassifyMode(),
      background: new BackgroundMode({ requestRender,
        picture: () => (this.sources.kind === 'camera' ? this.sources.video : this.sources.photoCanvas) }),
      custom,
      inside: new InsideMode({ requestRender, customModel: () => custom.loaded, customPreprocess: () => custom.preprocess() }),
    };
    this.prepared = {}; // mode id → Promise<{title, bytes}>

    this.sources = new Sources({ onChange: (change) => this.#sourceChanged(change) });
    this.loop = new FrameLoop(this.sources.video, (frame) => this.#analyse(frame, true));
    this.#wireTabs();
    window.addEventListener('resize', () => this.#redraw());
    this.#showFeatures();
    inferenceEvents.addEventListener('restart', ({ detail }) => this.#restarted(detail));
    this.activate('objects');
  }

  /** The stage's status line: text while the current picture waits for its result, '' to hide it. */
  #busy(text) {
    const el = $('analysing');
    el.textContent = text;
    el.hidden = !text;
  }

  get mode() { return this.modes[this.modeId]; }

  activate(id) {
    this.modeId = id;
    this.generation++;
    this.ready = false;
    this.unavailable = false; // the mode's models failed to load: no picture waits for them
    this.lastResult = null;
    this.stats.reset();
    this.overlay.clear();
    this.mode.clear?.();
    if (this.sources.kind !== 'none') this.#busy('Loading the model…');
    this.#renderStats();
    for (const tab of document.querySelectorAll('[role="tab"]')) {
      const on = tab.dataset.mode === id;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      $(tab.getAttribute('aria-controls')).hidden = !on;
    }
    // A new picture while the models load must not strand the mode: readiness follows the activation,
    // not the picture (a photo opened meanwhile is analysed as soon as the models are there).
    const activation = ++this.activation;
    const mode = this.mode;
    this.prepared[id] ??= mode.prepare();
    const prepared = this.prepared[id];
    prepared.then((info) => {
      if (activation !== this.activation) return;
      this.modelInfo = info;
      this.ready = true;
      this.#renderStats();

      if (this.sources.kind === 'photo') this.#runStill();
      else if (this.sources.kind === 'camera') this.#busy('Analysing…');
      else this.#busy('');
    }, (e) => {
      if (this.prepared[id] === prepared) delete this.prepared[id];
      if (activation !== this.activation) return;
      this.#busy('');
      this.unavailable = true;
      this.modelInfo = null;
      $('stat-model').textContent = 'not loaded';
      showError(describeError(e));
    });
  }

  /** Modes call this when a setting changed: redraw, re-run on the current photo, or reload models. */
  requestRender({ rerun = false, reprepare = false } = {}) {
    if (reprepare) {
      delete this.prepared[this.modeId];
      this.activate(this.modeId);
      return;
    }
    if (rerun && this.sources.kind === 'photo') this.#runStill();
    else this.#redraw();
  }

  #restarted(detail) {
    showRestartNotice(detail);
    if (detail.gaveUp) return;
    this.lastError = '';
    if (detail.failedKeys?.length) {
      // Models the worker lost: the modes that use them are prepared (their models loaded) anew.
      if (detail.failedKeys.includes('custom')) this.modes.custom.forget();
      this.prepared = {};
      this.activate(this.modeId);
    } else if (!this.ready) this.activate(this.modeId); // its models may have been loading when the worker died
    else if (this.sources.kind === 'photo') this.#runStill();
  }

  #modelChanged(id) {
    delete this.prepared[id];
    if (this.modeId === id || this.modeId === 'inside') this.activate(this.modeId);
  }

  async #runStill() {
    if (!this.ready) return;
    if (this.stillBusy) {
      this.stillPending = true;
      return;
    }
    this.stillBusy = true;
    this.#busy('Analysing…');
    try {
      const frame = await this.sources.grab();
      if (frame) await this.#analyse(frame, false);
    } finally {
      this.stillBusy = false;
      if (this.stillPending) {
        this.stillPending = false;
        this.#runStill();
      }
    }
  }

  // One picture (VideoFrame or ImageBitmap) through the active mode, which transfers it to the worker.
  async #analyse(frame, live) {
    const generation = this.generation;
    const size = { width: frame.displayWidth ?? frame.width, height: frame.displayHeight ?? frame.height };
    try {
      if (!this.ready) return;
      const mode = this.mode;
      const t0 = performance.now();
      const result = await mode.infer(frame, { ...size, live });
      const t1 = performance.now();
      if (generation !== this.generation) return;
      if (!result.idle) this.stats.record(t1 - t0, t1, { live });
      if (!this.stillPending) this.#busy('');
      this.lastResult = { ...result, ...size };
      this.lastError = '';
      this.#redraw();
      this.#renderStats();
    } catch (e) {
      if (generation !== this.generation || isRestartError(e)) return; // a restart is announced once, by #restarted
      this.#busy('');
      const text = describeError(e);
      this.mode.showFailure?.(text);
      if (text !== this.lastError) showError(text);
      this.lastError = text;
    } finally {
      frame.close(); // a no-op once transferred
    }
  }

  #redraw() {
    if (!this.lastResult || this.sources.kind === 'none') {
      this.overlay.clear();
      return;
    }
    this.overlay.begin({ ...this.lastResult, mirrored: this.sources.mirrored });
    this.mode.render(this.lastResult, this.overlay);
  }

  #sourceChanged({ kind, mirrorOnly }) {
    if (mirrorOnly) {
      this.#redraw();
      return;
    }
    this.generation++;
    this.lastResult = null;
    this.stats.reset();
    this.overlay.clear();
    this.mode.clear?.();
    this.#busy(kind === 'none' || this.unavailable ? '' : this.ready ? 'Analysing…' : 'Loading the model…');
    if (kind === 'camera') this.loop.start();
    else this.loop.stop();
    if (kind === 'photo') this.#runStill();
    this.#renderStats();
  }

  #renderStats() {
    const now = performance.now();
    if (this.lastStatsAt && now - this.lastStatsAt < 250 && this.stats.inferenceMs.length > 1) return;
    this.lastStatsAt = now;
    const info = this.modelInfo;
    $('stat-model').textContent = info?.title ?? (this.unavailable ? 'not loaded' : '…');
    $('stat-size').textContent = info ? formatBytes(info.bytes) : '—';
    const ms = this.stats.medianMs, fps = this.stats.fps;
    $('stat-ms').textContent = Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : '—';
    $('stat-fps').textContent = Number.isFinite(fps) ? fps.toFixed(1) : '—';
  }

  // SIMD and threads as the engine in the worker found them (starting it early also warms it up).
  async #showFeatures() {
    let f;
    try {
      f = await engineFeatures();
    } catch (e) {
      showError(`The inference engine could not start: ${describeError(e)}`);
      return;
    }
    $('stat-simd').textContent = f.simd ? 'on' : 'missing';
    const t = typeof f.threads === 'object' && f.threads !== null ? f.threads : { enabled: !!f.threads, count: f.threads ? 2 : 1 };
    const threads = $('stat-threads');
    threads.textContent = t.enabled ? `on · ${t.count}` : 'off';
    threads.title = t.reason || '';
    if (!f.simd) showError('This browser lacks WebAssembly SIMD, which webcnn needs (Chrome/Edge 91+, Firefox 89+, Safari 16.4+).');
  }

  #wireTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    for (const tab of tabs) {
      tab.addEventListener('click', () => { if (tab.dataset.mode !== this.modeId) this.activate(tab.dataset.mode); });
      tab.addEventListener('keydown', (e) => {
        const i = tabs.indexOf(tab);
        const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (next === undefined) return;
        e.preventDefault();
        const target = tabs[(next + tabs.length) % tabs.length];
        target.focus();
        target.click();
      });
    }
  }
}

window.webcnnDemo = new App();
