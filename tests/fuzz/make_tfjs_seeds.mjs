// Seeds for tfjs_import_fuzzer, cut from the real TF.js models in models/human: for each model, the
// first few ops (3, 8 and 24 of them) with the constants and the placeholder they read, the
// placeholder shrunk to 16x16 pixels so the fuzzer can also plan and run the piece, and exactly the
// weight bytes those constants take (so seeds import cleanly and mutations start from valid files).
// Each seed is model.json text, a NUL byte, then the shard (the format tfjs_import_target.cc reads).
// With --layers: small hand-written Keras layers-models instead (Sequential and functional, Keras 2 and
// 3 call forms), with deterministic weights.
//
//   node tests/fuzz/make_tfjs_seeds.mjs OUT_DIR [MODELS_DIR]
//   node tests/fuzz/make_tfjs_seeds.mjs --layers OUT_DIR
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BYTES = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };
const storedBytes = (w) => BYTES[w.quantization ? w.quantization.dtype : w.dtype] ?? 4;
const count = (shape) => shape.reduce((a, b) => a * b, 1);

const args = process.argv.slice(2);
const layers = args[0] === '--layers';
const [outDir, modelsDir = 'models/human'] = layers ? args.slice(1) : args;
if (!outDir) throw new Error('usage: make_tfjs_seeds.mjs [--layers] OUT_DIR [MODELS_DIR]');
mkdirSync(outDir, { recursive: true });
if (layers) {
  writeLayersSeeds(outDir);
  process.exit(0);
}
if (!existsSync(modelsDir)) process.exit(0);

let written = 0;
for (const file of readdirSync(modelsDir).filter((f) => f.endsWith('.json')).sort()) {
  const model = JSON.parse(readFileSync(join(modelsDir, file), 'utf8'));
  if (model.format !== 'graph-model' || !model.weightsManifest) continue;
  const bin = readFileSync(join(modelsDir, file.replace(/\.json$/, '.bin')));
  // Byte range of every weight in the (single-group, concatenated) shards.
  const where = new Map();
  let offset = 0;
  for (const group of model.weightsManifest)
    for (const w of group.weights) {
      const n = count(w.shape) * storedBytes(w);
      where.set(w.name, { spec: w, start: offset, end: offset + n });
      offset += n;
    }
  const nodes = model.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const ops = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder');
  for (const k of [3, 8, 24]) {
    const keep = new Set(ops.slice(0, k).map((n) => n.name));
    // The constants and placeholders the kept ops read (inputs are "name", "name:1" or "^name").
    for (const name of [...keep])
      for (const input of byName.get(name).input ?? []) {
        const producer = byName.get(input.replace(/^\^/, '').split(':')[0]);
        if (producer && (producer.op === 'Const' || producer.op === 'Placeholder')) keep.add(producer.name);
      }
    // Drop ops reading something we did not keep (a later op's output).
    for (const name of [...keep]) {
      const n = byName.get(name);
      if ((n.input ?? []).some((i) => !keep.has(i.replace(/^\^/, '').split(':')[0]))) keep.delete(name);
    }
    const kept = nodes.filter((n) => keep.has(n.name)).map((n) => {
      if (n.op !== 'Placeholder') return n;
      const dims = n.attr.shape.shape.dim.map((d, i, all) => ({ size: i === 0 ? '1' : i === all.length - 1 ? d.size : '16' }));
      return { ...n, attr: { ...n.attr, shape: { shape: { dim: dims } } } };
    });
    const weights = [];
    const chunks = [];
    for (const n of kept)
      if (n.op === 'Const' && where.has(n.name)) {
        const { spec, start, end } = where.get(n.name);
        weights.push(spec);
        chunks.push(bin.subarray(start, end));
      }
    const json = JSON.stringify({
      format: 'graph-model',
      modelTopology: { node: kept, library: {}, versions: model.modelTopology.versions ?? {} },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
    });
    const shard = Buffer.concat(chunks);
    if (json.length + shard.length > 64 * 1024) continue;  // scripts/fuzz.sh's -max_len
    writeFileSync(join(outDir, `${file.replace(/\.json$/, '')}-${k}ops`), Buffer.concat([Buffer.from(json), Buffer.from([0]), shard]));
    ++written;
  }
}
console.log(`make_tfjs_seeds: ${written} seeds in ${outDir}`);

// ---- Keras layers-models ----

