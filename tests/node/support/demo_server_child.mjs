// web/server.mjs alone in a child process, so that tests and bench/server_load.mjs can measure its memory:
//   node demo_server_child.mjs <webRoot> [<mounts as JSON: {"/models/x/": "/dir"}>]
// Serves <webRoot> at / on a free port of 127.0.0.1, sends {port} over IPC when it listens, and answers
// each 'memory' message with {rss, peakRss} in bytes (peakRss: VmHWM from /proc/self/status).
// WEBCNN_DEMO_SERVER=<path of a server module> serves with another version of it (to compare).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const { createDemoServer } = await import(process.env.WEBCNN_DEMO_SERVER
  ? pathToFileURL(process.env.WEBCNN_DEMO_SERVER).href : '../../../web/server.mjs');

function peakRss() {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : NaN;
}

const server = createDemoServer({ webRoot: process.argv[2], mounts: JSON.parse(process.argv[3] || '{}') });
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'memory') process.send({ rss: process.memoryUsage().rss, peakRss: peakRss() });
});
process.on('disconnect', () => process.exit(0));
