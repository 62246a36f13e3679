"""A tiny WSGI app: says who runs it and echoes its settings."""

import os
import pwd


def application(environ, start_response):
    lines = [
        "user=%s" % pwd.getpwuid(os.getuid()).pw_name,
        "cwd=%s" % os.getcwd(),
        "greeting=%s" % os.environ.get("DEMO_GREETING", "<unset>"),
        "extra=%s" % os.environ.get("DEMO_EXTRA", "<unset>"),
        "other=%s" % os.environ.get("DEMO_OTHER", "<unset>"),
        "path=%s" % environ.get("PATH_INFO", ""),
    ]
    body = ("\n".join(lines) + "\n").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
