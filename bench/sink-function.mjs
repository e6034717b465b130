// The end-to-end benchmark's function (bench/e2e.ts): a bare node:http server answering 202
// with no body, in a process of its own so that nothing else shares its event loop or its heap.
// It counts distinct ce-id values (a redelivery is not counted twice) and notes when the last
// new one arrived; for a request carrying `ce-sentat` (its due time, microseconds of
// CLOCK_MONOTONIC, which every process on the machine shares) it keeps that time and the
// latency, arrival - due, on the same clock. The bench process asks for the figures and resets
// them over the IPC channel: { cmd: 'reset' } and { cmd: 'stats', latencies: boolean }.
import { createServer } from 'node:http';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

let seen = new Set();
let lastUs = 0;
let sentAt = [];
let latencyUs = [];

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = String(req.headers['ce-id']);
    if (!seen.has(id)) {
      seen.add(id);
      lastUs = monotonicUs();
      const sent = req.headers['ce-sentat'];
      if (typeof sent === 'string') {
        const due = Number(sent);
        sentAt.push(due);
        latencyUs.push(lastUs - due);
      }
    }
    res.writeHead(202).end();
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (message) => {
  if (message.cmd === 'reset') {
    seen = new Set();
    lastUs = 0;
    sentAt = [];
    latencyUs = [];
    process.send({ cmd: 'reset' });
  } else if (message.cmd === 'stats') {
    const stats = { cmd: 'stats', arrived: seen.size, lastUs };
    if (message.latencies) Object.assign(stats, { sentAt, latencyUs });
    process.send(stats);
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ cmd: 'listening', url: `http://127.0.0.1:${server.address().port}/fn` });
});
