"""Identity-policy statements for the grants a workload most often needs, each scoped to the
resources AWS actually authorizes the call against, in the stack's partition, region and
account (never ``*``).

Every helper returns a list of statements; ``policy_document`` combines them::

    inline_policies={"orders": policy_document(
        *ssm_parameter_path_read(stack, path="/orders"),
        *dynamodb_table_read(stack, table="orders", write=True))}

The partition, region and account are the stack's ``aws_partition``, ``aws_region`` and
``aws_caller_identity`` data sources (one each per stack), so the ARNs are right in aws,
aws-cn and aws-us-gov and in whatever account the stack is applied to. Literal names are
validated eagerly; Terraform references (a bucket's ``.bucket``) pass through unchecked.
Statements carry no ``Sid``: several helpers may share one document, and Sids must be unique.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from constructs import Construct

from eksguard import _validation as v
from eksguard._framework import construct_path, is_token
from eksguard.constructs._private import POLICY_VERSION, account_id, partition, region_name

Statement = dict[str, Any]

SSM_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
RESERVED_SSM_ROOTS = ("aws", "ssm")
"""AWS's own hierarchies (public parameters such as /aws/service/...): not in the account."""
ALLOWED_SSM_PATH = (
    "a parameter hierarchy such as '/orders' or '/orders/prod': '/'-separated segments of "
    "letters, digits, '_', '.' or '-', starting with '/', with no trailing '/', no wildcard, "
    "and not under /aws or /ssm (AWS's public parameters live outside the account)"
)
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
ALLOWED_KMS_KEY_ARN = (
    "a KMS key ARN such as 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-"
    "1234567890ab' (not an alias: IAM authorizes kms:Decrypt against the key ARN)"
)
SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$")
ALLOWED_SECRET_ARN = (
    "a complete secret ARN, ending in the 6 characters Secrets Manager appends, such as "
    "'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf'; give "
    "secret_name= to grant a secret by name"
)
SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
ALLOWED_SECRET_NAME = "a secret name: 1-512 letters, digits or any of '/_+=.@-' (no wildcard)"
ALLOWED_ONE_SECRET = "exactly one of secret_arn and secret_name"
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IPV4_LIKE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
ALLOWED_BUCKET = (
    "an S3 general purpose bucket name: 3-63 lowercase letters, digits, '.' or '-', starting "
    "and ending with a letter or digit, without '..', not an IP address, and without the "
    "reserved prefixes xn--, sthree-, amzn-s3-demo- or suffixes -s3alias, --ol-s3, .mrap, "
    "--x-s3, --table-s3"
)
S3_PREFIX = re.compile(r"^[^/*?$][^*?$]*(?<!/)$")
ALLOWED_S3_PREFIX = (
    "a key prefix such as 'reports' or 'reports/2024': no leading or trailing '/', and no "
    "'*', '?' or '$' (IAM reads them as wildcards and policy variables)"
)
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
ALLOWED_TABLE = "a DynamoDB table name: 3-255 letters, digits, '_', '-' or '.'"

SSM_READ_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters")
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
S3_READ_ACTIONS = ("s3:GetObject",)
S3_WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject")
DYNAMODB_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                         "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem")
DYNAMODB_WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                          "dynamodb:BatchWriteItem")
DYNAMODB_INDEX_ACTIONS = ("dynamodb:Query", "dynamodb:Scan")
"""The only reads DynamoDB authorizes against an index ARN."""


