"""Names as Step Functions spells them: services, exceptions, response keys.

Pure string functions (no boto3). Step Functions runs its integrations on
the AWS SDK for Java, so the names users see in ``Error`` fields and in
task results are the Java SDK's, not boto3's:

* **aws-sdk integrations** use the AWS SDK for Java 2.x. The service name is
  its client name, derived from the API model's ``serviceId`` by the SDK's
  code generator (``"DynamoDB"`` -> ``DynamoDb``, ``"SFN"`` -> ``Sfn``,
  ``"Secrets Manager"`` -> ``SecretsManager``, ``"ACM PCA"`` -> ``AcmPca``),
  and a modeled error shape ``NoSuchKey`` becomes the class
  ``NoSuchKeyException``. The recorded AWS errors confirm it:
  ``DynamoDb.ResourceNotFoundException``, ``S3.NoSuchKeyException``,
  ``Sfn.InvalidTokenException``, ``SecretsManager.SecretsManagerException``.
* **optimized integrations** (``arn:aws:states:::sqs:sendMessage``...) use the
  AWS SDK for Java 1.x: the shape name plus ``Exception`` when it lacks it
  (``SNS.NotFoundException``, ``SQS.QueueDoesNotExistException``).
"""

from __future__ import annotations

import re

__all__ = [
    "java_pascal_case",
    "sdk_v1_exception_name",
    "sdk_v2_exception_name",
    "sdk_v2_service_name",
    "to_snake_case",
    "upper_first",
]

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_VERSION_LOWER_V = re.compile(r"([^a-z]{2,})v([0-9]+)")
_VERSION_UPPER_V = re.compile(r"([^A-Z]{2,})V([0-9]+)")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z]([a-zA-Z]|[0-9]))")
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z][a-z])")
_DIGIT_LETTER = re.compile(r"([0-9])([a-zA-Z])")
_SPACES = re.compile(r" +")


def _split_on_word_boundaries(text: str) -> list[str]:
    """The Java SDK 2.x code generator's word splitter (``CodegenNamingUtils``).

    Reimplemented step by step because the exact steps decide names such as
    ``DynamoDb`` (``"DynamoDB"`` splits into ``Dynamo`` + ``DB``).
    """
    result = _NON_ALNUM.sub(" ", text)
    result = _VERSION_LOWER_V.sub(r"\1 v\2 ", result)
    result = _VERSION_UPPER_V.sub(r"\1 V\2 ", result)
    result = " ".join(_CAMEL_BOUNDARY.split(result)[::2])  # split() also returns the lookahead group
    result = _ACRONYM_END.sub(r"\1 \2", result)
    result = _DIGIT_LETTER.sub(r"\1 \2", result)
    result = _SPACES.sub(" ", result).strip()
    return result.split(" ") if result else []


def java_pascal_case(text: str) -> str:
    """``CodegenNamingUtils.pascalCase``: each word lower-cased, then capitalised."""
    return "".join(word.lower().capitalize() for word in _split_on_word_boundaries(text))


def sdk_v2_service_name(service_id: str) -> str:
    """The Java SDK 2.x client name of a service (``DefaultNamingStrategy.getServiceName``).

    >>> sdk_v2_service_name("DynamoDB"), sdk_v2_service_name("Secrets Manager")
    ('DynamoDb', 'SecretsManager')
    """
    name = java_pascal_case(service_id)
    for prefix in ("Amazon", "Aws"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
    if name.endswith("Service") and len(name) > len("Service"):
        name = name[: -len("Service")]
    return name


def sdk_v2_exception_name(shape_name: str, service_name: str) -> str:
    """The Java SDK 2.x class of a modeled error shape (``getExceptionName``).

    ``NoSuchKey`` -> ``NoSuchKeyException``; ``...Fault`` -> ``...Exception``;
    a shape that would collide with the service's base exception gets the
    ``Default`` prefix, as the code generator does.
    """
    if shape_name.endswith("Fault"):
        name = java_pascal_case(shape_name[: -len("Fault")]) + "Exception"
    elif shape_name.endswith("Exception"):
        name = java_pascal_case(shape_name)
    else:
        name = java_pascal_case(shape_name) + "Exception"
    if name == service_name + "Exception":
        return "Default" + name
    return name


def sdk_v1_exception_name(shape_name: str) -> str:
    """The Java SDK 1.x class of a modeled error shape: ``Exception`` appended if missing."""
    return shape_name if shape_name.endswith("Exception") else shape_name + "Exception"


_SNAKE_1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE_2 = re.compile(r"([a-z0-9])([A-Z])")


def to_snake_case(name: str) -> str:
    """``executionArn`` / ``ExecutionArn`` -> ``execution_arn``; ``MD5OfMessageBody`` -> ``md5_of_message_body``.

    Used to match a parameter name to an API member name whatever their
    casing (Step Functions takes PascalCase even for camelCase APIs).
    """
    return _SNAKE_2.sub(r"\1_\2", _SNAKE_1.sub(r"\1_\2", name)).lower()


def upper_first(name: str) -> str:
    """How results spell API members: ``executionArn`` -> ``ExecutionArn``.

    Only the first letter changes: AWS returns ``ChecksumCRC32`` (aws-sdk
    S3 ``putObject``) and ``MD5OfMessageBody`` (``sqs:sendMessage``), not
    the Java getter spellings ``ChecksumCrc32`` / ``Md5OfMessageBody``.
    """
    return name[:1].upper() + name[1:]
