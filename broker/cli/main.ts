import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { PACKAGE_ROOT } from '../paths.js';
import type { PluginSet } from '../ports/plugins.js';
import { type ChangeOptions, type ListOptions, runDeadLetterChange, runDeadLetters } from './deadletters.js';
import { type ExplainOptions, runExplain } from './explain.js';
import { runSend } from './send.js';
import { runStart } from './start.js';
import { runValidate } from './validate.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

/** The version in the package's package.json (the one beside `schemas/`, paths.ts). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/**
 * Builds the command line; resolves with the exit code for commands that finish. `plugins` are
 * the connectors, sinks and store backends the composition root (plugins.ts) registered.
 */
export async function main(argv: readonly string[], plugins: PluginSet): Promise<number | undefined> {
  let exitCode: number | undefined;
  const program = new Command()
    .name('trigger-broker')
    .description(
      'Takes events in from webhooks and CloudEvents producers, stores them durably and triggers HTTP functions.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of trigger-broker')
    .showHelpAfterError()
    // Options belong to the command they follow: `deadletters replay --subscription` is replay's.
    .enablePositionalOptions();

  program
    .command('start')
    .description('run the broker with the manifests under DIR')
    .argument('[dir]', 'configuration directory', './config')
    .option('--port <n>', 'ingress port (default: Broker spec.port, else 8080)', port)
    .option('--host <h>', 'listen address (default: Broker spec.host, else 0.0.0.0)')
    .option('--data <dir>', 'store directory when Broker spec.store.path is not set (default: ./data)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .action(async (dir: string, opts: { port?: number; host?: string; data?: string; logLevel: string }) => {
      exitCode = await runStart(dir, opts, plugins);
    });

  program
    .command('validate')
    .description('check every manifest under DIR; prints file:line:col: message per problem')
    .argument('[dir]', 'configuration directory', './config')
    .action((dir: string) => {
      exitCode = runValidate(dir, plugins);
    });

  program
    .command('send')
    .description('send one CloudEvent to a running broker')
    .option('--url <url>', "the broker's events endpoint", 'http://127.0.0.1:8080/events')
    .requiredOption('--type <type>', 'the event type')
    .option('--source <source>', 'the event source', '/trigger-broker/cli')
    .option('--subject <subject>', 'the event subject')
    .option('--id <id>', 'the event id (default: a fresh UUID)')
    .option('--data <data>', 'the event data (JSON when it parses as JSON, else text)')
    .option(
      '--datacontenttype <type>',
      "the data's media type (default: application/json for JSON data, else text/plain)",
    )
    .option('--mode <mode>', 'binary or structured', 'binary')
    .option('--token <token>', 'bearer token (default: $TRIGGER_BROKER_TOKEN)')
    .action(async (opts) => {
      exitCode = await runSend(opts);
    });

  const deadletters = program
    .command('deadletters')
    .description(
      'list the events that failed for good, with their reason and last error; replay or purge them (see the subcommands)',
    )
    .enablePositionalOptions();
  // The selection every deadletters command takes, and where the dead letters are: the store
  // `start` uses with the same DIR and --data (store-location.ts), or a running broker's.
  const selecting = (command: Command): Command =>
    command
      .argument(
        '[dir]',
        'the configuration directory `start` is given, whose Broker spec.store.path names the store (default: ./config, when it exists)',
      )
      .option(
        '--data <dir>',
        'the store directory when Broker spec.store.path in DIR is not set, as for `start` (default: ./data)',
      )
      .option('--url <url>', "a running broker's base URL: go through its admin API (/admin/...)")
      .option('--token <token>', 'the admin bearer token (default: $TRIGGER_BROKER_ADMIN_TOKEN)')
      .option('--subscription <name>', "only this subscription's dead letters")
      .option('--id <id>', 'only the event with this id (repeatable)', collect)
      .option('--reason <text>', 'only dead letters whose reason contains this text')
      .option(
        '--since <time>',
        'dead-lettered at or after: an RFC 3339 time, or a duration before now (PT1H)',
      )
      .option('--until <time>', 'dead-lettered at or before: an RFC 3339 time, or a duration before now');
  selecting(deadletters)
    .option('--limit <n>', 'at most this many', positiveInteger, 1000)
    .option('--json', 'one JSON object per line, with the event in the JSON format')
    .action(async (dir: string | undefined, opts: ListOptions) => {
      exitCode = await runDeadLetters({ ...opts, ...(dir !== undefined ? { dir } : {}) }, plugins);
    });
  selecting(
    deadletters
      .command('replay')
      .description(
        'queue the selected dead letters again (the same event, the same id), to their subscription or --to another; one store transaction per batch',
      ),
  )
    .option('--all', 'allow a replay without a selection: every dead letter')
    .option('--to <subscription>', "queue them for this subscription instead of each one's own")
    .option('--dry-run', 'say what would be replayed, change nothing')
    .option(
      '--batch-size <n>',
      'dead letters per store transaction (default 500, at most 10000)',
      positiveInteger,
    )
    .option('--json', 'print the outcome as one JSON object')
    .action(async (dir: string | undefined, opts: ChangeOptions) => {
      exitCode = await runDeadLetterChange(
        'replay',
        { ...opts, ...(dir !== undefined ? { dir } : {}) },
        plugins,
      );
    });
  selecting(deadletters.command('purge').description('remove the selected dead letters for good'))
    .option('--all', 'allow a purge without a selection: every dead letter')
    .option('--dry-run', 'say what would be purged, change nothing')
    .option(
      '--batch-size <n>',
      'dead letters per store transaction (default 500, at most 10000)',
      positiveInteger,
    )
    .option('--json', 'print the outcome as one JSON object')
    .action(async (dir: string | undefined, opts: ChangeOptions) => {
      exitCode = await runDeadLetterChange(
        'purge',
        { ...opts, ...(dir !== undefined ? { dir } : {}) },
        plugins,
      );
    });

  program
    .command('explain')
    .description(
      'for one CloudEvent and every subscription under DIR: whether it matches, and if not, the first filter that failed and why',
    )
    .argument('[dir]', 'configuration directory', './config')
    .requiredOption('--event <file>', 'the event, one CloudEvent in the JSON format (- for standard input)')
    .option('--json', 'one JSON object per line: {"subscription","matched","reason"}')
    .option(
      '--url <url>',
      "a running broker's base URL: ask its admin API (POST /admin/explain) instead of DIR",
    )
    .option('--token <token>', 'the admin bearer token (default: $TRIGGER_BROKER_ADMIN_TOKEN)')
    .action(async (dir: string, opts: ExplainOptions) => {
      exitCode = await runExplain(dir, opts, plugins);
    });

  await program.parseAsync(argv);
  return exitCode;
}
