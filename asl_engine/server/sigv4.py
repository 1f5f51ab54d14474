"""``asl serve --auth sigv4``: check AWS Signature Version 4 on every request, as AWS does.

botocore (boto3, the aws CLI) signs every request already; with the keys
the server was given, it computes the same signature (standard library
``hmac``/``hashlib``) and serves the request only when they match, so other
users of a shared machine cannot drive its executions.

The signature (AWS's "Create a signed AWS API request"): the canonical
request is the method, the path URI-encoded (once more: as sent it is
encoded already), the sorted URI-encoded query,
the signed headers (``name:value`` with values trimmed and inner spaces
collapsed, then the list of their names) and the SHA-256 of the body as
received (so a body changed on the way, or a false ``x-amz-content-sha256``,
fails); the string to sign is ``AWS4-HMAC-SHA256``, ``X-Amz-Date``, the
credential scope ``DATE/REGION/SERVICE/aws4_request`` and the canonical
request's hash; the key is derived from ``"AWS4" + secret`` by HMAC over
date, region, service and ``aws4_request``. Signatures are compared in
constant time (``hmac.compare_digest``).

Refusals, AWS's types and texts (all 400 but the missing token's 403):

* no ``Authorization`` header: ``MissingAuthenticationTokenException``
  "Missing Authentication Token";
* an ``Authorization`` that is not SigV4 or lacks a part:
  ``IncompleteSignatureException``;
* an access key not given to the server: ``UnrecognizedClientException``
  "The security token included in the request is invalid.";
* a credential scope of another service, or a date other than
  ``X-Amz-Date``'s: ``InvalidSignatureException``;
* ``X-Amz-Date`` more than 15 minutes before (after) the server's time:
  ``InvalidSignatureException`` "Signature expired: T is now earlier than
  NOW-15 (NOW - 15 min.)" ("Signature not yet current: T is still later
  than NOW+15 (NOW + 15 min.)");
* any other mismatch: ``InvalidSignatureException`` "The request signature
  we calculated does not match the signature you provided. ...".

Any region is accepted in the scope (a local service has one, whatever the
client's configuration says). No message ever holds a secret or a
signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

from .protocol import ApiError

__all__ = ["SKEW", "SigV4", "parse_access_key", "read_access_keys"]

SKEW = timedelta(minutes=15)
"""How far ``X-Amz-Date`` may be from the server's time."""
_ALGORITHM = "AWS4-HMAC-SHA256"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_PART = re.compile(r"\s*(Credential|SignedHeaders|Signature)\s*=\s*([^,\s]*)\s*")


def parse_access_key(text: str) -> tuple[str, str]:
    """``ID:SECRET`` as (id, secret); ValueError (naming no part of it) when malformed."""
    key_id, colon, secret = text.strip().partition(":")
    if not colon or not key_id or not secret or any(c.isspace() for c in key_id):
        raise ValueError("an access key must be given as ID:SECRET")
    return key_id, secret


