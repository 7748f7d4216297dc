"""A local Microsoft Entra sign-in authority stand-in, over real HTTPS on 127.0.0.1.

azure-identity and MSAL run their real code against it: OIDC discovery, device code (approved
at once), auth code (`/authorize` answers 302 to the `redirect_uri`) and refresh grants with
Entra's consent model. Tokens are unsigned JWTs (`alg: none`), as the emulator reads them.

Credentials take `authority=standin.authority, disable_instance_discovery=True`; trust the
certificate with `standin.trust()` in process, or `env={**os.environ, **standin.env()}`.

`fail_next(53003, "Access has been blocked by Conditional Access policies.")` answers the next
token request as Entra does: HTTP 400, `invalid_grant`, `error_codes: [53003]`. azure-identity
raises `AuthenticationRequiredError` (the body on `.response`) from a silent refresh, and
`ClientAuthenticationError("Authentication failed: AADSTS53003: ...")` from a sign-in flow.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import datetime
import http.server
import ipaddress
import json
import os
import secrets
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

TENANT_ID = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
USER = "admin@contoso.example"
GRAPH = "https://graph.microsoft.com/"
RESERVED_SCOPES = frozenset({"offline_access", "openid", "profile", "email"})
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CONSENT_65001 = (
    "AADSTS65001: The user or administrator has not consented to use the application "
    "with ID '{client}'. Send an interactive authorization request for this user and resource."
)
REVOKED_70043 = (
    "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency "
    "checks by conditional access."
)

# webbrowser runs `$BROWSER url` and WAITS, and azure-identity serves its redirect listener only
# once the browser "opened": so the parent exits at once, a child follows the 302 to the listener.
_BROWSER_SCRIPT = """#!{python}
import os, ssl, sys, urllib.request as u
if os.fork(): sys.exit(0)
try:
    https = u.HTTPSHandler(context=ssl.create_default_context(cafile={ca!r}))
    u.build_opener(u.ProxyHandler({{}}), https).open(sys.argv[1], timeout=30).read()
except Exception as exc:
    with open({log!r}, "a") as log:
        log.write(repr(exc) + "\\n")
