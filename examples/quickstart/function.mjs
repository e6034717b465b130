// The quickstart's example function: a plain HTTP handler that prints each CloudEvent it
// receives and answers 200, as a Knative service or a Lambda function URL would.
import { createServer } from 'node:http';

const port = Number(process.env.FUNCTION_PORT ?? 3000);

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const ce = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('ce-')));
    console.log(
      `[function] ${req.method} ${req.url} ${JSON.stringify(ce)} ${req.headers['content-type'] ?? ''} ${body}`,
    );
    res.writeHead(200).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`[function] listening on http://127.0.0.1:${port}`));
