#!/usr/bin/env node
// What LiteRT.js (@litertjs/core, wasm/XNNPACK, in headless Chromium) answers for each TFLite test model
// on its photos: top-5 ImageNet labels, the PASCAL VOC classes a segmentation covers, MoveNet keypoints,
// to check by eye against what each photo shows (ATTRIBUTION.md beside the photos). The input tensors are
// the ones tests/node/tflite_oracle.test.mjs gives webcnn and LiteRT.js (tests/node/support/tflite_cases.mjs).
//   node models/tflite_litert_oracle.mjs [--models a,b] [--build relaxed-simd|simd|auto]
import { startLiteRt } from '../tests/node/support/litert.mjs';
import { hasPhoto, photosDir } from '../tests/node/support/photos.mjs';
import { TFLITE_MODELS, modelPath, photoInput, readOutputs } from '../tests/node/support/tflite_cases.mjs';
import { tfliteTensors } from '../tests/node/support/tflite_tensors.mjs';
import { readFlags } from '../bench/options.mjs';

const o = { models: Object.keys(TFLITE_MODELS), build: ['relaxed-simd'] };
readFlags(process.argv.slice(2), { '--models': { list: true }, '--build': { list: true } }, (flag, v) => { o[flag.slice(2)] = v; });
for (const m of o.models) if (!TFLITE_MODELS[m]) throw new Error(`unknown model '${m}' (${Object.keys(TFLITE_MODELS).join(', ')})`);

const fmtQuant = (t) => (t.scale.length ? ` scale ${t.scale.length > 1 ? `${t.scale.length} per-channel` : t.scale[0]} zero point ${t.zeroPoint[0]}` : '');
const lr = await startLiteRt({ build: o.build[0] });
try {
  console.log(`LiteRT.js ${lr.version}, ${lr.script}, ${lr.threads} thread; photos from ${photosDir}\n`);
  for (const name of o.models) {
    const model = await lr.open(modelPath(name));
    const file = tfliteTensors(modelPath(name));
    const io = (specs, fromFile) => specs.map((s, i) => `${s.name} ${s.dtype} [${s.shape}]${fmtQuant(fromFile[i])}`).join('; ');
    console.log(`== ${name}\n   in:  ${io(model.inputs, file.inputs)}\n   out: ${io(model.outputs, file.outputs)}`);
    for (const photo of TFLITE_MODELS[name].photos) {
      if (!hasPhoto(photo)) {
        console.log(`-- ${photo}: not in ${photosDir}, skipped`);
        continue;
      }
      const outputs = await model.run([photoInput(name, model.inputs[0], photo)]);
      console.log(`-- ${photo}`);
      for (const line of readOutputs(name, outputs, file.outputs[0])) console.log(`   ${line}`);
    }
    await model.dispose();
    console.log('');
  }
} finally {
  await lr.close();
}
