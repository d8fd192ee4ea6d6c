"""Guardrail rules: checks on a stack's synthesized Terraform JSON, so they apply to every
resource of the stack, whoever made it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

INTERNET = "0.0.0.0/0"
DEFAULT_MAX_HOP_LIMIT = 2
"""1 is the default of eksguard's launch templates; 2 is the explicit choice for pods still
on node credentials; anything above lets containers reach instance metadata."""
FORBIDDEN_NODE_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    fix: str


@dataclass(frozen=True)
class Finding:
    rule: Rule
    path: str
    """The construct path of the resource (its Terraform address when it has none)."""
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule.id} {self.rule.title} ({self.detail}). Fix: {self.rule.fix}"


RULES = {rule.id: rule for rule in (
    Rule("EKSG001", "launch template does not require IMDSv2",
         'use Imdsv2LaunchTemplate, or set metadata_options.http_tokens = "required"'),
    Rule("EKSG002", "IMDS hop limit above the allowed maximum",
         "keep http_put_response_hop_limit at 1 (2 for pods still on node credentials) and give "
         "workloads IRSA or Pod Identity"),
    Rule("EKSG003", "web-identity trust without an :aud condition",
         'add StringEquals "<issuer>:aud" = "sts.amazonaws.com" (IrsaRole does)'),
    Rule("EKSG004", "wildcard inside StringEquals",
         "name exact service accounts, or use StringLike with a pinned namespace "
         "(IrsaRole service_account_patterns)"),
    Rule("EKSG005", "StringLike on :sub without a pinned namespace",
         'match "system:serviceaccount:<exact namespace>:<pattern>"'),
    Rule("EKSG006", 'trust in Federated principal "*"',
         "trust the cluster's OIDC provider ARN"),
    Rule("EKSG007", "node role carries policies beyond the worker-node set",
         "give the workload its own IRSA or Pod Identity role; keep node roles to "
         "NodeRole's policies"),
    Rule("EKSG008", "cluster API endpoint open to the internet",
         "keep the endpoint private, or list the CIDRs that need it in public_access_cidrs"),
    Rule("EKSG009", "Kubernetes secrets not envelope-encrypted",
         'add encryption_config with a KMS key for resources = ["secrets"] (EksCluster does)'),
    Rule("EKSG010", "control-plane logging off",
         'enable at least "api", "audit" and "authenticator" log types'),
)}


def _resources(document: dict[str, Any], rtype: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(address, construct path, body) of each resource of one type."""
    for name, body in document.get("resource", {}).get(rtype, {}).items():
        address = f"{rtype}.{name}"
        yield address, body.get("//", {}).get("metadata", {}).get("path", address), body


def _first(block: Any) -> dict[str, Any]:
    if isinstance(block, list):
        return block[0] if block else {}
    return block or {}


def _policy(text: Any) -> dict[str, Any] | None:
    """A literal JSON policy document, or None when it is an expression we cannot read."""
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_launch_templates(document: dict[str, Any], max_hop_limit: int) -> Iterator[Finding]:
    for _, path, body in _resources(document, "aws_launch_template"):
        metadata = _first(body.get("metadata_options"))
        if metadata.get("http_tokens") != "required":
            yield Finding(RULES["EKSG001"], path, f"http_tokens = {metadata.get('http_tokens')!r}")
        hop_limit = metadata.get("http_put_response_hop_limit")
        if isinstance(hop_limit, int) and hop_limit > max_hop_limit:
            yield Finding(RULES["EKSG002"], path, f"hop limit {hop_limit} > {max_hop_limit}")


def check_web_identity_trust(document: dict[str, Any], _: int) -> Iterator[Finding]:
    for _, path, body in _resources(document, "aws_iam_role"):
        trust = _policy(body.get("assume_role_policy"))
        for statement in _statements(trust or {}):
            if "sts:AssumeRoleWithWebIdentity" not in _as_list(statement.get("Action")):
                continue
            if "*" in _as_list(statement.get("Principal", {}).get("Federated")):
                yield Finding(RULES["EKSG006"], path, "Principal.Federated = '*'")
            condition = statement.get("Condition", {})
            equals, like = condition.get("StringEquals", {}), condition.get("StringLike", {})
            if not any(key.endswith(":aud") for key in equals):
                yield Finding(RULES["EKSG003"], path, "no StringEquals on :aud")
            for key, values in equals.items():
                if any("*" in str(v) for v in _as_list(values)):
                    yield Finding(RULES["EKSG004"], path, f"StringEquals {key} = {values!r}")
            for key, values in like.items():
                if key.endswith(":sub") and any(
                        not re.match(r"^system:serviceaccount:[a-z0-9-]+:", str(v)) for v in _as_list(values)):
                    yield Finding(RULES["EKSG005"], path, f"StringLike {key} = {values!r}")


def check_node_roles(document: dict[str, Any], _: int) -> Iterator[Finding]:
    node_roles = {}
    for address, path, body in _resources(document, "aws_iam_role"):
        trust = _policy(body.get("assume_role_policy")) or {}
        services = [s for st in _statements(trust) for s in _as_list(st.get("Principal", {}).get("Service"))]
        if "ec2.amazonaws.com" in services:
            node_roles[address] = path
    refs = {f"${{{address}.{attr}}}": path for address, path in node_roles.items() for attr in ("name", "id")}
    for _, _, body in _resources(document, "aws_iam_role_policy_attachment"):
        policy = str(body.get("policy_arn", "")).rsplit("/", 1)[-1]
        if body.get("role") in refs and policy in FORBIDDEN_NODE_POLICIES:
            yield Finding(RULES["EKSG007"], refs[body["role"]], f"managed policy {policy}")
    for _, _, body in _resources(document, "aws_iam_role_policy"):
        if body.get("role") not in refs:
            continue
        for statement in _statements(_policy(body.get("policy")) or {}):
            if statement.get("Effect") == "Allow" and {"*", "*:*"} & set(map(str, _as_list(statement.get("Action")))):
                yield Finding(RULES["EKSG007"], refs[body["role"]], f"inline policy {body.get('name')} allows *")


def check_clusters(document: dict[str, Any], _: int) -> Iterator[Finding]:
    for _, path, body in _resources(document, "aws_eks_cluster"):
        vpc = _first(body.get("vpc_config"))
        if vpc.get("endpoint_public_access", True) is not False:
            cidrs = vpc.get("public_access_cidrs") or [INTERNET]
            if INTERNET in cidrs:
                yield Finding(RULES["EKSG008"], path, "public endpoint with 0.0.0.0/0")
        encryption = _as_list(body.get("encryption_config") or [])
        if not any("secrets" in _as_list(_first(e).get("resources", [])) for e in encryption):
            yield Finding(RULES["EKSG009"], path, "no encryption_config for secrets")
        if not body.get("enabled_cluster_log_types"):
            yield Finding(RULES["EKSG010"], path, "enabled_cluster_log_types is empty")


CHECKS: tuple[Callable[[dict[str, Any], int], Iterator[Finding]], ...] = (
    check_launch_templates, check_web_identity_trust, check_node_roles, check_clusters)


def check_document(document: dict[str, Any], max_hop_limit: int = DEFAULT_MAX_HOP_LIMIT) -> list[Finding]:
    """Every finding in one stack's Terraform JSON."""
    return [finding for check in CHECKS for finding in check(document, max_hop_limit)]
