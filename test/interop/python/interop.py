"""Interop driver for the official CloudEvents Python SDK (PyPI `cloudevents`), run by
test/interop/python-sdk.ts inside the venv that test/harness/sdk-python.sh prepares.

  send --url URL --mode binary|structured [--api v1|core]
      reads a JSON array of {id, source, type, subject, myext, data} on stdin, builds each event
      with the SDK, POSTs it with `requests` and prints one JSON line per event:
      {"id", "status"} or, when the client refuses to send it, {"id", "error", "message"}.
      Each line also carries "headers": the headers the SDK produced.
  receive --port P [--api v1|core]
      an http.server on 127.0.0.1 (exits when stdin closes); first line {"listening": PORT},
      then one JSON line per request: the event as the SDK parsed it ({"attributes", "data"},
      with "headers": the ce-* headers as http.server handed them over) or {"error",
      "message"} (answered 400).

Two APIs of the same pinned release (cloudevents 2.x):
  v1    cloudevents.v1.http / cloudevents.v1.conversion: the 1.x API (`cloudevents.http`,
        `cloudevents.conversion` in 1.x), moved under `cloudevents.v1` in 2.0, code unchanged.
        Header values go out as they are and are read as they are.
  core  cloudevents.core.bindings.http: the 2.x API. Percent-encodes header values (3.1.3.2)
        and percent-decodes them on receipt.

Output is JSON with ensure_ascii, so it is the same bytes whatever the locale.
"""

import argparse
import datetime
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

DATACONTENTTYPE = "application/json"

_emit_lock = threading.Lock()


def emit(obj):
    """One JSON line, flushed; whole even when handler threads emit at once."""
    line = json.dumps(obj, ensure_ascii=True, default=str) + "\n"
    with _emit_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def plain(value):
    """An attribute value as JSON can carry it (time is a datetime in both APIs)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def build_v1(spec, mode):
    from cloudevents.v1.conversion import to_binary, to_structured
    from cloudevents.v1.http import CloudEvent

    attributes = {
        "id": spec["id"],
        "source": spec["source"],
        "type": spec["type"],
        "subject": spec["subject"],
        "myext": spec["myext"],
        "datacontenttype": DATACONTENTTYPE,
    }
    event = CloudEvent(attributes, spec["data"])
    return to_binary(event) if mode == "binary" else to_structured(event)


def build_core(spec, mode):
    from cloudevents.core.bindings.http import to_binary_event, to_structured_event
    from cloudevents.core.v1.event import CloudEvent

    attributes = {
        "id": spec["id"],
        "source": spec["source"],
        "type": spec["type"],
        "specversion": "1.0",
        "subject": spec["subject"],
        "myext": spec["myext"],
        "datacontenttype": DATACONTENTTYPE,
    }
    event = CloudEvent(attributes=attributes, data=spec["data"])
    message = to_binary_event(event) if mode == "binary" else to_structured_event(event)
    return message.headers, message.body


def send(args):
    events = json.loads(sys.stdin.buffer.read())
    build = build_v1 if args.api == "v1" else build_core
    with requests.Session() as session:
        for spec in events:
            headers, body = build(spec, args.mode)
            line = {"id": spec["id"], "headers": dict(headers)}
            try:
                response = session.post(args.url, headers=headers, data=body, timeout=30)
                line["status"] = response.status_code
            except Exception as error:  # what the client refused to send, reported per event
                line["error"] = type(error).__name__
                line["message"] = str(error)
            emit(line)


def parse_v1(headers, body):
    from cloudevents.v1.http import from_http

    event = from_http(headers, body)
    return {k: plain(v) for k, v in event.get_attributes().items()}, event.get_data()


def parse_core(headers, body):
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event

    event = from_http_event(HTTPMessage(headers=headers, body=body))
    return {k: plain(v) for k, v in event.get_attributes().items()}, event.get_data()


def receive(args):
    parse = parse_v1 if args.api == "v1" else parse_core

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            # http.server has already decoded the header bytes (as ISO-8859-1): this is what
            # any Python handler, and so the SDK, gets to see.
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen = {k: v for k, v in headers.items() if k.startswith("ce-")}
            try:
                attributes, data = parse(headers, body)
                if isinstance(data, (bytes, bytearray)):
                    data = {"bytes": bytes(data).decode("latin-1")}
                emit({"attributes": attributes, "data": data, "headers": seen})
                status = 200
            except Exception as error:
                emit({"error": type(error).__name__, "message": str(error), "headers": seen})
                status = 400
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # keep stdout for JSON lines, stderr quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    # Whoever started it keeps stdin open: when that closes (it exited, or was killed), so does
    # this, so no receiver outlives its test run.
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    emit({"listening": server.server_address[1]})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    send_parser = commands.add_parser("send")
    send_parser.add_argument("--url", required=True)
    send_parser.add_argument("--mode", choices=["binary", "structured"], required=True)
    send_parser.add_argument("--api", choices=["v1", "core"], default="v1")
    receive_parser = commands.add_parser("receive")
    receive_parser.add_argument("--port", type=int, required=True)
    receive_parser.add_argument("--api", choices=["v1", "core"], default="v1")
    args = parser.parse_args()
    if args.command == "send":
        send(args)
    else:
        receive(args)


if __name__ == "__main__":
    main()
