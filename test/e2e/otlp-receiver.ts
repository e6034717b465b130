/**
 * A real OTLP/HTTP trace receiver for the tests (the OpenTelemetry Collector is not available
 * here): `POST /v1/traces` with an `ExportTraceServiceRequest` in either encoding the OTLP
 * specification defines for HTTP, binary protobuf (`application/x-protobuf`) or JSON
 * (`application/json`, ids in hex), gzip or not, decoded here into one shape. The protobuf is
 * read with a small wire-format reader over the field numbers of opentelemetry-proto's
 * trace/v1/trace.proto and common/v1/common.proto, so nothing of the broker's own OpenTelemetry
 * packages takes part in checking what they sent.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** OTLP's SpanKind (trace.proto): note that it counts from UNSPECIFIED = 0, unlike the JS API. */
export const OTLP_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  status: { code: number; message: string };
  /** The resource's attributes (service.name, ...). */
  resource: Record<string, unknown>;
  scope: string;
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** The Content-Type of every export request received. */
  readonly contentTypes: string[];
  /** Waits until `count` spans pass `filter`, and returns them. */
  waitForSpans(
    count: number,
    filter?: (s: ReceivedSpan) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = String(req.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      contentTypes.push(contentType);
      try {
        if (contentType === 'application/x-protobuf') {
          spans.push(...decodeProtobufRequest(body));
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // an empty response message
        } else if (contentType === 'application/json') {
          spans.push(...decodeJsonRequest(JSON.parse(body.toString('utf8'))));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else res.writeHead(415).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans,
    contentTypes,
    async waitForSpans(count, filter = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = spans.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline)
          throw new Error(
            `expected ${count} spans, got ${matching.length}; all: ${spans.map((s) => s.name).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// --- JSON (OTLP/HTTP JSON encoding: proto3 JSON, ids as hex, 64-bit integers as strings) ---

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string;
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}

function jsonValue(v: JsonAnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonValue);
  if (v.kvlistValue !== undefined) return jsonAttributes(v.kvlistValue.values);
  return v.bytesValue;
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));
}

function decodeJsonRequest(request: {
  resourceSpans?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        traceState?: string;
        name: string;
        kind?: number;
        attributes?: JsonKeyValue[];
        links?: { traceId: string; spanId: string }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          parentSpanId: (s.parentSpanId ?? '').toLowerCase(),
          traceState: s.traceState ?? '',
          name: s.name,
          kind: s.kind ?? 0,
          attributes: jsonAttributes(s.attributes),
          links: (s.links ?? []).map((l) => ({
            traceId: l.traceId.toLowerCase(),
            spanId: l.spanId.toLowerCase(),
          })),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          resource,
          scope: ss.scope?.name ?? '',
        });
  }
  return out;
}

// --- protobuf (the wire format: varints, 64- and 32-bit fixed, length-delimited) ---

type Field =
  | { no: number; wire: 0; value: bigint }
  | { no: number; wire: 1 | 5; value: Buffer }
  | { no: number; wire: 2; value: Buffer };

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new Error('truncated varint');
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ no, wire, value });
      at = after;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ no, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      out.push({ no, wire, value: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (f: Field[], no: number): Buffer[] =>
  f.filter((x): x is Extract<Field, { wire: 2 }> => x.no === no && x.wire === 2).map((x) => x.value);
const firstBytes = (f: Field[], no: number): Buffer | undefined => bytesOf(f, no)[0];
const text = (f: Field[], no: number): string => firstBytes(f, no)?.toString('utf8') ?? '';
const hex = (f: Field[], no: number): string => firstBytes(f, no)?.toString('hex') ?? '';
const varint = (f: Field[], no: number): bigint | undefined =>
  f.find((x): x is Extract<Field, { wire: 0 }> => x.no === no && x.wire === 0)?.value;

/** common.proto AnyValue: string 1, bool 2, int64 3, double 4, array 5, kvlist 6, bytes 7. */
function anyValue(buf: Buffer): unknown {
  const f = fields(buf);
  const [first] = f;
  if (first === undefined) return undefined;
  switch (first.no) {
    case 1:
      return text(f, 1);
    case 2:
      return varint(f, 2) === 1n;
    case 3:
      return Number(BigInt.asIntN(64, varint(f, 3) ?? 0n));
    case 4:
      return (first.value as Buffer).readDoubleLE(0);
    case 5:
      return bytesOf(fields(firstBytes(f, 5)!), 1).map(anyValue);
    case 6:
      return keyValues(bytesOf(fields(firstBytes(f, 6)!), 1));
    default:
      return firstBytes(f, 7);
  }
}

/** common.proto KeyValue: key 1, value 2. */
function keyValues(list: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const f = fields(kv);
    const value = firstBytes(f, 2);
    out[text(f, 1)] = value === undefined ? undefined : anyValue(value);
  }
  return out;
}

/**
 * trace_service.proto ExportTraceServiceRequest: resource_spans 1. trace.proto ResourceSpans:
 * resource 1 (Resource: attributes 1), scope_spans 2. ScopeSpans: scope 1 (name 1), spans 2.
 * Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, attributes 9,
 * links 13 (Link: trace_id 1, span_id 2), status 15 (Status: message 2, code 3).
 */
function decodeProtobufRequest(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of bytesOf(fields(body), 1)) {
    const rsf = fields(rs);
    const resourceBytes = firstBytes(rsf, 1);
    const resource = resourceBytes ? keyValues(bytesOf(fields(resourceBytes), 1)) : {};
    for (const ss of bytesOf(rsf, 2)) {
      const ssf = fields(ss);
      const scopeBytes = firstBytes(ssf, 1);
      const scope = scopeBytes ? text(fields(scopeBytes), 1) : '';
      for (const span of bytesOf(ssf, 2)) {
        const f = fields(span);
        const statusBytes = firstBytes(f, 15);
        const status = statusBytes ? fields(statusBytes) : [];
        out.push({
          traceId: hex(f, 1),
          spanId: hex(f, 2),
          traceState: text(f, 3),
          parentSpanId: hex(f, 4),
          name: text(f, 5),
          kind: Number(varint(f, 6) ?? 0n),
          attributes: keyValues(bytesOf(f, 9)),
          links: bytesOf(f, 13).map((l) => {
            const lf = fields(l);
            return { traceId: hex(lf, 1), spanId: hex(lf, 2) };
          }),
          status: { code: Number(varint(status, 3) ?? 0n), message: text(status, 2) },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}
