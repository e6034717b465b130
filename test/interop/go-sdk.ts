/**
 * Runs the Go interop program (test/interop/go/main.go), which drives the official CloudEvents Go
 * SDK (github.com/cloudevents/sdk-go/v2, pinned as CLOUDEVENTS_SDK_GO_VERSION in
 * test/harness/versions.env): `send` posts events with the SDK's HTTP client, `receive` is the SDK's
 * HTTP receiver, printing each event as the SDK reads it. test/harness/sdk-go.sh builds it into the
 * harness cache; this file finds the binary by the same rule.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir } from '../harness/cache.js';
import { finishSend, runHarnessScript, startReceiverProgram, trackChild } from './child-processes.js';
import { waitForIds } from './wait-for-ids.js';

const GO_SOURCE_DIR = fileURLToPath(new URL('./go/', import.meta.url));

/**
 * Where sdk-go.sh puts the binary: `<cache>/interop/go-<hash>/interop-go`, the hash being the first
 * 16 hex digits of the SHA-256 of go.mod, go.sum and main.go concatenated in that order, so any
 * change to the program or its pinned SDK builds anew.
 */
export function goInteropBinary(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(GO_SOURCE_DIR, file)));
  return join(harnessCacheDir(), 'interop', `go-${hash.digest('hex').slice(0, 16)}`, 'interop-go');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The binary's path, building it first with sdk-go.sh when it is not there yet (setup.sh has
 * normally done so; this lets a single test file run on its own). Rejects with the script's output
 * when Go is missing or the build fails.
 */
export async function ensureGoInteropBinary(): Promise<string> {
  const binary = goInteropBinary();
  if (!isExecutable(binary)) await runHarnessScript('sdk-go.sh', () => isExecutable(binary));
  return binary;
}

/** One event for `send`; the program sets subject and the `myext` extension only when given. */
export interface GoSendEvent {
  id: string;
  source: string;
  type: string;
  subject?: string;
  myext?: string;
  /** Any JSON value: sent with datacontenttype application/json. */
  data?: unknown;
}

/** What the SDK's client.Send returned for one event. */
export interface GoSendResult {
  id: string;
  /** cloudevents.IsACK / IsNACK; ERROR when neither (the request never got an answer). */
  result: 'ACK' | 'NACK' | 'ERROR';
  /** The HTTP status of the answer, when there was one. */
  status?: number;
  error?: string;
}

/**
 * Sends `events` one after the other with the Go SDK's HTTP client, forcing binary or structured
 * content mode, and resolves with one result per event, in order.
 */
export async function goSend(
  url: string,
  mode: 'binary' | 'structured',
  events: readonly GoSendEvent[],
  timeoutMs = 60_000,
): Promise<GoSendResult[]> {
  const binary = await ensureGoInteropBinary();
  const child = trackChild(
    spawn(binary, ['send', '--url', url, '--mode', mode], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  return finishSend<GoSendResult>(child, 'interop-go send', events, timeoutMs);
}

/** One event as the Go SDK's receiver hands it to the function (empty string: not set). */
export interface GoReceivedEvent {
  /** The request path (which subscription delivered it). */
  path: string;
  /** The request's Content-Type header. */
  contentType: string;
  specversion: string;
  id: string;
  source: string;
  type: string;
  /** event.Subject() */
  subject: string;
  datacontenttype: string;
  dataschema: string;
  time: string;
  /** event.Extensions(), as JSON. */
  extensions: Record<string, unknown>;
  /** event.Extensions()["myext"]; null when absent. */
  myext: unknown;
  /** string(event.Data()) */
  data: string;
}

export interface GoReceiver {
  port: number;
  url: string;
  /** Every event received so far, in order. */
  events: GoReceivedEvent[];
  /**
   * Waits until each of `ids` has been received among events passing `filter` (repeats of one
   * event cannot stand in for another still missing); rejects naming the missing ones.
   */
  waitForIds(
    ids: Iterable<string>,
    filter?: (e: GoReceivedEvent) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  stderr(): string;
  close(): Promise<void>;
}

/** Starts the Go SDK's HTTP receiver on 127.0.0.1 (a free port unless `port` is given). */
export async function startGoReceiver(port = 0, startTimeoutMs = 20_000): Promise<GoReceiver> {
  const binary = await ensureGoInteropBinary();
  const child = trackChild(
    spawn(binary, ['receive', '--port', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const program = await startReceiverProgram(child, 'interop-go receive', startTimeoutMs);
  const events = program.lines as unknown as GoReceivedEvent[];
  return {
    port: program.port,
    url: program.url,
    events,
    stderr: program.stderr,
    async waitForIds(ids, filter = () => true, timeoutMs = 20_000) {
      await waitForIds(
        ids,
        () => new Map(events.filter(filter).map((e) => [e.id, e])),
        timeoutMs,
        (missing, wanted) =>
          `${missing.length} of ${wanted.length} never reached the Go receiver: ${missing.join(', ')}; stderr: ${program.stderr()}`,
      );
    },
    close: program.close,
  };
}
