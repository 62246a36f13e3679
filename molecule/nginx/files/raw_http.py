#!/usr/bin/python3
"""Send one HTTP request exactly as written, for requests an HTTP library
will not make (HTTP/1.0 without Host, an absolute URL in the request line).

Reads the request head from stdin (lines joined with CRLF, a blank line
added), sends it to HOST:PORT and prints the body of the answer; exit 1
when the connection closes without an answer.
Usage: raw_http.py HOST PORT < request
"""

import socket
import sys

head = "\r\n".join(sys.stdin.read().strip().splitlines()) + "\r\n\r\n"
with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as sock:
    sock.sendall(head.encode("latin-1"))
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
answer = b"".join(chunks).decode("latin-1")
if not answer:
    sys.exit("the server closed the connection without an answer")
status, _, body = answer.partition("\r\n\r\n")
sys.stderr.write(status.splitlines()[0] + "\n")
sys.stdout.write(body)
