"""ARNs: the one place that takes them apart.

``arn:<partition>:<service>:<region>:<account>:<resource>`` (AWS's general
form; region and account may be empty, as in service integrations
``arn:aws:states:::sqs:sendMessage``). The validator judges a Task's
``Resource`` with these, the dispatcher classifies it, the Lambda runner
finds a function's region, the children launcher a machine's name.
"""

from __future__ import annotations

import re
from .records import record

__all__ = ["Arn", "Integration", "LambdaFunction", "function_name", "integration", "lambda_function"]

_ARN = re.compile(r"arn:([a-z][a-z0-9-]*):([a-zA-Z0-9-]+):([a-z0-9-]*):([^:]*):(.+)", re.S)
_FUNCTION = re.compile(r"function:([^:]+)(?::([^:]+))?")
_VALID_FUNCTION = re.compile(r"function:([A-Za-z0-9_-]+)(?::(\$LATEST|[A-Za-z0-9_-]+))?")
_INTEGRATION = re.compile(r"([\w-]+(?::[\w-]+)?):([\w.:-]+?)(\.sync(?::2)?|\.waitForTaskToken)?")
_VALID_INTEGRATION = re.compile(r"[a-zA-Z0-9-]+(?::[a-zA-Z0-9-]+)*:[a-zA-Z0-9_]+(\.sync(?::2)?|\.waitForTaskToken)?")


@record
class Arn:
    """The parts of an ARN."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> "Arn | None":
        """The parts of ``text``, or ``None`` when it does not have the ARN shape."""
        m = _ARN.fullmatch(text)
        return cls(*m.groups()) if m is not None else None

    @property
    def is_integration(self) -> bool:
        """A Step Functions service integration: ``arn:<p>:states:::<service>:<action>``."""
        return self.service == "states" and not self.region and not self.account

    @property
    def is_activity(self) -> bool:
        return self.service == "states" and self.resource.startswith("activity:")

    @property
    def valid_integration(self) -> bool:
        """An integration resource AWS recognises in shape (``sqs:sendMessage.waitForTaskToken``...)."""
        return _VALID_INTEGRATION.fullmatch(self.resource) is not None

    @property
    def valid_function(self) -> bool:
        """Not a Lambda function ARN, or one whose name and qualifier AWS accepts."""
        if self.service != "lambda" or not self.resource.startswith("function:"):
            return True
        return _VALID_FUNCTION.fullmatch(self.resource) is not None

    @property
    def last_name(self) -> str:
        """The last ``:``-separated part (a state machine's or function's name)."""
        return self.resource.rsplit(":", 1)[-1]


@record
class LambdaFunction:
    """``arn:...:lambda:<region>:<account>:function:<name>[:<qualifier>]``."""

    arn: Arn
    name: str
    qualifier: str | None


@record
class Integration:
    """``arn:<p>:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken]``;
    ``service`` keeps an ``aws-sdk:`` prefix, ``pattern`` has no leading dot."""

    service: str
    action: str
    pattern: str | None


def lambda_function(text: str) -> LambdaFunction | None:
    """``text`` as a Lambda function ARN, or ``None``."""
    arn = Arn.parse(text)
    if arn is None or arn.service != "lambda":
        return None
    m = _FUNCTION.fullmatch(arn.resource)
    return LambdaFunction(arn, m.group(1), m.group(2)) if m is not None else None


def integration(text: str) -> Integration | None:
    """``text`` as a service integration resource, or ``None``."""
    arn = Arn.parse(text)
    if arn is None or not arn.is_integration:
        return None
    m = _INTEGRATION.fullmatch(arn.resource)
    if m is None:
        return None
    service, action, pattern = m.groups()
    return Integration(service, action, pattern.lstrip(".") if pattern else None)


def function_name(reference: str) -> str:
    """A Lambda ``FunctionName`` as Step Functions accepts it (a name, a partial or
    full ARN, with or without a qualifier) -> the bare function name."""
    function = lambda_function(reference)
    if function is not None:
        return function.name
    return reference.split(":function:")[-1].split(":")[0]
