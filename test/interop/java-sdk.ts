/**
 * Runs the Java interop program (test/interop/java/Interop.java), which drives the official
 * CloudEvents Java SDK (io.cloudevents cloudevents-core, cloudevents-json-jackson and
 * cloudevents-http-basic, pinned as CLOUDEVENTS_SDK_JAVA_VERSION in test/harness/versions.env):
 * `send` builds events with CloudEventBuilder and writes them with HttpMessageFactory.createWriter
 * into a java.net.HttpURLConnection (or a java.net.http.HttpClient request), `receive` is a
 * com.sun.net.httpserver.HttpServer reading each request with HttpMessageFactory's reader.
 * test/harness/sdk-java.sh fetches the jars and compiles the program into the harness cache; this
 * file finds them by the same rule.
 *
 * The SDK writes and reads header values as they are: the HTTP client decides the bytes, and
 * HttpURLConnection encodes header values in the JVM's default charset (file.encoding), which
 * Java 17 takes from the locale. So every run here pins it: UTF-8 unless told otherwise, the
 * default everywhere from Java 18 on (JEP 400).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessCacheDir, pinnedVersion } from '../harness/cache.js';
import {
  finishSend,
  type RequestReceiver,
  requestReceiver,
  runHarnessScript,
  startReceiverProgram,
  trackChild,
} from './child-processes.js';

const SOURCE = fileURLToPath(new URL('./java/Interop.java', import.meta.url));

/**
 * Where sdk-java.sh puts things: `<cache>/interop/java-<version>/libs` (the jars) and
 * `<cache>/interop/java-<version>/classes-<hash>` (Interop.class), the hash being the first 16 hex
 * digits of the SHA-256 of Interop.java, so an edit compiles anew.
 */
export function javaInteropPaths(): { libs: string; classes: string } {
  const home = join(harnessCacheDir(), 'interop', `java-${pinnedVersion('CLOUDEVENTS_SDK_JAVA_VERSION')}`);
  const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
  return { libs: join(home, 'libs'), classes: join(home, `classes-${hash}`) };
}

function prepared(): boolean {
  const { libs, classes } = javaInteropPaths();
  return existsSync(join(libs, '.complete')) && existsSync(join(classes, '.complete'));
}

/**
 * The class path of the compiled program and the SDK, running sdk-java.sh first when either is
 * missing (setup.sh has normally done so; this lets a single test file run on its own). Rejects
 * with the script's output when it fails.
 */
export async function ensureJavaSdk(): Promise<string> {
  const { libs, classes } = javaInteropPaths();
  const classPath = `${classes}:${join(libs, '*')}`;
  if (!prepared()) await runHarnessScript('sdk-java.sh', prepared);
  return classPath;
}

async function spawnInterop(args: string[], fileEncoding: string): Promise<ChildProcess> {
  const classPath = await ensureJavaSdk();
  return trackChild(
    spawn(
      'java',
      [`-Dfile.encoding=${fileEncoding}`, '-XX:TieredStopAtLevel=1', '-cp', classPath, 'Interop', ...args],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    ),
  );
}

/** One event for `send`: datacontenttype is application/json, `data` any JSON value. */
export interface JavaSendEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  myext: string;
  data: unknown;
}

/** What happened to one event: an HTTP status, or the exception the client threw instead. */
export interface JavaSendResult {
  id: string;
  /** The headers the SDK wrote into the request, as Java strings. */
  headers: Record<string, string>;
  status?: number;
  /** The exception's class name, e.g. java.lang.IllegalArgumentException. */
  error?: string;
  message?: string;
}

export interface JavaSendOptions {
  /** The HTTP client the SDK's writer fills: HttpURLConnection (default) or java.net.http.HttpClient. */
  client?: 'urlconnection' | 'httpclient';
  /** The JVM's file.encoding (default UTF-8), which HttpURLConnection encodes header values in. */
  fileEncoding?: string;
  timeoutMs?: number;
}

/**
 * Sends `events` one after the other with the SDK, in binary or structured content mode;
 * resolves with one result per event, in order.
 */
export async function javaSend(
  url: string,
  mode: 'binary' | 'structured',
  events: readonly JavaSendEvent[],
  options: JavaSendOptions = {},
): Promise<JavaSendResult[]> {
  const { client = 'urlconnection', fileEncoding = 'UTF-8', timeoutMs = 60_000 } = options;
  const child = await spawnInterop(['send', '--url', url, '--mode', mode, '--client', client], fileEncoding);
  return finishSend<JavaSendResult>(child, 'Interop send', events, timeoutMs);
}

/** One request as the receiver saw it: the event as the SDK read it, or the SDK's error. */
export interface JavaReceived {
  /** Every context attribute (getAttributeNames), toString()ed. */
  attributes?: Record<string, string>;
  /** Every extension (getExtensionNames), toString()ed. */
  extensions?: Record<string, string>;
  /** The data, parsed as JSON when datacontenttype says JSON. */
  data?: unknown;
  /** The ce-* headers as com.sun.net.httpserver handed them over (lower-case names). */
  headers: Record<string, string>;
  /** The exception's class name when the reader refused the request (answered 400). */
  error?: string;
  message?: string;
}

export type JavaReceiver = RequestReceiver<JavaReceived>;

/** Starts Interop's receiver on a free loopback port. */
export async function startJavaReceiver(
  options: { fileEncoding?: string; startTimeoutMs?: number } = {},
): Promise<JavaReceiver> {
  const { fileEncoding = 'UTF-8', startTimeoutMs = 30_000 } = options;
  const child = await spawnInterop(['receive', '--port', '0'], fileEncoding);
  const program = await startReceiverProgram(child, 'Interop receive', startTimeoutMs);
  return requestReceiver<JavaReceived>(program, 'the Java receiver never read');
}
