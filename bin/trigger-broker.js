#!/usr/bin/env node
// The package's command: runs the built CLI (npm ci builds it through the `prepare` script) with
// the plugins the composition root registers.
import { main } from '../dist/broker/cli/main.js';
import { PLUGINS } from '../dist/plugins.js';

main(process.argv, PLUGINS).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err?.stack ?? String(err));
    process.exitCode = 1;
  },
);
