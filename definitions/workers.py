"""Workers of the bundled message-processing flow.

Each function has the AWS Lambda handler signature ``(event, context)`` so
the same file can be deployed to Lambda unchanged; locally the engine calls
them through ``--handler-module definitions.workers``. Until the service
integrations land (issue #5), the queue, table and topic are modelled by
the in-memory ``LOCAL_AWS`` below, so the flow runs offline.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

# In-memory stand-ins for SQS, DynamoDB and SNS (offline runs only).
LOCAL_AWS: dict[str, Any] = {"queue": [], "table": {}, "sms": [], "dead_letters": []}


class InvalidRequest(Exception):
    """The POST body is not a valid message."""


class TransientWorkerError(Exception):
    """A temporary failure; the state machine retries it with back-off."""


def validate_request(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Parse an API Gateway proxy event's body into a message."""
    body = event.get("body")
    try:
        message = json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"body is not JSON: {exc.msg}") from None
    if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not message["text"].strip():
        raise InvalidRequest("body must be an object with a non-empty 'text'")
    message_id = message.get("id") or hashlib.sha256(message["text"].encode()).hexdigest()[:16]
    return {"id": message_id, "text": message["text"], "phone": message.get("phone", "+15555550100")}


def enqueue_message(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Put the message on the processing queue (SQS SendMessage)."""
    message_id = str(uuid.uuid4())
    LOCAL_AWS["queue"].append({"MessageId": message_id, "Body": json.dumps(event)})
    return {"MessageId": message_id}


def process_message(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The worker: turn a queued message into the record to store."""
    text = event["text"]
    return {"id": event["id"], "text": text, "words": len(text.split()), "status": "PROCESSED"}


def write_record(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Store the record once (DynamoDB conditional put on the message id)."""
    table = LOCAL_AWS["table"]
    if event["id"] in table:
        return {"written": False, "reason": "duplicate"}
    table[event["id"]] = event
    return {"written": True}


def notify_subscribers(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Send the SMS notice to the subscribers (SNS Publish)."""
    message_id = str(uuid.uuid4())
    LOCAL_AWS["sms"].append({"PhoneNumber": event["phone"], "Message": f"Message {event['id']} processed"})
    return {"MessageId": message_id}


def send_to_dead_letter_queue(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Keep a message that could not be written, with the error."""
    LOCAL_AWS["dead_letters"].append(event)
    return {"MessageId": str(uuid.uuid4())}
