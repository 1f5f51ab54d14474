"""What ``asl run --local-aws`` prints after the output: the services' contents
and a compact history (formatting only; the embedded AWS is ``asl_engine.local_aws``)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact_history", "report"]


def compact_history(history: list[dict[str, Any]]) -> list[str]:
    """One line per event: id, type, state name (and the error of a failure)."""
    lines = []
    for event in history:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        note = details.get("name", "")
        if not note and details.get("resource"):
            note = f"{details.get('resourceType', '')}:{details['resource']}"
        if details.get("error"):
            note = f"{note} error={details['error']}".strip()
        lines.append(f"{event['id']:>4} {event['type']:<32} {note}".rstrip())
    return lines


def report(effects: dict[str, Any], history: list[dict[str, Any]]) -> str:
    """The text ``--local-aws`` prints after the output."""
    out = ["", "== local AWS (moto) after the run =="]
    for name, items in effects["tables"].items():
        out.append(f"DynamoDB table {name}: {len(items)} item(s)")
        out += [f"  {json.dumps(item, sort_keys=True)}" for item in items]
    for name, bodies in effects["queues"].items():
        out.append(f"SQS queue {name}: {len(bodies)} message(s)")
        out += [f"  {body}" for body in bodies]
    out.append(f"SNS SMS: {len(effects['sms'])} message(s)")
    out += [f"  to {sms['phoneNumber']}: {sms['message']}" for sms in effects["sms"]]
    out.append(f"== history: {len(history)} events ==")
    out += compact_history(history)
    return "\n".join(out)
