// A TF.js IOHandler reading model.json and its weight shards from disk (no fetch, no tfjs-node), for graph- and layers-models.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The model artifacts of jsonPath; fields model.json lacks stay undefined (a layers-model has few of them). */
export function fileHandler(jsonPath) {
  return {
    async load() {
      const model = JSON.parse(readFileSync(jsonPath, 'utf8'));
      const weightSpecs = [];
      const buffers = [];
      for (const group of model.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) buffers.push(readFileSync(join(dirname(jsonPath), p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: model.modelTopology,
        format: model.format,
        generatedBy: model.generatedBy,
        convertedBy: model.convertedBy,
        signature: model.signature,
        userDefinedMetadata: model.userDefinedMetadata,
        modelInitializer: model.modelInitializer,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}
