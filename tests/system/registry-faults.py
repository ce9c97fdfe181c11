#!/usr/bin/env python3
"""A scripted HTTP server in front of a real registry, for pull fault tests.

    registry-faults.py UPSTREAM_HOST:PORT STATE_DIR

Listens on 127.0.0.1 (a free port, written to STATE_DIR/port), forwards
every request to the upstream registry, except what STATE_DIR/mode (read
on each request, so a test can change it between commands) asks to break.
mode is one line: WHAT [ARG...]; WHAT one of
  pass                 forward everything
  truncate-blob        blobs over 4 KiB: the headers say the full length,
                       half the body comes, then the connection closes
  stall-blob           blobs over 4 KiB: half the body, then nothing (held open)
  stall-manifest       manifests: the headers, then nothing
  status CODE N PART   the first N requests whose path holds PART get CODE
                       (N = -1: every one), then forward
  redirect-loop PART   requests whose path holds PART redirect to themselves
  big-manifest BYTES   manifests: a JSON body of BYTES bytes
  slow-blob KIBPS      blobs over 4 KiB at about KIBPS KiB/s
Each request is appended to STATE_DIR/log as "METHOD PATH STATUS".
"""

import http.client
import http.server
import os
import sys
import threading
import time

UPSTREAM = sys.argv[1]
STATE = sys.argv[2]
LOCK = threading.Lock()
COUNTS = {}


LAST_MODE = [None]


def mode():
    """The mode's words; a new mode file (a new inode) starts the counts again."""
    try:
        with open(os.path.join(STATE, "mode")) as f:
            ino = os.fstat(f.fileno()).st_ino
            words = f.read().split()
    except OSError:
        return ["pass"]
    with LOCK:
        if LAST_MODE[0] != ino:
            LAST_MODE[0] = ino
            COUNTS.clear()
    return words


def log(line):
    with LOCK, open(os.path.join(STATE, "log"), "a") as f:
        f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        c = http.client.HTTPConnection(UPSTREAM, timeout=60)
        body = b""
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            body = self.rfile.read(n)
        c.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        c.putheader("Host", UPSTREAM)
        # Every header line as sent (several Accept lines stay several).
        for k, v in self.headers.items():
            if k.lower() not in ("host", "connection", "content-length"):
                c.putheader(k, v)
        if n or self.command in ("PUT", "POST", "PATCH"):
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body or None)
        return c, c.getresponse()

    def send_simple(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log("%s %s %d" % (self.command, self.path, code))

    def handle_any(self):
        m = mode()
        what = m[0] if m else "pass"
        p = self.path
        if what == "status" and m[3] in p:
            key = (m[1], m[3])
            with LOCK:
                COUNTS[key] = COUNTS.get(key, 0) + 1
                k = COUNTS[key]
            if int(m[2]) < 0 or k <= int(m[2]):
                code = int(m[1])
                body = b'{"errors":[{"code":"UNKNOWN","message":"scripted failure %d"}]}' % code
                hdrs = [("Content-Type", "application/json")]
                if code == 429:
                    hdrs.append(("Retry-After", "0"))
                self.send_simple(code, body, hdrs)
                return
        if what == "redirect-loop" and m[1] in p:
            self.send_simple(302, b"", [("Location", p)])
            return
        if what in ("big-manifest", "stall-manifest") and "/manifests/" in p:
            if what == "stall-manifest":
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.flush()
                log("%s %s stalled" % (self.command, p))
                time.sleep(3600)
                return
            n = int(m[1])
            body = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":"'
            body += b"a" * max(0, n - len(body) - 2) + b'"}'
            self.send_simple(200, body, [("Content-Type", "application/vnd.oci.image.manifest.v1+json")])
            return
        c, r = self.forward()
        data = r.read()
        blob = "/blobs/" in p and self.command == "GET" and r.status == 200 and len(data) > 4096
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            log("%s %s %d" % (self.command, p, r.status))
            return
        if blob and what in ("truncate-blob", "stall-blob"):
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            log("%s %s %s" % (self.command, p, what))
            if what == "stall-blob":
                time.sleep(3600)
            self.close_connection = True
            return
        if blob and what == "slow-blob":
            rate = int(m[1]) * 1024
            step = max(1024, rate // 20)
            log("%s %s slow-start" % (self.command, p))
            for i in range(0, len(data), step):
                if i <= len(data) // 2 < i + step:
                    log("%s %s slow-half" % (self.command, p))
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(step / rate)
        else:
            self.wfile.write(data)
        log("%s %s %d" % (self.command, p, r.status))
        c.close()

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    s = Server(("127.0.0.1", 0), Handler)
    tmp = os.path.join(STATE, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(s.server_address[1]))
    os.rename(tmp, os.path.join(STATE, "port"))
    s.serve_forever()


if __name__ == "__main__":
    main()
