"""Guardrail rules: checks on a stack's synthesized Terraform JSON, so they apply to every
resource of the stack, whoever made it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eksguard.guardrails._document import (
    Block,
    Stack,
    blocks,
    is_token,
    principals,
    statements,
    web_identity_subjects,
)

INTERNET = "0.0.0.0/0"
DEFAULT_MAX_HOP_LIMIT = 2
"""1 is the default of eksguard's launch templates; 2 is the explicit choice for pods still
on node credentials; anything above lets containers reach instance metadata."""
FORBIDDEN_NODE_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
CLUSTER_ISSUER = "the cluster's OIDC issuer"
CI_ISSUERS = ("token.actions.githubusercontent.com", "app.terraform.io")
"""OIDC issuers of CI systems (GitHub Actions, HCP Terraform) whose runs assume roles."""
GITHUB_SERVER_ISSUER_PATH = "/_services/token"
"""GitHub Enterprise Server's issuer is ``<host>/_services/token``."""
TERRAFORM_CLOUD_AUDIENCE = "aws.workload.identity"
"""The audience HCP Terraform and Terraform Enterprise tokens carry by default: it marks a
Terraform Enterprise host eksguard does not know by name."""
CI_SUBJECT_PARTS = {
    "terraform": ("organization", "project", "workspace"),
    "github": ("repo",),
}
"""The leading ``<label>:<value>:`` parts of a CI subject that a pattern must spell out: a
wildcard may only follow them (``run_phase:*``; a branch or environment after the repository)."""
PINNING_OPERATORS = ("StringEquals", "StringEqualsIgnoreCase", "StringLike")
READ_ACTION_PREFIXES = ("get", "list", "describe", "batchget", "query", "scan", "head", "view", "lookup",
                        "search", "select")
"""An action whose name starts with one of these (case-insensitive, as IAM matches) reads."""
FULL_ACCESS_SUFFIX = "FullAccess"
"""AWS managed ``...FullAccess`` policies grant ``<service>:*`` on every resource."""
WAIVE_REASON_PLACEHOLDER = "\u2026"
"""What the printed waiver code holds for the reason: pasted as is, ``waive`` refuses it."""


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
    allowance: str | None = field(default=None, compare=False)
    """The construct prop that accepts this finding where the construct that made the
    resource has one (``EksClusterProps(allow_public_endpoint_from_internet="…") at
    prod/eks/cluster``); None: accept it with a waiver."""

    def __str__(self) -> str:
        return f"{self.path}: {self.rule.id} {self.rule.title} ({self.detail}). Fix: {self.rule.fix}"

    @property
    def waiver_code(self) -> str:
        """The call that waives exactly this finding, its reason left to write."""
        return (f"Guardrails.of(stack).waive(rule={json.dumps(self.rule.id)}, path={json.dumps(self.path)}, "
                f"reason={json.dumps(WAIVE_REASON_PLACEHOLDER, ensure_ascii=False)})")

    def report(self) -> str:
        """The finding, and below it the one change that accepts it instead of fixing it."""
        accept = self.allowance or self.waiver_code
        return f"{self}\n    To accept it instead: {accept}"


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
    Rule("EKSG011", "workload identity allows broad actions on every resource",
         'name the resources (ARNs) in the statement, keep it to read actions (Get*, List*, Describe*, ...), '
         "or scope it with a Condition (aws:ResourceTag/...); give workloads least-privilege policies "
         "(s3_bucket_access, dynamodb_table_read, ...) instead of AdministratorAccess, PowerUserAccess or a "
         "...FullAccess managed policy"),
    Rule("EKSG012", "CI trust leaves the organization, workspace or repository open",
         'match "<issuer>:sub" exactly: "organization:<org>:project:<project>:workspace:<workspace>:'
         'run_phase:<plan|apply>" (TerraformCloudWorkspaceRole) or "repo:<owner>/<repo>:environment:<env>" '
         "(GitHubActionsRole); a StringLike wildcard may only follow the workspace or the repository"),
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
                if key.endswith(":sub") and _kubernetes_issuer(key) and any(
                        not re.match(r"^system:serviceaccount:[a-z0-9-]+:", str(v)) for v in _as_list(values)):
                    yield Finding(RULES["EKSG005"], path, f"StringLike {key} = {values!r}")


def _kubernetes_issuer(key: str) -> bool:
    """Whether a condition key may belong to a cluster's issuer, whose subjects are service
    accounts: a computed issuer may, a literal one only when it is EKS's (CI issuers such as
    GitHub's have subjects like ``repo:acme/infra:ref:refs/heads/main``)."""
    issuer = key.rsplit(":", 1)[0]
    return is_token(issuer) or "oidc.eks." in issuer


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


