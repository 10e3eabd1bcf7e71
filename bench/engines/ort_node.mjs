// onnxruntime-node (native CPU EP) with one intra-op and one inter-op thread: the native peer of
// `webcnn bench`.
import ort from 'onnxruntime-node';

export const id = 'ort-node';
export const label = 'onnxruntime-node (CPU EP, 1 thread)';
export const native = true;

export function supports(model) {
  return !!model.onnx;
}

export async function open(model, input) {
  const session = await ort.InferenceSession.create(model.onnx, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feed = { [session.inputNames[0]]: new ort.Tensor('float32', input.nchw.data, input.nchw.shape) };
  const run = () => session.run(feed);
  return {
    runOnce: run,
    async outputs() {
      const out = await run();
      return new Map(session.outputNames.map((name) => [name, out[name].data]));
    },
    close: () => session.release(),
  };
}
