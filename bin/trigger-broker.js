#!/usr/bin/env node
// The package's command: runs the built CLI (npm ci builds it through the `prepare` script).
import { main } from '../dist/broker/cli/main.js';

main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err) => {
    console.error(err?.stack ?? String(err));
    process.exitCode = 1;
  },
);