# IAM User Guide, "Apply least-privilege permissions"; EKS Best Practices, "Identity and Access
# Management" (scope IRSA and Pod Identity roles); GitHub and HCP Terraform OIDC guides.
def check_workload_policies(document: dict[str, Any], _: int) -> Iterator[Finding]:
    """Roles that pods or CI runs assume (IRSA, Pod Identity, any web identity) whose
    identity policies allow ``*``, ``<service>:*`` or a write action on ``"*"``. A statement
    with a Condition is taken as scoped, and read actions on ``"*"`` pass: the library's
    add-on policies need both (``ec2:Describe*``, tag-conditioned Auto Scaling writes)."""
    stack = Stack(document)
    for role in stack.all("aws_iam_role"):
        kind = _workload_kind(stack, role)
        if kind is None:
            continue
        for source, policy, managed in _role_policies(stack, role):
            if managed is not None:
                name = managed.rsplit("/", 1)[-1]
                if name in FORBIDDEN_NODE_POLICIES or name.endswith(FULL_ACCESS_SUFFIX):
                    yield Finding(RULES["EKSG011"], role.path, f"{kind}: {source}")
                continue
            broad = [grant for statement in statements(policy) for grant in _broad_grants(statement)]
            if broad:
                granted = ", ".join(dict.fromkeys(broad))
                yield Finding(RULES["EKSG011"], role.path, f'{kind}: {source} allows {granted} on "*"')


def _workload_kind(stack: Stack, role: Block) -> str | None:
    """What assumes the role, when it is a workload: "Pod Identity role", "IRSA role", "CI
    role (<issuer>)" or "web-identity role (<issuer>)"; None for anything else."""
    trust = stack.policy(role.get("assume_role_policy"))
    for statement in statements(trust):
        if statement.get("Effect") != "Allow":
            continue
        if POD_IDENTITY_SERVICE in principals(statement, "Service"):
            return "Pod Identity role"
        if WEB_IDENTITY not in _as_list(statement.get("Action")):
            continue
        issuer = next(filter(None, (_issuer(stack, p) for p in principals(statement, "Federated"))), None)
        keys = [key for entries in (statement.get("Condition") or {}).values() if isinstance(entries, dict)
                for key in entries]
        issuer = issuer or next((key.rsplit(":", 1)[0] for key in keys if ":" in key), None)
        if issuer and any(ci in issuer for ci in CI_ISSUERS):
            return f"CI role ({issuer})"
        if (issuer and ".eks." in issuer) or issuer == CLUSTER_ISSUER or any(
                value.startswith("system:serviceaccount:") for _, value in web_identity_subjects(trust)):
            return "IRSA role"
        return f"web-identity role ({issuer or 'an OIDC provider'})"
    return None


def _issuer(stack: Stack, principal: str) -> str | None:
    """The issuer host of a Federated principal: from its ARN, or its provider's url."""
    provider = stack.ref(principal, "aws_iam_openid_connect_provider")
    if provider is not None:
        url = provider.get("url")
        if isinstance(url, str) and "aws_eks_cluster." in url:
            return CLUSTER_ISSUER
        return url.removeprefix("https://") if isinstance(url, str) and not is_token(url) else None
    _, found, host = principal.partition(":oidc-provider/")
    return host if found and not is_token(host) else None


def _role_policies(stack: Stack, role: Block) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(what it is, readable document or None, AWS managed policy ARN or None) of each
    identity policy the role has: inline, attached customer-managed, attached AWS managed."""
    def names_role(value: Any) -> bool:
        literal = role.get("name")
        return stack.ref(value, "aws_iam_role") is role or (
            isinstance(literal, str) and not is_token(literal) and value == literal)

    for inline in blocks(role.get("inline_policy")):
        yield f"inline_policy {inline.get('name')!r}", stack.policy(inline.get("policy")), None
    for block in stack.all("aws_iam_role_policy"):
        if names_role(block.get("role")):
            yield f"policy {block.get('name')!r} ({block.path})", stack.policy(block.get("policy")), None
    arns = [b.get("policy_arn") for b in stack.all("aws_iam_role_policy_attachment") if names_role(b.get("role"))]
    arns += [b.get("policy_arn") for b in stack.all("aws_iam_policy_attachment")
             if any(names_role(r) for r in _as_list(b.get("roles") or []))]
    arns += _as_list(role.get("managed_policy_arns") or [])
    for arn in arns:
        attached = stack.ref(arn, "aws_iam_policy")
        if attached is not None:
            yield f"attached policy {attached.path}", stack.policy(attached.get("policy")), None
        elif ":iam::aws:policy/" in str(arn):
            yield f"AWS managed policy {str(arn).rsplit('/', 1)[-1]}", None, str(arn)


def _broad_grants(statement: dict[str, Any]) -> list[str]:
    """What an unconditioned Allow grants on ``"*"`` that is more than reading."""
    if statement.get("Effect") != "Allow" or statement.get("Condition"):
        return []
    resources = ["*"] if "NotResource" in statement else [str(r) for r in _as_list(statement.get("Resource"))]
    if "*" not in resources:
        return []
    if "NotAction" in statement:
        return [f"every action but {', '.join(map(str, _as_list(statement['NotAction'])))}"]
    return [str(action) for action in _as_list(statement.get("Action")) if _broad_action(action)]


def _broad_action(action: Any) -> bool:
    if not isinstance(action, str) or is_token(action):
        return False
    if action == "*":
        return True
    _, colon, name = action.partition(":")
    return bool(colon) and (name == "*" or not name.lower().startswith(READ_ACTION_PREFIXES))


# GitHub, "Configuring OpenID Connect in Amazon Web Services" (a sub condition is what
# keeps other repositories out); HCP Terraform, "Dynamic credentials with the AWS provider".
def check_ci_trust(document: dict[str, Any], _: int) -> Iterator[Finding]:
    """Roles trusting a CI issuer (HCP Terraform or Terraform Enterprise, GitHub Actions)
    with no ``:sub`` condition, or whose ``StringLike`` ``:sub`` wildcards the organization,
    project or workspace, or the repository: every organization's runs, or every
    repository's workflows, on that issuer could assume them. A wildcard after those parts
    passes (``run_phase:*`` is one role for both phases of one workspace), and so does a
    computed subject, which the rule cannot read. A missing ``:aud`` is EKSG003's."""
    stack = Stack(document)
    for role in stack.all("aws_iam_role"):
        for statement in statements(stack.policy(role.get("assume_role_policy"))):
            if statement.get("Effect") != "Allow" or WEB_IDENTITY not in _as_list(statement.get("Action")):
                continue
            ci = _ci_system(stack, statement)
            if ci is None:
                continue
            system, issuer = ci
            subjects = [(operator, key, value) for operator, key, value in _condition_entries(statement)
                        if key.lower().endswith(":sub") and _base_operator(operator) in PINNING_OPERATORS]
            if not subjects:
                whose = "workflow of any repository" if system == "github" else "run of any organization"
                yield Finding(RULES["EKSG012"], role.path, f"no :sub condition: a {whose} on {issuer} can assume it")
            for operator, key, value in subjects:
                if _base_operator(operator) != "StringLike" or is_token(value):
                    continue
                part = _open_part(system, value)
                if part is not None:
                    yield Finding(RULES["EKSG012"], role.path, f"{operator} {key} = {value!r} leaves the {part} open")


