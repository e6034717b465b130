// `npm start`: runs the example function, then `trigger-broker start examples/quickstart`,
// and stops both on Ctrl-C.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fn = spawn(process.execPath, [join(here, 'function.mjs')], { stdio: 'inherit' });
const broker = spawn(
  process.execPath,
  [join(root, 'bin', 'trigger-broker.js'), 'start', 'examples/quickstart'],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    broker.kill(signal);
    fn.kill(signal);
  });
}
broker.on('exit', (code) => {
  fn.kill('SIGTERM');
  process.exitCode = code ?? 1;
});
