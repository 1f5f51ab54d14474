"""``SdkHttpMetadata`` and ``SdkResponseMetadata``: the HTTP side of an answer.

The optimized Lambda, SQS, SNS, DynamoDB and ``states:startExecution``
integrations add to their result what the AWS SDK for Java 1.x knew of the
HTTP response (AWS-recorded)::

    "SdkHttpMetadata": {"AllHttpHeaders": {"Content-Type": ["application/x-amz-json-1.0"], ...},
                        "HttpHeaders": {"Content-Type": "application/x-amz-json-1.0", ...},
                        "HttpStatusCode": 200},
    "SdkResponseMetadata": {"RequestId": "..."}

The headers are those the endpoint sent, with their case (captured by
``clients``); ``HttpHeaders`` lists them sorted case-insensitively, as AWS does.
"""

from __future__ import annotations

from typing import Any

from .clients import RAW_HEADERS_KEY

__all__ = ["pop_sdk_metadata"]


def pop_sdk_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """Remove boto3's ``ResponseMetadata`` from ``response`` and return it in AWS's shape."""
    metadata = response.pop("ResponseMetadata", None) or {}
    raw = metadata.get(RAW_HEADERS_KEY)
    if not raw:  # no captured headers (a stubbed client): botocore's lower-cased ones
        raw = list((metadata.get("HTTPHeaders") or {}).items())
    all_headers: dict[str, list[str]] = {}
    for name, value in raw:
        all_headers.setdefault(name, []).append(value)
    single = {name: ", ".join(values) for name, values in all_headers.items()}
    status = metadata.get("HTTPStatusCode", 200)
    request_id = metadata.get("RequestId")
    if request_id is None:
        lowered = {k.lower(): v for k, v in single.items()}
        request_id = lowered.get("x-amzn-requestid") or lowered.get("x-amz-request-id") or ""
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": all_headers,
            "HttpHeaders": dict(sorted(single.items(), key=lambda item: item[0].lower())),
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }
