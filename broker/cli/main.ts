import { Command, InvalidArgumentError } from 'commander';
import type { PluginSet } from '../ports/plugins.js';
import { runDeadLetters } from './deadletters.js';
import { runSend } from './send.js';
import { runStart } from './start.js';
import { runValidate } from './validate.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
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
    .showHelpAfterError();

  program
    .command('start')
    .description('run the broker with the manifests under DIR')
    .argument('[dir]', 'configuration directory', './config')
    .option('--port <n>', 'ingress port (default: Broker spec.port, else 8080)', port)
    .option('--host <h>', 'listen address (default: Broker spec.host, else 0.0.0.0)')
    .option('--data <dir>', 'embedded store directory (default: Broker spec.store.path, else ./data)')
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

  program
    .command('deadletters')
    .description('list the events that failed for good, with their reason and last error')
    .option('--data <dir>', 'the store directory of the broker', './data')
    .option('--subscription <name>', "only this subscription's dead letters")
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10), 1000)
    .option('--json', 'one JSON object per line, with the event in the JSON format')
    .action((opts: { data: string; subscription?: string; limit: number; json?: boolean }) => {
      exitCode = runDeadLetters(opts, plugins);
    });

  await program.parseAsync(argv);
  return exitCode;
}