function seedBytes(model, weights) {
  // weights: [[name, shape], ...] → a manifest and a shard of small deterministic floats.
  let k = 0;
  const floats = [];
  const specs = weights.map(([name, shape]) => {
    for (let i = 0; i < count(shape); ++i) floats.push(((k++ * 37) % 19) / 19 - 0.5);
    return { name, shape, dtype: 'float32' };
  });
  const json = JSON.stringify({ format: 'layers-model', ...model, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }] });
  return Buffer.concat([Buffer.from(json), Buffer.from([0]), Buffer.from(new Float32Array(floats).buffer)]);
}

function writeLayersSeeds(dir) {
  const layer = (class_name, config, inbound) => ({ class_name, name: config.name, config, ...(inbound ? { inbound_nodes: inbound } : {}) });
  const keras2 = (...names) => [names.map((n) => [n, 0, 0, {}])];
  const keras3 = (...names) => [{ args: names.map((n) => ({ class_name: '__keras_tensor__', config: { keras_history: [n, 0, 0] } })), kwargs: {} }];
  const seeds = {
    // Keras 2 Sequential (tfjs-converter form): Conv2D → BatchNormalization → ReLU → MaxPooling2D → Flatten → Dense softmax.
    'sequential-cnn': seedBytes({
      modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'seq', layers: [
        layer('InputLayer', { name: 'input_1', batch_input_shape: [null, 8, 8, 3], dtype: 'float32' }),
        layer('Conv2D', { name: 'conv', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true }),
        layer('BatchNormalization', { name: 'bn', axis: -1, epsilon: 0.001, center: true, scale: true }),
        layer('ReLU', { name: 'relu' }),
        layer('MaxPooling2D', { name: 'pool', pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' }),
        layer('Flatten', { name: 'flatten', data_format: 'channels_last' }),
        layer('Dense', { name: 'dense', units: 5, activation: 'softmax', use_bias: true }),
      ] } } },
    }, [['conv/kernel', [3, 3, 3, 4]], ['conv/bias', [4]], ['bn/gamma', [4]], ['bn/beta', [4]], ['bn/moving_mean', [4]],
      ['bn/moving_variance', [4]], ['dense/kernel', [64, 5]], ['dense/bias', [5]]]),
    // Keras 2 functional: a residual block with DepthwiseConv2D, Add, Concatenate, GlobalAveragePooling2D.
    'functional-residual': seedBytes({
      modelTopology: { class_name: 'Functional', config: { name: 'res', layers: [
        layer('InputLayer', { name: 'x', batch_input_shape: [null, 6, 6, 2], dtype: 'float32' }, []),
        layer('DepthwiseConv2D', { name: 'dw', kernel_size: [3, 3], strides: [1, 1], padding: 'same', depth_multiplier: 1, activation: 'relu6', use_bias: false }, keras2('x')),
        layer('Add', { name: 'add' }, keras2('x', 'dw')),
        layer('Concatenate', { name: 'cat', axis: -1 }, keras2('add', 'x')),
        layer('Conv2D', { name: 'pw', filters: 3, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', activation: 'sigmoid', use_bias: true }, keras2('cat')),
        layer('GlobalAveragePooling2D', { name: 'gap' }, keras2('pw')),
      ], input_layers: [['x', 0, 0]], output_layers: [['gap', 0, 0]] } },
    }, [['dw/depthwise_kernel', [3, 3, 2, 1]], ['pw/kernel', [1, 1, 4, 3]], ['pw/bias', [3]]]),
    // Keras 3 call form: Dense → LeakyReLU → Reshape → Permute, two outputs.
    'keras3-dense': seedBytes({
      modelTopology: { class_name: 'Functional', config: { name: 'k3', layers: [
        layer('InputLayer', { name: 'in', batch_shape: [null, 6], dtype: 'float32' }, []),
        layer('Dense', { name: 'd1', units: 8, activation: 'tanh', use_bias: true }, keras3('in')),
        layer('LeakyReLU', { name: 'lr', negative_slope: 0.2 }, keras3('d1')),
        layer('Reshape', { name: 'rs', target_shape: [2, 4] }, keras3('lr')),
        layer('Permute', { name: 'pm', dims: [2, 1] }, keras3('rs')),
      ], input_layers: [['in', 0, 0]], output_layers: [['pm', 0, 0], ['d1', 0, 0]] } },
    }, [['d1/kernel', [6, 8]], ['d1/bias', [8]]]),
  };
  for (const [name, bytes] of Object.entries(seeds)) writeFileSync(join(dir, name), bytes);
  console.log(`make_tfjs_seeds: ${Object.keys(seeds).length} layers-model seeds in ${dir}`);
}
