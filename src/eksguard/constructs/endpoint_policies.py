"""The policies of ``ClusterNetwork``'s VPC endpoints: what may pass through each.

An endpoint without a policy allows every action by any principal on any resource: from
the private subnets, S3 through the gateway endpoint would take objects to any bucket of
any account, and an interface endpoint would serve credentials of another account. So:

- **S3 (gateway)**: objects of the buckets AWS serves nodes from — ECR's image layers
  (ECR User Guide, "Amazon ECR interface VPC endpoints": "Minimum Amazon S3 bucket
  permissions for Amazon ECR", ``prod-<region>-starport-layer-bucket``) and the Amazon Linux
  package repositories (Amazon Linux 2023 User Guide, "Package repositories through S3 VPC
  endpoints": ``al2023-repos-<region>-de612dc2``; Amazon Linux 2: ``amazonlinux-2-repos-<region>``)
  — and this account's buckets for this account's principals (``aws:ResourceAccount``,
  ``aws:PrincipalAccount``).
- **DynamoDB (gateway)**: this account's tables, for this account's principals.
- **Interface endpoints**: this account's principals, any action (IAM policies then decide);
  for the services whose resources pods only ever use in their own account
  (``OWN_RESOURCES_ONLY``: CloudWatch Logs, SQS, KMS, Secrets Manager) also only this
  account's resources, so this account's credentials cannot write to another's log
  group or queue. Not ECR (EKS add-on images live in AWS's registries), SSM (Karpenter
  reads AWS's public AMI parameters) or STS.
  STS also takes ``AssumeRoleWithWebIdentity`` into this account's roles: IRSA's call is
  not signed, so it has no principal account for the condition to match.
- **eks-auth**: no policy (``WITHOUT_POLICY``). Its one API, ``AssumeRoleForPodIdentity``,
  returns credentials of this cluster's own associations only, so a policy would guard
  nothing; and a service that does not support endpoint policies gets full access anyway
  (AWS PrivateLink Guide, "Control access to VPC endpoints using endpoint policies").

``ClusterNetworkProps.endpoint_policy_statements`` adds statements to any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eksguard.constructs._private import policy_document

OWN_RESOURCES_ONLY = frozenset({"logs", "sqs", "kms", "secretsmanager"})
WITHOUT_POLICY = frozenset({"eks-auth"})
"""Interface endpoints left with AWS's default policy (module docstring)."""
ECR_LAYER_BUCKET = "prod-{region}-starport-layer-bucket"
AMAZON_LINUX_REPOSITORY_BUCKETS = ("al2023-repos-{region}-de612dc2", "amazonlinux-2-repos-{region}")


def _this_account(account: str) -> dict[str, Any]:
    return {"StringEquals": {"aws:PrincipalAccount": account, "aws:ResourceAccount": account}}


def s3_gateway_policy(*, partition: str, account: str, region: str,
                      extra: Sequence[Mapping[str, Any]] = ()) -> str:
    buckets = [ECR_LAYER_BUCKET, *AMAZON_LINUX_REPOSITORY_BUCKETS]
    return policy_document([
        {"Sid": "ImageLayersAndPackages", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": [f"arn:{partition}:s3:::{bucket.format(region=region)}/*" for bucket in buckets]},
        {"Sid": "ThisAccountsBuckets", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": _this_account(account)},
        *extra])


def dynamodb_gateway_policy(*, account: str, extra: Sequence[Mapping[str, Any]] = ()) -> str:
    return policy_document([
        {"Sid": "ThisAccountsTables", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:*", "Resource": "*",
         "Condition": _this_account(account)},
        *extra])


def interface_endpoint_policy(service: str, *, partition: str, account: str,
                              extra: Sequence[Mapping[str, Any]] = ()) -> str | None:
    """The policy of the interface endpoint of ``service``; None for ``WITHOUT_POLICY``."""
    if service in WITHOUT_POLICY:
        return None
    statements: list[Mapping[str, Any]] = [
        {"Sid": "ThisAccountsPrincipals", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
         "Condition": _this_account(account) if service in OWN_RESOURCES_ONLY else {
             "StringEquals": {"aws:PrincipalAccount": account}}}]
    if service == "sts":
        statements.append({"Sid": "WebIdentityIntoThisAccountsRoles", "Effect": "Allow", "Principal": "*",
                           "Action": "sts:AssumeRoleWithWebIdentity",
                           "Resource": f"arn:{partition}:iam::{account}:role/*"})
    return policy_document([*statements, *extra])
