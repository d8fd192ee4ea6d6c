"""Readiness of policies: KMS keys the cluster and Auto Scaling may use, and identity
policies whose resources say what their authors meant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from eksguard.guardrails._document import (
    Stack,
    allows,
    as_list,
    blocks,
    first,
    glob_match,
    is_true,
    principals,
    statements,
)
from eksguard.guardrails.rules import Finding, Rule

CLUSTER_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey")
ACCOUNT_ROOT = re.compile(r"^(arn:[^:]+:iam::[^:]+:root|\d{12})$")
AUTO_SCALING_ROLE = re.compile(
    r"^arn:[^:]+:iam::[^:]+:role/aws-service-role/autoscaling\.amazonaws\.com/AWSServiceRoleForAutoScaling(_\S+)?$")
AUTO_SCALING_KEY_USE = {
    "kms:Encrypt": ("kms:Encrypt",), "kms:Decrypt": ("kms:Decrypt",),
    "kms:ReEncrypt*": ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    "kms:GenerateDataKey*": ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
    "kms:DescribeKey": ("kms:DescribeKey",),
}
"""What the EC2 Auto Scaling guide's first statement grants, and the API actions it covers."""
GRANT_FOR_AWS_RESOURCE = "kms:CreateGrant with kms:GrantIsForAWSResource = true"
PARAMETER_CHILDREN = re.compile(r"^(arn:[^:]+:ssm:[^:]*:[^:]*:parameter/.+)/\*$")
WILDCARD_ACCOUNT = re.compile(r"^arn:[^:]+:([^:]+):([^:]+):\*:(.*)$")
ACCOUNTLESS_RESOURCES = (("apigateway", ""), ("ec2", "image/"), ("ec2", "snapshot/"), ("ssm", "parameter/aws/"))
"""ARNs that carry no account whatever the account field says (AWS-owned or account-free)."""

CLUSTER_KEY = Rule(
    "EKSR008", "secrets KMS key policy does not let the cluster role use the key",
    "allow the cluster role, or the account root (which delegates to IAM), kms:Encrypt, "
    "kms:Decrypt and kms:DescribeKey in the key policy (EksCluster's own key does)")
PARAMETER_PATH = Rule(
    "EKSR014", "ssm:GetParametersByPath granted on a path's children only",
    "grant the path itself as well as path/* (ssm_parameter_path_read() does)")
WILDCARD_ACCOUNT_ARN = Rule(
    "EKSR015", "resource ARN with a wildcard account",
    "put the account in the ARN (data.aws_caller_identity's account_id)")
AUTO_SCALING_KEY = Rule(
    "EKSR018", "EBS volume key policy does not let EC2 Auto Scaling use the key",
    "add the key policy statements for AWSServiceRoleForAutoScaling: use of the key (kms:Encrypt, "
    f"kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey) and {GRANT_FOR_AWS_RESOURCE} "
    "(node_volume_key_policy(scope) writes both)")
RULES = (CLUSTER_KEY, PARAMETER_PATH, WILDCARD_ACCOUNT_ARN, AUTO_SCALING_KEY)


# EKS User Guide, "Encrypt Kubernetes secrets with KMS on existing clusters": the cluster role must use the key.
def check_cluster_key(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for cluster in stack.all("aws_eks_cluster"):
        for encryption in blocks(cluster.get("encryption_config")):
            key = stack.ref(first(encryption.get("provider")).get("key_arn"), "aws_kms_key")
            if key is None:
                continue
            known, policy = stack.key_policy(key)
            if not known or policy is None:  # unreadable, or the default policy: the root delegates to IAM
                continue
            role_arn = cluster.get("role_arn")
            granted = [s for s in statements(policy) if any(
                p == "*" or ACCOUNT_ROOT.match(p) or stack.key(p) == stack.key(role_arn)
                for p in principals(s, "AWS"))]
            missing = [a for a in CLUSTER_KEY_ACTIONS if not any(allows(s, a) for s in granted)]
            if missing:
                role = stack.ref(role_arn, "aws_iam_role")
                yield Finding(CLUSTER_KEY, cluster.path, (
                    f"key {key.path}: no Allow of {', '.join(missing)} to cluster role "
                    f"{role.path if role else role_arn} or the account root"))


# AWS Systems Manager User Guide, GetParametersByPath: authorized against the requested path itself.
def check_parameter_path(document: dict[str, Any]) -> Iterator[Finding]:
    for block, label, policy in Stack(document).identity_policies():
        for statement in statements(policy):
            if not allows(statement, "ssm:GetParametersByPath"):
                continue
            resources = [str(r) for r in as_list(statement.get("Resource"))]
            for resource in resources:
                match = PARAMETER_CHILDREN.match(resource)
                if match and not any(glob_match(match.group(1), other) for other in resources):
                    yield Finding(PARAMETER_PATH, block.path,
                                  f"{label}: ssm:GetParametersByPath on {resource} but not {match.group(1)}")


# IAM User Guide, "IAM JSON policy elements: Resource" (ARN format: the account of resources that have one).
def check_wildcard_account(document: dict[str, Any]) -> Iterator[Finding]:
    for block, label, policy in Stack(document).identity_policies():
        for statement in statements(policy):
            if statement.get("Effect") != "Allow":
                continue
            for resource in map(str, as_list(statement.get("Resource"))):
                match = WILDCARD_ACCOUNT.match(resource)
                # "*:*" (any region, any account) is the upstream policies' deliberate form; leave it.
                if match and match.group(2) != "*" and not any(
                        match.group(1) == service and match.group(3).startswith(prefix)
                        for service, prefix in ACCOUNTLESS_RESOURCES):
                    yield Finding(WILDCARD_ACCOUNT_ARN, block.path, f"{label}: {resource}")


# EC2 Auto Scaling User Guide, "Required AWS KMS key policy for use with encrypted volumes".
def check_auto_scaling_key(document: dict[str, Any]) -> Iterator[Finding]:
    stack = Stack(document)
    for template in stack.all("aws_launch_template"):
        checked: set[str] = set()
        for mapping in blocks(template.get("block_device_mappings")):
            key = stack.ref(first(mapping.get("ebs")).get("kms_key_id"), "aws_kms_key")
            if key is None or key.address in checked:
                continue
            checked.add(key.address)
            known, policy = stack.key_policy(key)
            missing = _auto_scaling_missing(policy) if known else []
            if missing:
                yield Finding(AUTO_SCALING_KEY, template.path, (
                    f"key {key.path} of {mapping.get('device_name')} grants AWSServiceRoleForAutoScaling no "
                    + ", ".join(missing)))


CHECKS = (check_cluster_key, check_parameter_path, check_wildcard_account, check_auto_scaling_key)


def _auto_scaling_missing(policy: dict[str, Any] | None) -> list[str]:
    """What the key policy (None: the default one, for the account root only) does not
    grant the Auto Scaling service-linked role."""
    granted = [s for s in statements(policy)
               if any(p == "*" or AUTO_SCALING_ROLE.match(p) for p in principals(s, "AWS"))]
    missing = [name for name, actions in AUTO_SCALING_KEY_USE.items()
               if not all(any(allows(s, a) for s in granted) for a in actions)]
    if not any(allows(s, "kms:CreateGrant") and _for_aws_resource(s) for s in granted):
        missing.append(GRANT_FOR_AWS_RESOURCE)
    return missing


def _for_aws_resource(statement: dict[str, Any]) -> bool:
    condition = (statement.get("Condition") or {}).get("Bool") or {}
    values = next((v for k, v in condition.items() if k.lower() == "kms:grantisforawsresource"), None)
    return any(is_true(v) for v in as_list(values))

