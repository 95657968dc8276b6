"""A small OpenID Connect identity provider the tests run on 127.0.0.1.

It speaks just enough of the protocol for a real client (django-allauth) to sign people in
through it: discovery, the authorization-code flow with PKCE (S256), client authentication by
secret (POST body or HTTP Basic), RS256-signed ID tokens with a JWKS endpoint, and userinfo.
There is no login form: the person is the one the test put behind the ``login_hint`` address,
as if they had a session at their company's provider already. Unknown addresses are denied.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "lifebuoy-tests"
CLIENT_SECRET = "a-secret-only-the-tests-know"


@dataclass
class Person:
    email: str
    name: str
    email_verified: bool = True
    sub: str = field(default_factory=lambda: secrets.token_hex(8))


class Provider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.people: dict[str, Person] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, Person] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, email: str, name: str, *, email_verified: bool = True) -> Person:
        person = Person(email=email, name=name, email_verified=email_verified)
        self.people[email.lower()] = person
        return person

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def jwks(self) -> dict[str, Any]:
        key = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        key.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [key]}

    def claims(self, person: Person) -> dict[str, Any]:
        return {
            "sub": person.sub,
            "email": person.email,
            "email_verified": person.email_verified,
            "name": person.name,
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where the browser goes next: back to the client with a code, or with an error."""
        redirect = query.get("redirect_uri", "")
        back: dict[str, str] = {"state": query.get("state", "")}
        person = self.people.get(query.get("login_hint", "").lower())
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            back["error"] = "unauthorized_client"
        elif person is None:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "person": person,
                "redirect_uri": redirect,
                "challenge": query.get("code_challenge", ""),
                "nonce": query.get("nonce"),
            }
            back["code"] = code
        return f"{redirect}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if grant["challenge"] and digest.decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        person: Person = grant["person"]
        now = int(time.time())
        id_token = {
            **self.claims(person),
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
        }
        if grant["nonce"]:
            id_token["nonce"] = grant["nonce"]
        access = secrets.token_urlsafe(16)
        self.tokens[access] = person
        signed = jwt.encode(id_token, self.key, algorithm="RS256", headers={"kid": self.kid})
        return 200, {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": signed,
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            provider.requests.append(self.path)

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif url.path == "/userinfo":
                person = provider.tokens.get(self.headers.get("Authorization", "")[7:])
                if person is None:
                    self._json(401, {"error": "invalid_token"})
                else:
                    self._json(200, provider.claims(person))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            status, body = provider.token(form, self.headers.get("Authorization", ""))
            self._json(status, body)

    return Handler


@pytest.fixture
def oidc_provider() -> Iterator[Provider]:
    provider = Provider()
    provider.thread.start()
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()
