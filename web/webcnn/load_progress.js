// Download progress over all of a model's files (model.json and its shards, or one .onnx).
import { CallerThrew, invalidArgumentType } from './errors.js';

/**
 * Progress over several files. Each file counts max(its size, bytes arrived) once its size is known;
 * a TF.js weight group counts at least what its manifest says the weights take, so shards not yet
 * started are in the total. total is null while an ungrouped file of unknown size is arriving.
 */
export class LoadProgress {
  constructor(onProgress) {
    // Checked here, not at the first report: a number would otherwise fail as "is not a function" mid-load.
    if (onProgress !== undefined && onProgress !== null && typeof onProgress !== 'function') {
      throw invalidArgumentType(`load: onProgress must be a function, got ${typeof onProgress}`);
    }
    this.onProgress = onProgress;
    this.files = [];
    this.groups = [];
    this.last = null;
    this.threw = null;
  }

  file(size = null, group = null) {
    const f = { loaded: 0, size, group };
    this.files.push(f);
    return f;
  }

  group(need) {
    const g = { need };
    this.groups.push(g);
    return g;
  }

  add(file, bytes) {
    file.loaded += bytes;
    this.emit();
  }

  finish(file) {
    file.size = file.loaded;
    this.emit();
  }

  loaded() {
    return this.files.reduce((s, f) => s + f.loaded, 0);
  }

  emit() {
    if (!this.onProgress) return;
    const loaded = this.loaded();
    let total = 0;
    const grouped = new Map(this.groups.map((g) => [g, 0]));
    for (const f of this.files) {
      const counted = Math.max(f.size ?? 0, f.loaded);
      if (f.group) grouped.set(f.group, grouped.get(f.group) + counted);
      else if (f.size === null) total = null;
      else if (total !== null) total += counted;
    }
    if (total !== null) for (const [g, sum] of grouped) total += Math.max(g.need, sum);
    if (this.last && this.last.loaded === loaded && this.last.total === total) return;
    this.last = { loaded, total };
    this.report({ loaded, total });
  }

  /** The last report: everything has arrived. */
  done() {
    if (!this.onProgress) return;
    const loaded = this.loaded();
    if (this.last && this.last.loaded === loaded && this.last.total === loaded) return;
    this.last = { loaded, total: loaded };
    this.report({ loaded, total: loaded });
  }

  /**
   * Calls onProgress. Once it has thrown, every later report throws the same CallerThrew without calling
   * it again, so each file still being read stops at its next chunk (and cancels its stream).
   */
  report(value) {
    if (this.threw) throw this.threw;
    try {
      this.onProgress(value);
    } catch (e) {
      this.threw = new CallerThrew(e);
      throw this.threw;
    }
  }
}
