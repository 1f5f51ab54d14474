"""From a local definition to AWS: templates (``asl export``) and deployments (``asl deploy``).

* :mod:`.policy` (pure) reads the least-privilege IAM policy off a definition's Tasks;
* :mod:`.template` (pure) writes a CloudFormation or SAM template with it;
* :mod:`.aws` makes the IAM and Step Functions calls of a deployment, through
  the boto3 clients of :mod:`asl_engine.tasks.aws` (``dry_run`` only lists them).

See docs/deploy.md.
"""

from __future__ import annotations

from .aws import Call, DeployError, DeployRequest, DeployResult, console_url, deploy
from .policy import Policy, least_privilege, resolve
from .template import FORMATS, export_template, placeholders, substitute

__all__ = [
    "Call",
    "DeployError",
    "DeployRequest",
    "DeployResult",
    "FORMATS",
    "Policy",
    "console_url",
    "deploy",
    "export_template",
    "least_privilege",
    "placeholders",
    "resolve",
    "substitute",
]