def read_access_keys(given: Iterable[str], file: str | None = None) -> dict[str, str]:
    """The keys of ``--access-key ID:SECRET`` values and of a file of such lines (blank lines
    and ``#`` comments skipped); ValueError (OSError) naming the place, never the text."""
    keys: dict[str, str] = {}
    places = [(f"access key {index}", text) for index, text in enumerate(given, 1)]
    if file is not None:
        with open(file, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
        places += [(f"{file}:{number}", line) for number, line in enumerate(lines, 1)
                   if line.strip() and not line.lstrip().startswith("#")]
    for place, text in places:
        try:
            key_id, secret = parse_access_key(text)
        except ValueError as exc:
            raise ValueError(f"{place}: {exc}") from None
        keys[key_id] = secret
    return keys


def _invalid(message: str = _MISMATCH) -> ApiError:
    return ApiError("InvalidSignatureException", message)


def _incomplete(message: str) -> ApiError:
    return ApiError("IncompleteSignatureException", message)


def _encode(text: str) -> str:
    """RFC 3986 percent-encoding, as SigV4 wants it (``-_.~`` unreserved)."""
    return quote(text, safe="-_.~")


def canonical_request(method: str, target: str, headers: Mapping[str, str], signed: list[str], body: bytes) -> str:
    """SigV4's canonical request of a request as received (``target``: path and query as sent)."""
    path, _, query = target.partition("?")
    # The path as sent is already URI-encoded; every service but S3 encodes it once more.
    canonical_path = quote(path or "/", safe="/~")
    pairs = sorted(
        (_encode(unquote(name)), _encode(unquote(value)))
        for name, _, value in (item.partition("=") for item in query.split("&") if item)
    )
    canonical_query = "&".join(f"{name}={value}" for name, value in pairs)
    canonical_headers = "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed)
    return "\n".join([method, canonical_path, canonical_query, canonical_headers, ";".join(signed),
                      hashlib.sha256(body).hexdigest()])


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(secret: str, scope: list[str], amz_date: str, canonical: str) -> str:
    """The hex signature of ``canonical`` with ``secret`` in ``scope`` (date, region, service, aws4_request)."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in scope:
        key = _hmac(key, part)
    to_sign = "\n".join([_ALGORITHM, amz_date, "/".join(scope), hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


class SigV4:
    """The keys a server accepts, and the check of one request against them.

    ``keys``: access key id -> secret; ``now``: the server's time (UTC,
    injectable for tests).
    """

    def __init__(self, keys: Mapping[str, str], now: Callable[[], datetime] | None = None) -> None:
        if not keys:
            raise ValueError("--auth sigv4 needs at least one access key")
        self._keys = dict(keys)
        self._now = now or (lambda: datetime.now(timezone.utc))

    def __repr__(self) -> str:  # never the secrets
        return f"SigV4({len(self._keys)} key(s))"

    def check(self, method: str, target: str, headers: Mapping[str, str], body: bytes, service: str) -> None:
        """Raise the ``ApiError`` AWS answers unless the request is signed by a known key
        for ``service`` (``states`` for the API); ``headers`` with lower-case names."""
        authorization = headers.get("authorization")
        if authorization is None:
            raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
        algorithm, _, rest = authorization.strip().partition(" ")
        if algorithm != _ALGORITHM:
            raise _incomplete(f"Authorization header requires the {_ALGORITHM} algorithm (Signature Version 4)")
        parts = {}
        for item in rest.split(","):
            found = _PART.fullmatch(item)
            if found is None:
                raise _incomplete("Authorization header is not a well-formed Signature Version 4 header")
            parts[found[1]] = found[2]
        for name in ("Credential", "SignedHeaders", "Signature"):
            if not parts.get(name):
                raise _incomplete(f"Authorization header requires '{name}' parameter.")
        credential = parts["Credential"].split("/")
        if len(credential) != 5 or credential[4] != "aws4_request":
            raise _incomplete("Authorization header requires a Credential of the form ID/DATE/REGION/SERVICE/aws4_request.")
        key_id, scope = credential[0], credential[1:]
        amz_date = headers.get("x-amz-date", "").strip()
        try:
            sent = datetime.strptime(amz_date, _DATE_FORMAT).replace(tzinfo=timezone.utc)
        except ValueError:
            raise _incomplete("Authorization header requires existence of a valid 'X-Amz-Date' header.") from None
        secret = self._keys.get(key_id)
        if secret is None:
            raise ApiError("UnrecognizedClientException", "The security token included in the request is invalid.")
        if scope[2] != service:
            raise _invalid(f"Credential should be scoped to correct service: '{service}'. ")
        if scope[0] != amz_date[:8]:
            raise _invalid(f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                           f"'{scope[0]}' != '{amz_date[:8]}', from '{amz_date}'.")
        self._check_time(sent, amz_date)
        signed = parts["SignedHeaders"].split(";")
        if "host" not in signed or signed != sorted(set(signed)):
            raise _invalid("'Host' must be a 'SignedHeader' in the AWS Authorization, and the signed headers sorted.")
        expected = signature(secret, scope, amz_date, canonical_request(method, target, headers, signed, body))
        if not hmac.compare_digest(expected.encode("ascii"), parts["Signature"].encode("ascii", "replace")):
            raise _invalid()

    def _check_time(self, sent: datetime, amz_date: str) -> None:
        now = self._now().astimezone(timezone.utc)
        stamp = now.strftime(_DATE_FORMAT)
        if sent < now - SKEW:
            raise _invalid(f"Signature expired: {amz_date} is now earlier than {(now - SKEW).strftime(_DATE_FORMAT)} "
                           f"({stamp} - 15 min.)")
        if sent > now + SKEW:
            raise _invalid(f"Signature not yet current: {amz_date} is still later than "
                           f"{(now + SKEW).strftime(_DATE_FORMAT)} ({stamp} + 15 min.)")
