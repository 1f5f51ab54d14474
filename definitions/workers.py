"""Workers of the bundled flows (``definitions/*.asl.json``).

Each public function has the AWS Lambda handler signature ``(event, context)``
and only computes: it never calls AWS itself. The state machines do the
service calls (SQS, DynamoDB, SNS) through Step Functions' integrations, so
this file deploys to Lambda unchanged (one function per worker, handler
``workers.<name>``) and runs locally as plain callables
(``asl run ... --handler-module definitions.workers`` or ``--local-aws``).

Errors are exceptions: the class name is what the state machine's
``Retry``/``Catch`` match (Lambda's ``errorType``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DEFAULT_PHONE = "+15555550100"


class InvalidRequest(Exception):
    """The POST body is not a valid message."""


class TransientWorkerError(Exception):
    """A temporary failure; the state machine retries it with back-off."""


class PermanentWorkerError(Exception):
    """A message the worker can never process; it goes to the dead-letter queue."""


# --------------------------------------------------------------------------- message processing


def validate_request(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Parse an API Gateway proxy event's body into a message ``{id, text, phone}``."""
    if event.get("httpMethod", "POST") != "POST":
        raise InvalidRequest(f"method {event.get('httpMethod')} is not allowed, use POST")
    body = event.get("body")
    try:
        message = json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"body is not JSON: {exc.msg}") from None
    if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not message["text"].strip():
        raise InvalidRequest("body must be an object with a non-empty 'text'")
    phone = message.get("phone", DEFAULT_PHONE)
    if not isinstance(phone, str) or not phone.startswith("+") or not phone[1:].isdigit():
        raise InvalidRequest("'phone' must be in E.164 form, like +15555550123")
    message_id = message.get("id") or hashlib.sha256(message["text"].encode()).hexdigest()[:16]
    return {"id": str(message_id), "text": message["text"], "phone": phone}


def process_message(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The worker: turn a queued message into the record to store.

    A text containing ``#fail`` is a permanent failure (for trying the
    dead-letter path from the command line).
    """
    text = event["text"]
    if "#fail" in text:
        raise PermanentWorkerError(f"message {event['id']} cannot be processed")
    return {"id": event["id"], "text": text, "words": len(text.split()), "status": "PROCESSED"}


# --------------------------------------------------------------------------- fan-out notification


def _deliveries(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The SNS notifications in the SQS ``ReceiveMessage`` answer ``event["received"]``
    (raw delivery or the SNS envelope; an empty queue's answer has no ``Messages``)."""
    notifications = []
    for message in (event.get("received") or {}).get("Messages") or []:
        body = message.get("Body", "")
        try:
            value = json.loads(body)
        except json.JSONDecodeError:
            value = body
        if isinstance(value, dict) and value.get("Type") == "Notification" and "Message" in value:
            try:
                value = json.loads(value["Message"])
            except json.JSONDecodeError:
                value = value["Message"]
        notifications.append({"value": value, "receipt": {"Id": message["MessageId"], "ReceiptHandle": message["ReceiptHandle"]}})
    return notifications


def _consume(event: dict[str, Any], action: Any) -> dict[str, Any]:
    delivered = _deliveries(event)
    return {
        "subscriber": event.get("subscriber"),
        "handled": len(delivered),
        "results": [action(d["value"]) for d in delivered],
        "receipts": [d["receipt"] for d in delivered],
    }


def email_subscriber(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Consumer of the e-mail queue: render the e-mail each notification becomes."""
    return _consume(event, lambda n: {"id": n["id"], "subject": f"[{n.get('severity', 'info')}] {n['title']}"})


def sms_subscriber(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Consumer of the SMS queue: the short text each notification becomes (160 characters at most)."""
    return _consume(event, lambda n: {"id": n["id"], "sms": f"{n['title']}: {n['text']}"[:160]})


def audit_subscriber(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Consumer of the audit queue: a fingerprint of each notification, for the audit log."""
    return _consume(event, lambda n: {
        "id": n["id"],
        "sha256": hashlib.sha256(json.dumps(n, sort_keys=True, separators=(",", ":")).encode()).hexdigest(),
    })


# --------------------------------------------------------------------------- batch


def summarize_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Count the outcomes of a batch (``{"results": [{"id", "outcome"}, ...]}``)."""
    results = event.get("results") or []
    counts = {"WRITTEN": 0, "DUPLICATE": 0, "FAILED": 0}
    for result in results:
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
    return {
        "total": len(results),
        "written": counts["WRITTEN"],
        "duplicates": counts["DUPLICATE"],
        "failed": counts["FAILED"],
        "failedIds": [r["id"] for r in results if r["outcome"] == "FAILED"],
    }
