#!/usr/bin/env python3
"""tests/http/server.py — the loopback HTTP server of the web-API tests (stdlib only).

    python3 tests/http/server.py --scenario FILE --port-file PATH --log PATH
                                 [--max-requests N] [--idle-exit SECONDS]

Binds 127.0.0.1 on a free port, writes the port to --port-file (atomically) once it
listens, appends one JSON line per request to --log, answers from the scenario's routes
and exits by itself after --max-requests requests or --idle-exit seconds without one.
The scenario format is documented in tests/http/README.md.
"""

import argparse
import base64
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse


class Scenario:
    """The routes of a scenario file, their use counts and the OAuth2 tokens issued."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        self.dir = os.path.dirname(os.path.abspath(path))
        self.routes = doc.get("routes", [])
        self.default_status = int(doc.get("default_status", 404))
        self.used = [0] * len(self.routes)
        self.tokens = {}            # access token -> expiry (time.monotonic())
        self.token_seq = 0
        self.datasets = {}          # dataset path -> loaded JSON
        self.crm_pages = None       # the plugin module, imported on first use
        self.lock = threading.Lock()

    def dataset(self, name):
        path = os.path.join(self.dir, name)
        with self.lock:
            if path not in self.datasets:
                with open(path, encoding="utf-8") as f:
                    self.datasets[path] = json.load(f)
            return self.datasets[path]

    def plugin(self):
        with self.lock:
            if self.crm_pages is None:
                sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
                import crm_pages  # noqa: E402  (tests/http/crm_pages.py)
                self.crm_pages = crm_pages
            return self.crm_pages


def subst(value, base):
    """"{base}" replaced in every string of a JSON value."""
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [subst(v, base) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, base) for k, v in value.items()}
    return value


def json_bytes(value):
    return json.dumps(value).encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive: every answer has a Content-Length
    server_version = "crmerge-test/1"

    def log_message(self, format, *args):   # noqa: A002  (quiet: the JSON log is ours)
        pass

    def do_any(self):
        srv = self.server
        srv.touch()
        parsed = urllib.parse.urlsplit(self.path)
        path, query = parsed.path, parsed.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k: v for k, v in self.headers.items()}
        srv.log_request_line({"method": self.command, "path": path, "query": query,
                              "headers": headers,
                              "body": body.decode("utf-8", errors="replace")})
        try:
            self.answer(path, query, headers, body)
        finally:
            srv.count_request()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_any

    # ---- matching ------------------------------------------------------------------
    def matches(self, route, path, qdict, headers, plugin_route):
        method = route.get("method")
        if method is None and not plugin_route:
            method = "GET"
        if method is not None and method.upper() != self.command:
            return False
        if "path" in route:
            if route["path"] != path:
                return False
        elif not plugin_route:
            return False
        for key, want in (route.get("query") or {}).items():
            if want is None:
                if key in qdict:
                    return False
            elif str(want) not in qdict.get(key, []):
                return False
        lower = {k.lower(): v for k, v in headers.items()}
        for key, want in (route.get("require_headers") or {}).items():
            if lower.get(key.lower()) != want:
                return False
        return True

    def answer(self, path, query, headers, body):
        sc = self.server.scenario
        base = self.server.base
        qdict = urllib.parse.parse_qs(query, keep_blank_values=True)
        for i, route in enumerate(sc.routes):
            plugin_route = "crm" in route
            if not self.matches(route, path, qdict, headers, plugin_route):
                continue
            with sc.lock:               # a use is taken here, given back on "not mine"
                times = route.get("times")
                if times is not None and sc.used[i] >= int(times):
                    continue
                sc.used[i] += 1
            if plugin_route and route.get("require_oauth") and not self.bearer_ok(headers):
                self.send(route, 401, {"Content-Type": "application/json",
                                       "WWW-Authenticate": 'Bearer error="invalid_token"'},
                          json_bytes({"error": "invalid_token"}))
                return
            if plugin_route:
                qflat = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
                got = sc.plugin().handle(route, sc.dataset(route["dataset"]), self.command,
                                         path, qflat, headers, body, base)
                if got is None:
                    with sc.lock:
                        sc.used[i] -= 1
                    continue
                status, rheaders, rbody = got
            else:
                status, rheaders, rbody = self.canned(route, headers, body)
            self.send(route, int(status), rheaders or {}, rbody or b"")
            return
        self.send({}, sc.default_status, {"Content-Type": "application/json"},
                  json_bytes({"error": "no route", "method": self.command, "path": path}))

    # ---- answers -------------------------------------------------------------------
    def canned(self, route, headers, body):
        base = self.server.base
        if "oauth_token" in route:
            return self.oauth_token(route["oauth_token"], headers, body)
        if route.get("require_oauth") and not self.bearer_ok(headers):
            return 401, {"Content-Type": "application/json",
                         "WWW-Authenticate": 'Bearer error="invalid_token"'}, \
                json_bytes({"error": "invalid_token"})
        rheaders = subst(route.get("headers") or {}, base)
        if "body_file" in route:
            with open(os.path.join(self.server.scenario.dir, route["body_file"]), "rb") as f:
                rbody = f.read()
        elif "body" not in route:
            rbody = b""
        elif isinstance(route["body"], str):
            rbody = subst(route["body"], base).encode("utf-8")
        else:
            rbody = json_bytes(subst(route["body"], base))
            if not any(k.lower() == "content-type" for k in rheaders):
                rheaders = dict(rheaders, **{"Content-Type": "application/json"})
        return route.get("status", 200), rheaders, rbody

    def oauth_token(self, conf, headers, body):
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", errors="replace"),
                                           keep_blank_values=True))
        cid, secret = form.get("client_id"), form.get("client_secret")
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                cid, secret = urllib.parse.unquote(cid), urllib.parse.unquote(secret)
            except ValueError:
                pass
        err = {"Content-Type": "application/json"}
        if form.get("grant_type") != "client_credentials":
            return 400, err, json_bytes({"error": "unsupported_grant_type"})
        if cid != conf.get("client_id") or secret != conf.get("client_secret"):
            return 401, err, json_bytes({"error": "invalid_client"})
        if "scope" in conf and form.get("scope") != conf["scope"]:
            return 400, err, json_bytes({"error": "invalid_scope"})
        sc = self.server.scenario
        expires_in = conf.get("expires_in", 3600)
        with sc.lock:
            sc.token_seq += 1
            token = "tok-%d" % sc.token_seq
            sc.tokens[token] = time.monotonic() + float(expires_in)
        return 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, \
            json_bytes({"access_token": token, "token_type": "bearer",
                        "expires_in": expires_in})

    def bearer_ok(self, headers):
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return False
        sc = self.server.scenario
        with sc.lock:
            expiry = sc.tokens.get(auth[7:].strip())
        return expiry is not None and time.monotonic() < expiry

    def send(self, route, status, headers, body):
        if route.get("delay"):
            time.sleep(float(route["delay"]))
        if route.get("close"):
            self.close_connection = True
            return
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() != "content-length":
                self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        if route.get("stall") or route.get("truncate") is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if route.get("stall"):
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            time.sleep(float(route["stall"]))
            self.close_connection = True
            return
        if route.get("truncate") is not None:
            self.wfile.write(body[:int(route["truncate"])])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, scenario, log_path, max_requests, idle_exit):
        super().__init__(("127.0.0.1", 0), Handler)
        self.scenario = scenario
        self.base = "http://127.0.0.1:%d" % self.server_address[1]
        self.log_file = open(log_path, "a", encoding="utf-8")
        self.max_requests = max_requests
        self.idle_exit = idle_exit
        self.requests = 0
        self.last = time.monotonic()
        self.state = threading.Lock()
        self.stopping = False

    def handle_error(self, request, client_address):
        # a client that hung up (a test's timeout, a stall) is not worth a traceback
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def touch(self):
        with self.state:
            self.last = time.monotonic()

    def log_request_line(self, entry):
        with self.state:
            self.log_file.write(json.dumps(entry) + "\n")
            self.log_file.flush()

    def count_request(self):
        with self.state:
            self.requests += 1
            self.last = time.monotonic()
            done = self.requests >= self.max_requests
        if done:
            self.stop()

    def stop(self):
        with self.state:
            if self.stopping:
                return
            self.stopping = True
        threading.Thread(target=self.shutdown, daemon=True).start()

    def watch_idle(self):
        while not self.stopping:
            time.sleep(0.2)
            with self.state:
                idle = time.monotonic() - self.last
            if idle > self.idle_exit:
                self.stop()


def main():
    ap = argparse.ArgumentParser(description="loopback HTTP server for crmerge's tests")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-requests", type=int, default=5000)
    ap.add_argument("--idle-exit", type=float, default=60)
    args = ap.parse_args()

    srv = Server(Scenario(args.scenario), args.log, args.max_requests, args.idle_exit)
    tmp = args.port_file + ".tmp.%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    threading.Thread(target=srv.watch_idle, daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    srv.server_close()
    srv.log_file.close()


if __name__ == "__main__":
    main()