os._exit(0)
"""


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    grant_type: str | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class _Grant:
    client_id: str
    scopes: tuple[str, ...]
    nonce: str | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwt(claims: dict[str, Any]) -> str:
    head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{head}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}."


def _resource_scopes(raw: str) -> tuple[str, ...]:
    return tuple(s for s in raw.split() if s.lower() not in RESERVED_SCOPES)


def _error(error: str, code: int, text: str, suberror: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error, "error_description": text, "error_codes": [code]}
    return {**body, "suberror": suberror} if suberror else body


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway CA (written to ca.pem) and the 127.0.0.1/localhost certificate it signs."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "entra-recovery test CA")])
    host = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    ca_ext: list[tuple[Any, bool]] = [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
        (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
    ]
    host_ext: list[tuple[Any, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName(san), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
    ]
    pems = []
    for subject, public, extensions in ((ca_name, ca_key, ca_ext), (host, key, host_ext)):
        builder = x509.CertificateBuilder(
            ca_name, subject, public.public_key(), x509.random_serial_number(),
            now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1),
        )  # fmt: skip
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical)
        pems.append(builder.sign(ca_key, hashes.SHA256()).public_bytes(ser.Encoding.PEM))
    (directory / "ca.pem").write_bytes(pems[0])
    (directory / "server.pem").write_bytes(pems[1] + key.private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()
    ))  # fmt: skip
    return directory / "ca.pem", directory / "server.pem"


class _TLSServer(http.server.ThreadingHTTPServer):
    context: ssl.SSLContext
    standin: AuthorityStandIn

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the request's own thread, not in accept().
        request.settimeout(10)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        with tls:
            super().finish_request(tls, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a process that ended) is not a test failure;
        the stdlib would print a traceback into whatever stderr the test captures."""


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _TLSServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        self.server.standin._get(self, url.path, query)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        self.server.standin._post(self, urllib.parse.urlsplit(self.path).path, form)

    def reply(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class AuthorityStandIn:
    """The Entra sign-in authority for one tenant and one user, on https://127.0.0.1:PORT."""

    def __init__(
        self, tenant_id: str = TENANT_ID, *, user: str = USER, access_token_lifetime: int = 3600
    ) -> None:
        self.tenant_id, self.user = tenant_id, user
        self.tenants = {tenant_id.lower()}  # where the user may sign in (a guest: several)
        self.oid = str(uuid.uuid5(uuid.NAMESPACE_DNS, user))  # a stable object id; settable
        self.access_token_lifetime = access_token_lifetime
        self.prompts = self.device_code_requests = 0
        self._token_requests: collections.Counter[str] = collections.Counter()
        self._requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._consent: dict[tuple[str, str], set[str]] = {}
        self._refresh_tokens: dict[str, tuple[str, str]] = {}  # token -> (user, client_id)
        self._codes: dict[tuple[str, str], _Grant] = {}  # (grant type, code) -> grant
        self._revoked = False
        self._failures: collections.deque[tuple[int, dict[str, Any]]] = collections.deque()
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> AuthorityStandIn:
        self._tmp = tempfile.TemporaryDirectory(prefix="entra-authority-")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(_certificate(self._home)[1])
        server = _TLSServer(("127.0.0.1", 0), _Handler)
        server.context, server.standin = context, self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None and self._tmp is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._tmp.cleanup()
        self._server, self._thread, self._tmp = None, None, None

    def __enter__(self) -> AuthorityStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def authority(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def _home(self) -> Path:
        assert self._tmp is not None, "start() the stand-in first"
        return Path(self._tmp.name)

    @property
    def ca_file(self) -> str:
        return str(self._home / "ca.pem")

    def env(self) -> dict[str, str]:
        """What a subprocess needs to trust the stand-in (and to reach it without a proxy)."""
        no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1,localhost"]))
        trust = dict.fromkeys(("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"), self.ca_file)
        return {**trust, **dict.fromkeys(("NO_PROXY", "no_proxy"), no_proxy)}

    def trust(self) -> contextlib.AbstractContextManager[Any]:
        """Sets `env()` in os.environ, for credentials in this process; restored on exit."""
        return mock.patch.dict(os.environ, self.env())

    def fake_browser_command(self) -> str:
        """An executable for `BROWSER`: it follows /authorize's 302 to the localhost listener."""
        path, log = self._home / "fake-browser", str(self._home / "fake-browser.log")
        path.write_text(_BROWSER_SCRIPT.format(python=sys.executable, ca=self.ca_file, log=log))
        path.chmod(0o755)
        return str(path)

    @property
    def token_requests(self) -> dict[str, int]:
        """Token-endpoint requests by grant type (`device_code` for the device grant)."""
        with self._lock:
            return dict(self._token_requests)

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def consented(self, client_id: str) -> set[str]:
        with self._lock:
            return set(self._consent.get((self.user, client_id), set()))

    def revoke_refresh_tokens(self) -> None:
        """Every later refresh grant fails with AADSTS70043 (sign-in frequency)."""
        with self._lock:
            self._revoked = True

    def fail_next(self, error_code: int, description: str, status: int = 400,
                  error: str = "invalid_grant", suberror: str | None = None) -> None:  # fmt: skip
        """The next token request (any grant) fails with this Entra-shaped error body."""
        if not description.startswith("AADSTS"):
            description = f"AADSTS{error_code}: {description}"
        with self._lock:
            self._failures.append((status, _error(error, error_code, description, suberror)))

    def _log(self, method: str, path: str, grant: str | None, scopes: tuple[str, ...]) -> None:
        with self._lock:
            self._requests.append(LoggedRequest(method, path, grant, scopes))

    def _route(self, path: str) -> tuple[str, str] | None:
        tenant, _, rest = path.strip("/").partition("/")
        known = (*self.tenants, self.tenant_id.lower(), "organizations", "common")
        return (tenant, rest) if tenant.lower() in known else None

    def _get(self, h: _Handler, path: str, query: dict[str, str]) -> None:
        self._log("GET", path, None, _resource_scopes(query.get("scope", "")))
        if (route := self._route(path)) is None:
            return h.reply(400, _error("invalid_request", 90002, "AADSTS90002: Tenant not found."))
        tenant, rest = route
        base = f"{self.authority}/{tenant}/oauth2/v2.0"
        if rest == "v2.0/.well-known/openid-configuration":
            issuer = f"{self.authority}/{tenant if tenant == self.tenant_id else '{tenantid}'}/v2.0"
            config = dict(issuer=issuer, authorization_endpoint=f"{base}/authorize",
                          token_endpoint=f"{base}/token", end_session_endpoint=f"{base}/logout",
                          device_authorization_endpoint=f"{base}/devicecode",
                          response_modes_supported=["query", "fragment", "form_post"],
                          scopes_supported=sorted(RESERVED_SCOPES))  # fmt: skip
            return h.reply(200, config)
        if rest == "oauth2/v2.0/authorize" and "redirect_uri" in query:
            # The user signs in and consents at once. Always a query redirect, even when
            # azure-identity asks for response_mode=form_post: its listener takes both.
            scopes = _resource_scopes(query.get("scope", ""))
            grant = _Grant(query.get("client_id", ""), scopes, query.get("nonce"))
            code = secrets.token_urlsafe(24)
            with self._lock:
                self.prompts += 1
                self._codes["authorization_code", code] = grant
            params = {"code": code, "client_info": self._client_info()}
            params.update({"state": query["state"]} if "state" in query else {})
            location = f"{query['redirect_uri']}?{urllib.parse.urlencode(params)}"
            return h.reply(302, None, {"Location": location})
        return h.reply(404, {"error": "not_found"})

    def _post(self, h: _Handler, path: str, form: dict[str, str]) -> None:
        grant_type, client_id = form.get("grant_type"), form.get("client_id", "")
        self._log("POST", path, grant_type, _resource_scopes(form.get("scope", "")))
        if (route := self._route(path)) is None:
            return h.reply(400, _error("invalid_request", 90002, "AADSTS90002: Tenant not found."))
        if route[1] == "oauth2/v2.0/devicecode":
            device_code, user_code = secrets.token_urlsafe(32), secrets.token_hex(4).upper()
            with self._lock:
                self.prompts += 1
                self.device_code_requests += 1
                scopes = _resource_scopes(form.get("scope", ""))
                self._codes[DEVICE_GRANT, device_code] = _Grant(client_id, scopes)
            uri = f"{self.authority}/devicelogin"
            message = f"To sign in, open {uri} and enter the code {user_code}."
            return h.reply(200, dict(device_code=device_code, user_code=user_code,
                                     verification_uri=uri, expires_in=900, interval=1,
                                     message=message))  # fmt: skip
        if route[1] != "oauth2/v2.0/token":
            return h.reply(404, {"error": "not_found"})
        status, body = self._token(grant_type or "", client_id, form, route[0])
        return h.reply(status, body, {"Cache-Control": "no-store"})

    def _token(
        self, grant_type: str, client_id: str, form: dict[str, str], tenant: str
    ) -> tuple[int, dict]:
        cae = "cp1" in form.get("claims", "").lower()  # client capability CP1: CAE
        with self._lock:
            self._token_requests["device_code" if grant_type == DEVICE_GRANT else grant_type] += 1
            if self._failures:
                return self._failures.popleft()
            if grant_type in (DEVICE_GRANT, "authorization_code"):
                code = form.get("device_code" if grant_type == DEVICE_GRANT else "code", "")
                if (grant := self._codes.pop((grant_type, code), None)) is None:
                    return 400, _error("invalid_grant", 70000, "AADSTS70000: Invalid grant.")
            elif grant_type == "refresh_token":
                owner = self._refresh_tokens.get(form.get("refresh_token", ""))
                if self._revoked or owner is None or owner[1] != client_id:
                    return 400, _error("invalid_grant", 70043, REVOKED_70043, "bad_token")
                scopes = _resource_scopes(form.get("scope", ""))
                consented = self._consent.get(owner, set())
                if any(s.lower() not in consented for s in scopes):
                    text = CONSENT_65001.format(client=client_id)
                    return 400, _error("invalid_grant", 65001, text, "consent_required")
                grant = _Grant(client_id, scopes)
            else:
                return 400, _error("unsupported_grant_type", 70003, "AADSTS70003: Unsupported.")
            if grant.client_id != client_id:
                return 400, _error("invalid_grant", 70000, "AADSTS70000: Wrong client.")
            if grant_type != "refresh_token":  # an interactive sign-in consents to all it asked
                consent = self._consent.setdefault((self.user, client_id), set())
                consent.update(s.lower() for s in grant.scopes)
            refresh_token = secrets.token_urlsafe(48)
            self._refresh_tokens[refresh_token] = (self.user, client_id)
        realm = self.tenant_id if tenant in ("organizations", "common") else tenant
        return 200, self._tokens(grant, cae, refresh_token, realm)

    def _client_info(self) -> str:
        return _b64(json.dumps({"uid": self.oid, "utid": self.tenant_id}).encode())

    def _tokens(self, grant: _Grant, cae: bool, refresh_token: str, realm: str) -> dict[str, Any]:
        now, lifetime = int(time.time()), self.access_token_lifetime
        times = {"iat": now, "nbf": now, "exp": now + lifetime}
        who = {"tid": realm, "oid": self.oid}
        access: dict[str, Any] = dict(aud=GRAPH.rstrip("/"), iss=f"https://sts.windows.net/{realm}/",
                      **times, **who, upn=self.user, appid=grant.client_id,
                      scp=" ".join(s.removeprefix(GRAPH) for s in grant.scopes))  # fmt: skip
        access.update({"xms_cc": ["CP1"]} if cae else {})
        ident: dict[str, Any] = dict(aud=grant.client_id, **times, **who, ver="2.0",
                     iss=f"{self.authority}/{realm}/v2.0", sub=_b64(self.oid.encode()),
                     preferred_username=self.user, name=self.user.split("@")[0])  # fmt: skip
        ident.update({"exp": now + 3600, **({"nonce": grant.nonce} if grant.nonce else {})})
        return dict(token_type="Bearer", scope=" ".join(grant.scopes), expires_in=lifetime,
                    ext_expires_in=lifetime, access_token=_jwt(access),
                    refresh_token=refresh_token, id_token=_jwt(ident),
                    client_info=self._client_info())  # fmt: skip
