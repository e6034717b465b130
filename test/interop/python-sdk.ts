/**
 * Runs the Python interop program (test/interop/python/interop.py), which drives the official
 * CloudEvents Python SDK (PyPI `cloudevents`, pinned as CLOUDEVENTS_SDK_PYTHON_VERSION in
 * test/harness/versions.env and in test/interop/python/requirements.txt): `send` builds events with
 * the SDK and posts them with `requests`, `receive` is an `http.server` that parses each request
 * with the SDK's `from_http`. test/harness/sdk-python.sh makes the venv in the harness cache; this
 * file finds it by the same rule.
 *
 * Two APIs of the one pinned release: `v1` is the 1.x API (`cloudevents.http`,
 * `cloudevents.conversion`, under `cloudevents.v1` since 2.0, code unchanged), which writes and reads
 * header values as they are; `core` is the 2.x API (`cloudevents.core.bindings.http`), which
 * percent-encodes them (http-binding.md 3.1.3.2) and percent-decodes them on receipt.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir } from '../harness/cache.js';
import {
  finishSend,
  type RequestReceiver,
  requestReceiver,
  runHarnessScript,
  startReceiverProgram,
  trackChild,
} from './child-processes.js';

const SCRIPT = fileURLToPath(new URL('./python/interop.py', import.meta.url));
const REQUIREMENTS = fileURLToPath(new URL('./python/requirements.txt', import.meta.url));

export type PythonApi = 'v1' | 'core';
export const PYTHON_APIS: readonly PythonApi[] = ['v1', 'core'];

/**
 * Where sdk-python.sh makes the venv: `<cache>/interop/python-<hash>`, the hash being the first 16
 * hex digits of the SHA-256 of requirements.txt, so a change of pins makes a new venv.
 */
export function pythonVenvDir(): string {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 16);
  return join(harnessCacheDir(), 'interop', `python-${hash}`);
}

/**
 * The venv's interpreter, running sdk-python.sh first when the venv is not complete yet (setup.sh
 * has normally done so; this lets a single test file run on its own). Rejects with the script's
 * output when it fails.
 */
export async function ensurePythonSdk(): Promise<string> {
  const venv = pythonVenvDir();
  const python = join(venv, 'bin', 'python');
  const complete = () => existsSync(join(venv, '.complete'));
  if (!complete()) await runHarnessScript('sdk-python.sh', complete);
  return python;
}

/** One event for `send`: datacontenttype is application/json, `data` any JSON value. */
export interface PythonSendEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  myext: string;
  data: unknown;
}

/** What happened to one event: an HTTP status, or the exception the client raised instead. */
export interface PythonSendResult {
  id: string;
  /** The headers the SDK produced for the request (before the HTTP client wrote them). */
  headers: Record<string, string>;
  status?: number;
  /** The exception's class name, e.g. UnicodeEncodeError. */
  error?: string;
  message?: string;
}

/**
 * Sends `events` one after the other with the SDK (`api`) and `requests`, in binary or structured
 * content mode; resolves with one result per event, in order.
 */
export async function pythonSend(
  url: string,
  mode: 'binary' | 'structured',
  events: readonly PythonSendEvent[],
  api: PythonApi = 'v1',
  timeoutMs = 60_000,
): Promise<PythonSendResult[]> {
  const python = await ensurePythonSdk();
  const child = trackChild(
    spawn(python, [SCRIPT, 'send', '--url', url, '--mode', mode, '--api', api], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  return finishSend<PythonSendResult>(child, 'interop.py send', events, timeoutMs);
}

/** One request as the receiver saw it: the event as the SDK parsed it, or the SDK's error. */
export interface PythonReceived {
  /** event.get_attributes(), extensions included; `time` as ISO 8601. */
  attributes?: Record<string, unknown>;
  /** event.get_data() */
  data?: unknown;
  /** The ce-* headers as http.server handed them over (lower-case names). */
  headers: Record<string, string>;
  /** The exception's class name when from_http refused the request (answered 400). */
  error?: string;
  message?: string;
}

export interface PythonReceiver extends RequestReceiver<PythonReceived> {
  api: PythonApi;
}

/** Starts interop.py's receiver (SDK `api`) on a free loopback port. */
export async function startPythonReceiver(
  api: PythonApi = 'v1',
  startTimeoutMs = 20_000,
): Promise<PythonReceiver> {
  const python = await ensurePythonSdk();
  const child = trackChild(
    spawn(python, [SCRIPT, 'receive', '--port', '0', '--api', api], { stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  const program = await startReceiverProgram(child, 'interop.py receive', startTimeoutMs);
  return { api, ...requestReceiver<PythonReceived>(program, `the Python ${api} receiver never parsed`) };
}
