"""A tiny OAuth2 / OpenID Connect server on loopback, standing in for Google.

It knows one person and signs them in at once: /authorize sends the browser
straight back with a code, /token trades the code for an access token and an ID
token, /userinfo and /certs answer as Google's do. Nothing leaves the machine.
"""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt


class OAuthStandIn:
    def __init__(self, *, client_id, client_secret, issuer=None, person=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.person = person or {
            "sub": "108204268033311374519",
            "email": "grace@example.com",
            "email_verified": True,
            "name": "Grace Hopper",
            "given_name": "Grace",
        }
        self.codes = {}
        self.token_requests = []
        self._issuer = issuer
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"

    @property
    def issuer(self):
        return self._issuer or self.base_url

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce=None):
        now = int(time.time())
        claims = {**self.person, "iss": self.issuer, "aud": self.client_id, "iat": now,
                  "exp": now + 600, "azp": self.client_id}  # fmt: skip
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, secrets.token_hex(32), algorithm="HS256")

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != standin.client_id:
                        return self._json(400, {"error": "invalid_client"})
                    code = secrets.token_urlsafe(16)
                    standin.codes[code] = query
                    back = {"code": code, "state": query.get("state", "")}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    return self._json(200, {**standin.person, "id": standin.person["sub"]})
                if url.path == "/certs":
                    return self._json(200, {})
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                standin.token_requests.append(form)
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                asked = standin.codes.pop(form.get("code", ""), None)
                if (
                    asked is None
                    or form.get("client_secret") != standin.client_secret
                    or form.get("redirect_uri") != asked.get("redirect_uri")
                ):
                    return self._json(400, {"error": "invalid_grant"})
                return self._json(200, {
                    "access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
                    "expires_in": 3599, "scope": asked.get("scope", ""),
                    "id_token": standin.id_token(asked.get("nonce")),
                })  # fmt: skip

        return Handler
