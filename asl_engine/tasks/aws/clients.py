"""Configuration and boto3 clients for the AWS runner.

boto3 is imported here and nowhere else, and only when the first client is
created (the first AWS call of a run), so ``import asl_engine`` and offline
runs never load it (ARCHITECTURE rule 8).

Clients are created once per ``(service, region)`` and reused: boto3 clients
are thread-safe, a boto3 ``Session`` is not, so creation happens under a
lock. Every client captures the response headers as the server sent them
(for ``SdkHttpMetadata``, whose header names keep their case on AWS; botocore
lower-cases them in ``ResponseMetadata``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

from ...errors import EngineError

__all__ = ["AwsConfig", "Clients", "RAW_HEADERS_KEY"]

RAW_HEADERS_KEY = "_aslRawHeaders"
"""Key under ``ResponseMetadata`` where the raw ``[(name, value)]`` headers are kept."""

# Aliases a user may write in ``endpoint_urls`` besides boto3's service name.
_ENDPOINT_ALIASES: dict[str, tuple[str, ...]] = {
    "stepfunctions": ("sfn", "states"),
    "events": ("eventbridge",),
    "logs": ("cloudwatchlogs",),
}

# A Lambda function runs up to 15 minutes; botocore's default 60 s read
# timeout would cut long invocations off and, worse, retry them (a second
# invocation). Step Functions waits for the function.
_LAMBDA_READ_TIMEOUT = 15 * 60 + 60

_MIN_SECRET_LENGTH = 16
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b")


@dataclass(frozen=True)
class AwsConfig:
    """Where and as whom Tasks call AWS.

    ``region`` and ``profile`` default to boto3's own resolution
    (``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, ``~/.aws/config``,
    instance roles...). ``endpoint_url`` sends every service to one endpoint
    (LocalStack, a moto server); ``endpoint_urls`` overrides it per service,
    keyed by boto3 service name (``"sqs"``, ``"dynamodb"``, ``"stepfunctions"``;
    ``"sfn"``, ``"eventbridge"`` and ``"cloudwatchlogs"`` are accepted too).

    Credentials are never part of the configuration: boto3 finds them, and
    they never appear in history events or error causes.
    """

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    endpoint_urls: Mapping[str, str] = field(default_factory=dict)


class Clients:
    """The boto3 clients of one execution, created on first use."""

    def __init__(self, config: AwsConfig) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[tuple[str, str | None], Any] = {}

    @property
    def config(self) -> AwsConfig:
        return self._config

    def _endpoint(self, service: str) -> str | None:
        urls = self._config.endpoint_urls
        for key in (service, *_ENDPOINT_ALIASES.get(service, ())):
            if key in urls:
                return urls[key]
        return self._config.endpoint_url

    def _boto_session(self) -> Any:
        """The boto3 session (caller holds the lock). Imports boto3."""
        if self._session is None:
            import boto3  # type: ignore[import-untyped]  # lazily: only AWS runs need it
            from botocore.exceptions import ProfileNotFound  # type: ignore[import-untyped]

            try:
                self._session = boto3.session.Session(profile_name=self._config.profile, region_name=self._config.region)
            except ProfileNotFound as exc:
                raise EngineError(f"AWS configuration: {exc}") from None
        return self._session

    def session(self) -> Any:
        """The boto3 session of this run (created on first use)."""
        with self._lock:
            return self._boto_session()

    def get(self, service: str, region: str | None = None) -> Any:
        """The client of a boto3 ``service`` in ``region`` (default: the configured one).

        Raises ``EngineError`` when no region can be found or the service is
        unknown to botocore: these are configuration problems of the run.
        """
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._create(service, region)
        return client

    def _create(self, service: str, region: str | None) -> Any:
        from botocore.config import Config  # type: ignore[import-untyped]
        from botocore.exceptions import NoRegionError, UnknownServiceError

        session = self._boto_session()
        options: dict[str, Any] = {
            "user_agent_extra": "asl-engine",
            # Let the service validate parameters, as it does for Step
            # Functions (the Java SDK does not check required members): AWS's
            # own validation messages then reach the error cause.
            "parameter_validation": False,
        }
        if service == "lambda":
            options["read_timeout"] = _LAMBDA_READ_TIMEOUT
        try:
            client = session.client(
                service,
                region_name=region or self._config.region,
                endpoint_url=self._endpoint(service),
                config=Config(**options),
            )
        except NoRegionError:
            raise EngineError(
                "AWS configuration: no region; set AwsConfig(region=...), AWS_REGION or AWS_DEFAULT_REGION, "
                "or a region in the AWS profile"
            ) from None
        except UnknownServiceError:
            raise EngineError(f"AWS configuration: botocore does not know the service '{service}'") from None
        except ValueError as exc:  # e.g. a malformed endpoint URL
            raise EngineError(f"AWS configuration: {exc}") from None
        client.meta.events.register("after-call", _keep_raw_headers)
        return client

    def redact(self, text: str) -> str:
        """``text`` with any credential of this run blanked out (defence in depth)."""
        text = _ACCESS_KEY_ID.sub("****", text)
        session = self._session
        if session is None:
            return text
        try:
            credentials = session.get_credentials()  # cached by botocore once resolved
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
        except Exception:  # noqa: BLE001 - redaction must never fail the task
            return text
        if frozen is not None:
            for secret in (frozen.access_key, frozen.secret_key, frozen.token):
                # Real keys are 16+ characters; shorter ones are placeholders
                # ("test" for LocalStack) whose blanking would garble causes.
                if secret and len(secret) >= _MIN_SECRET_LENGTH:
                    text = text.replace(secret, "****")
        return text


def _keep_raw_headers(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
    """botocore ``after-call`` hook: keep the headers with their original case."""
    if http_response is None or not isinstance(parsed, dict):
        return
    metadata = parsed.get("ResponseMetadata")
    headers = getattr(http_response, "headers", None)
    if isinstance(metadata, dict) and headers is not None:
        metadata[RAW_HEADERS_KEY] = [(str(k), str(v)) for k, v in headers.items()]
