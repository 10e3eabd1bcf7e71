// Preprocessing options as the API takes them: a preset name, or options with an optional preset under
// them, resolved to the options the engine takes (js_values.h).

import { invalidArgumentType } from './errors.js';

const PRESETS = {
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], fit: 'center-crop', cropFraction: 0.875 },
  unit: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  'minus1to1': { scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] },
  raw255: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
};

export function preprocessOptions(preprocess) {
  if (preprocess === undefined) return undefined;
  if (typeof preprocess === 'string') preprocess = { preset: preprocess };
  if (preprocess === null || typeof preprocess !== 'object') {
    throw invalidArgumentType(`preprocess must be a preset name or an options object, got ${preprocess === null ? 'null' : typeof preprocess}`);
  }
  const { preset, ...rest } = preprocess;
  if (preset === undefined) return rest;
  const base = PRESETS[preset];
  if (!base) throw invalidArgumentType(`unknown preprocess preset '${preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
  return { ...base, ...rest };
}
