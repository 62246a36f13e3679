#!/usr/bin/python3
"""Test backend for the nginx scenario.

Answers every request with its method, path, headers (names lowercased) and
body length as JSON, and remembers the path. GET /__requests returns the
paths it was asked for, so a test can prove nginx answered a path itself.
Usage: echo_backend.py HOST PORT
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN = []


class Handler(BaseHTTPRequestHandler):
    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/__requests":
            payload = SEEN
        else:
            SEEN.append(self.path)
            payload = {
                "method": self.command,
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body_length": len(body),
            }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = answer
    do_POST = answer


ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