def policy_document(*statements: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An IAM policy document of the given statements, in order; an argument may also be a
    list of statements, as the helpers here return.

    Example::

        policy_document(*s3_bucket_access(stack, bucket="reports"),
                        *secrets_manager_secret_read(stack, secret_name="prod/db"))
    """
    flat: list[Statement] = []
    for item in statements:
        flat.extend([dict(item)] if isinstance(item, Mapping) else [dict(s) for s in item])
    v.require_non_empty("policy_document", "statements", flat)
    return {"Version": POLICY_VERSION, "Statement": flat}


def ssm_parameter_path_read(scope: Construct, *, path: str, recursive: bool = True,
                            kms_key_arn: str | None = None) -> list[Statement]:
    """Read the parameters under one hierarchy: ``ssm:GetParametersByPath`` on the path
    itself (SSM authorizes that call against the requested path, not the parameters it
    returns) and, when ``recursive``, on its sub-paths too; ``ssm:GetParameter(s)`` on the
    parameters below it. SecureString values under a customer managed key also need
    ``kms_key_arn`` (the default ``aws/ssm`` key needs nothing).

    AWS lets whoever may call GetParametersByPath on a path read it recursively, and IAM's
    ``*`` spans '/', so ``recursive=False`` narrows which paths may be requested, not how
    deep the reads go.

    Example::

        ssm_parameter_path_read(stack, path="/orders", kms_key_arn=key.arn)
    """
    where = construct_path(scope)
    if not is_token(path):
        if not isinstance(path, str) or not SSM_PATH.match(path) or \
                path.split("/")[1].lower() in RESERVED_SSM_ROOTS:
            v.fail(where, "path", path, ALLOWED_SSM_PATH)
    _require_kms_key(where, kms_key_arn)
    parameter = f"arn:{partition(scope)}:ssm:{region_name(scope)}:{account_id(scope)}:parameter{path}"
    by_path = [parameter, f"{parameter}/*"] if recursive else [parameter]
    return [
        {"Effect": "Allow", "Action": ["ssm:GetParametersByPath"], "Resource": by_path},
        {"Effect": "Allow", "Action": list(SSM_READ_ACTIONS), "Resource": [f"{parameter}/*"]},
        *_kms_grant(kms_key_arn, ["kms:Decrypt"]),
    ]


def secrets_manager_secret_read(scope: Construct, *, secret_arn: str | None = None,
                                secret_name: str | None = None,
                                kms_key_arn: str | None = None) -> list[Statement]:
    """Read one secret, given by its complete ARN or by its name. By name, the grant is
    ``secret:<name>-??????``: Secrets Manager appends six random characters to every
    secret's ARN, so ``secret:<name>`` alone matches nothing, and ``-??????`` does not
    reach ``<name>-other`` the way ``<name>*`` would. A secret under a customer managed key
    also needs ``kms_key_arn``.

    Example::

        secrets_manager_secret_read(stack, secret_name="prod/orders/db")
    """
    where = construct_path(scope)
    if (secret_arn is None) == (secret_name is None):
        v.fail(where, "secret_arn", secret_arn, ALLOWED_ONE_SECRET)
    if secret_arn is not None:
        v.require_match(where, "secret_arn", secret_arn, SECRET_ARN, ALLOWED_SECRET_ARN)
    else:
        v.require_match(where, "secret_name", secret_name, SECRET_NAME, ALLOWED_SECRET_NAME)
    _require_kms_key(where, kms_key_arn)
    resource = secret_arn if secret_arn is not None else (
        f"arn:{partition(scope)}:secretsmanager:{region_name(scope)}:{account_id(scope)}"
        f":secret:{secret_name}-??????")
    return [
        {"Effect": "Allow", "Action": list(SECRET_READ_ACTIONS), "Resource": [resource]},
        *_kms_grant(kms_key_arn, ["kms:Decrypt"]),
    ]


def s3_bucket_access(scope: Construct, *, bucket: str, prefix: str | None = None, write: bool = False,
                     kms_key_arn: str | None = None) -> list[Statement]:
    """List and read (and, with ``write``, put and delete) the objects of one bucket, or
    of one key prefix in it: ``s3:ListBucket`` is authorized against the bucket ARN (and
    limited to the prefix with the ``s3:prefix`` condition), object actions against the
    object ARNs. S3 ARNs carry no region or account: that is AWS's format. Objects under
    SSE-KMS with a customer managed key also need ``kms_key_arn``.

    Example::

        s3_bucket_access(stack, bucket=reports.bucket, prefix="daily", write=True)
    """
    where = construct_path(scope)
    _require_bucket(where, bucket)
    if prefix is not None:
        v.require_match(where, "prefix", prefix, S3_PREFIX, ALLOWED_S3_PREFIX)
    _require_kms_key(where, kms_key_arn)
    bucket_arn = f"arn:{partition(scope)}:s3:::{bucket}"
    listing: Statement = {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]}
    if prefix is not None:
        listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}/*"]}}
    objects = f"{bucket_arn}/{prefix}/*" if prefix is not None else f"{bucket_arn}/*"
    actions = [*S3_READ_ACTIONS, *(S3_WRITE_ACTIONS if write else ())]
    kms_actions = ["kms:Decrypt", *(["kms:GenerateDataKey"] if write else [])]
    return [
        listing,
        {"Effect": "Allow", "Action": actions, "Resource": [objects]},
        *_kms_grant(kms_key_arn, kms_actions),
    ]


def dynamodb_table_read(scope: Construct, *, table: str, write: bool = False) -> list[Statement]:
    """Read (and, with ``write``, write) the items of one table in the stack's region and
    account, and query or scan its indexes: DynamoDB authorizes reads of an index against
    ``<table ARN>/index/<name>``, not against the table ARN.

    Example::

        dynamodb_table_read(stack, table="orders", write=True)
    """
    where = construct_path(scope)
    v.require_match(where, "table", table, TABLE_NAME, ALLOWED_TABLE)
    table_arn = f"arn:{partition(scope)}:dynamodb:{region_name(scope)}:{account_id(scope)}:table/{table}"
    return [
        {"Effect": "Allow", "Action": [*DYNAMODB_READ_ACTIONS, *(DYNAMODB_WRITE_ACTIONS if write else ())],
         "Resource": [table_arn]},
        {"Effect": "Allow", "Action": list(DYNAMODB_INDEX_ACTIONS), "Resource": [f"{table_arn}/index/*"]},
    ]


def _require_bucket(where: str, bucket: str) -> None:
    if is_token(bucket):
        return
    if not isinstance(bucket, str) or not BUCKET_NAME.match(bucket) or ".." in bucket or \
            IPV4_LIKE.match(bucket) or bucket.startswith(RESERVED_BUCKET_PREFIXES) or \
            bucket.endswith(RESERVED_BUCKET_SUFFIXES):
        v.fail(where, "bucket", bucket, ALLOWED_BUCKET)


def _require_kms_key(where: str, kms_key_arn: str | None) -> None:
    if kms_key_arn is not None:
        v.require_match(where, "kms_key_arn", kms_key_arn, KMS_KEY_ARN, ALLOWED_KMS_KEY_ARN)


def _kms_grant(kms_key_arn: str | None, actions: list[str]) -> list[Statement]:
    if kms_key_arn is None:
        return []
    return [{"Effect": "Allow", "Action": actions, "Resource": [kms_key_arn]}]