def _condition_entries(statement: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(operator, key, str(value)) for operator, entries in (statement.get("Condition") or {}).items()
            if isinstance(entries, dict) for key, values in entries.items() for value in _as_list(values)]


def _base_operator(operator: str) -> str:
    """``StringLike`` for ``ForAnyValue:StringLikeIfExists`` and the like."""
    return operator.rsplit(":", 1)[-1].removesuffix("IfExists")


def _ci_system(stack: Stack, statement: dict[str, Any]) -> tuple[str, str] | None:
    """("terraform" or "github", issuer) when the statement trusts a CI issuer: by its
    host, or, for hosts eksguard cannot know (Terraform Enterprise, GitHub Enterprise
    Server), by the shape of its subjects or HCP Terraform's audience."""
    entries = _condition_entries(statement)
    issuer = next(filter(None, (_issuer(stack, p) for p in principals(statement, "Federated"))), None)
    issuer = issuer or next((key.rsplit(":", 1)[0] for _, key, _ in entries if ":" in key), None) or "its issuer"
    subjects = [value for _, key, value in entries if key.lower().endswith(":sub")]
    audiences = [value for _, key, value in entries if key.lower().endswith(":aud")]
    if CI_ISSUERS[0] in issuer or issuer.endswith(GITHUB_SERVER_ISSUER_PATH) or any(
            s.startswith("repo:") for s in subjects):
        return "github", issuer
    if CI_ISSUERS[1] in issuer or TERRAFORM_CLOUD_AUDIENCE in audiences or any(
            s.startswith("organization:") for s in subjects):
        return "terraform", issuer
    return None


def _open_part(system: str, pattern: str) -> str | None:
    """The parts of the subject a ``StringLike`` pattern leaves open ("project and
    workspace"), or None when each part in ``CI_SUBJECT_PARTS`` is spelled out up to the
    ':' that closes it before the first wildcard. A part after the first wildcard counts
    as pinned when a literal piece of the pattern spells it out (``:workspace:w:``): names
    cannot hold ':', so no other value fits there."""
    pieces = re.split(r"[*?]", pattern)
    fixed = pieces[0].split(":")
    labels = CI_SUBJECT_PARTS[system]
    for index, label in enumerate(labels):
        closed = len(fixed) > 2 * index + 2
        if not closed or fixed[2 * index] != label or not fixed[2 * index + 1]:
            open_labels = [label] + [later for later in labels[index + 1:] if not any(
                re.search(rf":{later}:[^:]+:", piece) for piece in pieces[1:])]
            names = ["repository" if name == "repo" else name for name in open_labels]
            return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))
    return None


CHECKS: tuple[Callable[[dict[str, Any], int], Iterator[Finding]], ...] = (
    check_launch_templates, check_web_identity_trust, check_node_roles, check_clusters, check_workload_policies,
    check_ci_trust)


def check_document(document: dict[str, Any], max_hop_limit: int = DEFAULT_MAX_HOP_LIMIT) -> list[Finding]:
    """Every finding in one stack's Terraform JSON."""
    return [finding for check in CHECKS for finding in check(document, max_hop_limit)]
