// The compose example's function: a plain HTTP handler that prints each CloudEvent it receives
// and answers 200 (like examples/quickstart/function.mjs, but listening on every interface so the
// broker's container can reach it).
import { createServer } from 'node:http';

const port = Number(process.env.FUNCTION_PORT ?? 3000);

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ce = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('ce-')));
    console.log(`[function] ${req.method} ${req.url} ${JSON.stringify(ce)} ${body}`);
    res.writeHead(200).end();
  });
}).listen(port, '0.0.0.0', () => console.log(`[function] listening on port ${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
