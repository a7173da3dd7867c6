#!/usr/bin/python3
"""s3-sigv4-check.py - an HTTP proxy on loopback, in front of a test S3
server, that checks the AWS Signature Version 4 of every request and
forwards only the good ones.

s3rver (the S3-compatible server of the tests) accepts any V4 signature, so
on its own it would not notice a client that signs wrongly; AWS, Ceph, MinIO
and Garage would.  This proxy implements the signature check from AWS's
published algorithm (canonical request, string to sign, HMAC key chain) and
answers 403 SignatureDoesNotMatch like S3 does.

    s3-sigv4-check.py LISTEN_PORT BACKEND_PORT ACCESS_KEY SECRET_KEY LOG

LOG gets one line per request: "ok METHOD" or "refused METHOD: why" (no
credentials, no signature values).
"""
import hashlib
import hmac
import http.client
import http.server
import sys
import urllib.parse

LISTEN, BACKEND, ACCESS, SECRET, LOG = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                        sys.argv[4], sys.argv[5])


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def canonical_query(query):
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                    for k, v in sorted(pairs))


def check(method, raw_path, headers, body):
    auth = headers.get("authorization")
    if not auth or not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no AWS4-HMAC-SHA256 Authorization header"
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    access, date, region, service, terminal = fields["Credential"].split("/")
    if access != ACCESS:
        return "unknown access key"
    if service != "s3" or terminal != "aws4_request":
        return "bad credential scope"
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return "x-amz-date does not match the scope"
    payload_hash = headers.get("x-amz-content-sha256")
    if payload_hash is None:
        return "no x-amz-content-sha256"
    if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
        return "payload hash does not match the body"
    signed = fields["SignedHeaders"].split(";")
    for must in ("host", "x-amz-date", "x-amz-content-sha256"):
        if must not in signed:
            return "%s not signed" % must
    path, _, query = raw_path.partition("?")
    canonical = "\n".join([
        method,
        path,
        canonical_query(query),
        "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed),
        ";".join(signed),
        payload_hash,
    ])
    scope = "/".join([date, region, service, terminal])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = hmac256(hmac256(hmac256(hmac256(("AWS4" + SECRET).encode(), date), region), service),
                  terminal)
    if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(),
                               fields["Signature"]):
        return "SignatureDoesNotMatch"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        why = check(self.command, self.path, headers, body)
        if why:
            log("refused %s: %s" % (self.command, why))
            msg = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch"
                   "</Code><Message>%s</Message></Error>" % why).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(msg)
            return
        log("ok %s" % self.command)
        conn = http.client.HTTPConnection("127.0.0.1", BACKEND, timeout=60)
        conn.request(self.command, self.path, body=body if body else None,
                     headers={k: v for k, v in self.headers.items()
                              if k.lower() not in ("connection", "expect")})
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = handle_any


http.server.ThreadingHTTPServer(("127.0.0.1", LISTEN), Handler).serve_forever()
