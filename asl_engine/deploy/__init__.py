"""From a local definition to AWS: templates (``asl export``) and deployments (``asl deploy``).

* :mod:`.policy` (pure) reads the least-privilege IAM policy off a definition's Tasks;
* :mod:`.package` (pure) zips a handler module for Lambda and points Tasks at the function;
* :mod:`.template` (pure) writes a CloudFormation or SAM template with it;
* :mod:`.aws` makes the IAM and Step Functions calls of a deployment, through
  the boto3 clients of :mod:`asl_engine.tasks.aws` (``dry_run`` only lists them).

See docs/deploy.md.
"""

from __future__ import annotations

from .aws import Call, DeployError, DeployRequest, DeployResult, console_url, deploy
from .package import HandlerPackage, package, rewrite
from .policy import Policy, least_privilege, resolve
from .template import FORMATS, export_template, placeholders, substitute

__all__ = [
    "Call",
    "DeployError",
    "DeployRequest",
    "DeployResult",
    "FORMATS",
    "HandlerPackage",
    "Policy",
    "console_url",
    "deploy",
    "export_template",
    "least_privilege",
    "package",
    "placeholders",
    "resolve",
    "rewrite",
    "substitute",
]
