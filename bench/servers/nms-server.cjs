// Node-Media-Server 4 (npm `node-media-server`) as a benchmark peer: RTMP only, on the port given,
// bound to 127.0.0.1, with its data store under the given directory and no web admin, API or
// recording, so it does what the other servers do and nothing else.
//
//   node bench/servers/nms-server.cjs --rtmp-port 19350 --data bench/.work/nms-data
const { parseArgs } = require('node:util');
const NodeMediaServer = require('node-media-server');
const logger = require('node-media-server/src/core/logger.js');

const { values } = parseArgs({ options: { 'rtmp-port': { type: 'string' }, data: { type: 'string' } } });
const config = {
  bind: '127.0.0.1',
  rtmp: { port: Number(values['rtmp-port']) },
  store: { path: values.data ?? './nms-data' },
  webadmin: { enable: false },
  record: { auto: false, path: `${values.data ?? './nms-data'}/record` },
};
const nms = new NodeMediaServer(config, '');
// Its constructor sets "debug"; one line per session at info is noise we do not want to measure.
logger.level = 'warn';
nms.run();
process.stdout.write(`${JSON.stringify({ rtmp_port: config.rtmp.port, pid: process.pid })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 3000).unref();
  await nms.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
