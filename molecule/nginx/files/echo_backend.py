#!/usr/bin/python3
"""Test backend for the nginx scenario.

Answers every request with its method, path, headers (names lowercased; a
header sent twice shows both values joined by ", ") and body length as JSON,
and remembers the path. GET /__requests returns the
paths it was asked for, so a test can prove nginx answered a path itself.
With a third argument it also answers the uwsgi protocol (what uwsgi_pass
speaks) on that port, with the same JSON: the headers are the HTTP_* vars
nginx sent, named back (HTTP_X_FORWARDED_HOST -> x-forwarded-host), plus
"scheme" and "https": the REQUEST_SCHEME and HTTPS vars uWSGI reads.
Usage: echo_backend.py HOST PORT[,PORT...] [UWSGI_PORT[,UWSGI_PORT...]]
"""

import json
import socketserver
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase

SEEN: list[str] = []


def echo(method: str, path: str, headers: dict[str, str], body_length: int, **extra: str) -> bytes:
    """The JSON answer to one request (and the path remembered)."""
    if path == "/__requests":
        return json.dumps(SEEN).encode()
    SEEN.append(path)
    answer = {"method": method, "path": path, "headers": headers, "body_length": body_length, **extra}
    return json.dumps(answer).encode()


class Handler(BaseHTTPRequestHandler):
    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            add(headers, key.lower(), value)
        data = echo(self.command, self.path, headers, len(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer


def add(headers: dict[str, str], name: str, value: str) -> None:
    """Record a header; one sent twice shows as both values joined by ", "."""
    headers[name] = headers[name] + ", " + value if name in headers else value


def read_exactly(stream: BufferedIOBase, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("short uwsgi packet")
    return data


class UwsgiHandler(socketserver.StreamRequestHandler):
    """One uwsgi request: a 4-byte header (modifier1, le16 size, modifier2),
    the vars (le16 length + key, le16 length + value), then the body. The
    answer is a plain HTTP response, as uWSGI itself sends."""

    def handle(self) -> None:
        _, size, _ = struct.unpack("<BHB", read_exactly(self.rfile, 4))
        packet = read_exactly(self.rfile, size)
        env: dict[str, str] = {}
        offset = 0
        while offset < size:
            (klen,) = struct.unpack_from("<H", packet, offset)
            key = packet[offset + 2 : offset + 2 + klen].decode("latin-1")
            offset += 2 + klen
            (vlen,) = struct.unpack_from("<H", packet, offset)
            add(env, key, packet[offset + 2 : offset + 2 + vlen].decode("latin-1"))
            offset += 2 + vlen
        length = int(env.get("CONTENT_LENGTH") or 0)
        body = read_exactly(self.rfile, length) if length else b""
        headers = {key[5:].lower().replace("_", "-"): value for key, value in env.items() if key.startswith("HTTP_")}
        data = echo(
            env.get("REQUEST_METHOD", ""),
            env.get("REQUEST_URI", ""),
            headers,
            len(body),
            scheme=env.get("REQUEST_SCHEME", ""),
            https=env.get("HTTPS", ""),
        )
        self.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(data)
            + data
        )


class UwsgiServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


servers: list[socketserver.TCPServer] = [
    ThreadingHTTPServer((sys.argv[1], int(port)), Handler) for port in sys.argv[2].split(",")
]
if len(sys.argv) > 3:
    servers += [UwsgiServer((sys.argv[1], int(port)), UwsgiHandler) for port in sys.argv[3].split(",")]
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()
