"""Helpers shared by the construct families: IAM documents, attachments, the partition."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from constructs import Construct

import jsii

from eksguard._framework import (
    Aspects,
    IAspect,
    IStringProducer,
    Lazy,
    TerraformDataSource,
    TerraformProvider,
    TerraformResource,
    TerraformStack,
    aws,
    construct_path,
    is_token,
    resolve_reference,
)

from eksguard.ci_permissions.ec2_tags import STACK_TAG_KEY, TAGGED_EC2_TYPES

POLICY_VERSION = "2012-10-17"
_PARTITION_ID = "eksguard-partition"


def _stack_data(scope: Construct, id: str, factory: Any) -> Any:
    """One data source per stack, made on first use."""
    stack = TerraformStack.of(scope)
    existing = stack.node.try_find_child(id)
    return existing if existing is not None else factory(stack, id)


def partition(scope: Construct) -> str:
    """``${data.aws_partition...partition}``, so the managed-policy ARNs are right in aws,
    aws-cn and aws-us-gov."""
    return _stack_data(scope, _PARTITION_ID, aws.data_aws_partition.DataAwsPartition).partition


def account_id(scope: Construct) -> str:
    return _stack_data(scope, "eksguard-account", aws.data_aws_caller_identity.DataAwsCallerIdentity).account_id


def region_name(scope: Construct) -> str:
    # ``name``: the attribute AWS provider 5.x and 6.x (where it is deprecated) both have.
    return _stack_data(scope, "eksguard-region", aws.data_aws_region.DataAwsRegion).name


def managed_policy_arn(scope: Construct, policy_name: str) -> str:
    """The ARN of the AWS managed policy ``policy_name`` in the stack's partition."""
    return f"arn:{partition(scope)}:iam::aws:policy/{policy_name}"


def policy_document(statements: Sequence[Mapping[str, Any]]) -> str:
    """An IAM policy document as compact JSON; Terraform references inside it resolve."""
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, separators=(",", ":"))


def service_trust_policy(service: str, actions: Sequence[str] = ("sts:AssumeRole",)) -> str:
    """A trust policy that lets one AWS service principal assume the role."""
    action: str | list[str] = actions[0] if len(actions) == 1 else list(actions)
    return policy_document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": action}]
    )


def _policy_id(arn: str, index: int) -> str:
    """``policy-<policy name>`` when the name is literal (even if the partition is not)."""
    name = arn.rsplit("/", 1)[-1]
    if is_token(name):
        return f"policy-{index}"
    return "policy-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def attach_policies(scope: Construct, role: Any, policy_arns: Sequence[str]) -> list[Any]:
    """One ``aws_iam_role_policy_attachment`` per ARN, in order."""
    return [
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            scope, _policy_id(arn, index), role=role.name, policy_arn=arn
        )
        for index, arn in enumerate(policy_arns)
    ]


def put_inline_policies(
    scope: Construct, role: Any, policies: Mapping[str, Mapping[str, Any] | str]
) -> list[Any]:
    """One ``aws_iam_role_policy`` per (name, document as dict or JSON), in name order."""
    return [
        aws.iam_role_policy.IamRolePolicy(
            scope, f"inline-{name}", name=name, role=role.id,
            policy=document if isinstance(document, str) else json.dumps(document, separators=(",", ":")),
        )
        for name, document in sorted(policies.items())
    ]


def name_prefix_from_id(scope: Construct) -> str:
    """A Terraform ``name_prefix`` (at most 38 characters, IAM's limit) from the construct
    path below the stack, keeping its most specific end."""
    below_stack = scope.node.path.split("/")[1:]
    cleaned = re.sub(r"[^A-Za-z0-9+=,.@_-]", "-", "-".join(below_stack))
    return cleaned[-37:].lstrip("-") + "-"


def create_role(scope: Construct, *, role_name: str | None, trust_policy: str,
                managed_policy_arns: Sequence[str] = (),
                inline_policies: Mapping[str, Mapping[str, Any] | str] | None = None,
                permissions_boundary_arn: str | None = None, tags: Mapping[str, str] | None = None,
                **role_args: Any) -> tuple[Any, list[Any]]:
    """The ``role`` child of ``scope`` with its managed and inline policies: (role, policy
    resources). Named ``role_name``, or a unique name Terraform derives from the path."""
    naming = {"name": role_name} if role_name else {"name_prefix": name_prefix_from_id(scope)}
    role = aws.iam_role.IamRole(scope, "role", **naming, assume_role_policy=trust_policy,
                                permissions_boundary=permissions_boundary_arn, tags=dict(tags or {}),
                                **role_args)
    policies = attach_policies(scope, role, managed_policy_arns)
    policies += put_inline_policies(scope, role, inline_policies or {})
    return role, policies


def logs_key_policy(scope: Construct, log_group_name: str) -> str:
    """A KMS key policy: the account administers the key (the default key policy, made
    explicit), and CloudWatch Logs may use it for one log group only. The statement is the
    CloudWatch Logs User Guide's ("Encrypt log data in CloudWatch Logs using AWS KMS") less
    its ``kms:Describe*``: DescribeKey carries no encryption context, so under this
    condition it never matched. Writers of the group (the flow-logs role, EKS) need no KMS
    permission: CloudWatch Logs uses the key as its own service principal."""
    arn, account, region = partition(scope), account_id(scope), region_name(scope)
    return policy_document([
        {"Sid": "AccountAdministersKey", "Effect": "Allow",
         "Principal": {"AWS": f"arn:{arn}:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchLogsEncryptsOneLogGroup", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
         "Resource": "*",
         "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                                     f"arn:{arn}:logs:{region}:{account}:log-group:{log_group_name}"}}},
    ])


class StackTypes:
    """The Terraform types a stack holds and the service principals its roles trust, read
    when the stack is synthesized (so resources added after the reader count too)."""

    def __init__(self, stack: Construct) -> None:
        self.resource_types: set[str] = set()
        self.data_types: set[str] = set()
        self.service_principals: set[str] = set()
        self.cluster_names: set[str] | None = set()
        """The EKS clusters' names; None when one is known only at apply."""
        self.log_group_names: set[str] | None = set()
        """The log groups' names; None when one is known only at apply."""
        self.iam_names: dict[str, set[str]] = {}
        """The IAM ARNs' resource parts the stack writes, by kind (``role``, ``policy``,
        ``instance-profile``, ``oidc-provider``): a name, a ``name_prefix`` followed by ``*``,
        ``terraform-*`` for a name Terraform generates; ``*`` for one known only at apply."""
        self.attached_policy_arns: set[str] | None = set()
        """The policies the stack attaches to roles: literal ARNs (the partition may be a
        reference), ``policy/<name pattern>`` for the stack's own policies (``{account}`` is
        filled in by ``deploy_policy_document``); None when one is known only at apply."""
        self.named: dict[str, set[str] | None] = {"aws_sqs_queue": set(), "aws_cloudwatch_event_rule": set()}
        """The SQS queues' and EventBridge rules' names (a ``name_prefix`` followed by
        ``*``), by type; None for a type with a name known only at apply."""
        self.key_arns: set[str] = set()
        """The stack's KMS keys' ARNs (references, known after apply)."""
        self.vpc_arns: set[str] = set()
        """The stack's VPCs' ARNs (references, known after apply)."""
        self.access_entry_principals: set[str] | None = set()
        """The principals of the stack's EKS access entries: literal ARNs, or
        ``role/<name pattern>`` for the stack's own roles (``{account}`` filled in by
        ``deploy_policy_document``); None when one is known only at apply."""
        self.access_policy_principals: dict[str, set[str]] | None = {}
        """Per access policy ARN the stack associates, the principals it associates it to
        (as ``access_entry_principals``); None when one is known only at apply."""
        self.cluster_key_arns: set[str] | None = set()
        """The KMS keys the stack's clusters encrypt secrets with (the stack's own, by
        reference, or literal ARNs); None when one is known only at apply."""
        self.event_rules: dict[str, set[str]] | None = {"source": set(), "detail-type": set(), "target": set()}
        """What the stack's EventBridge rules match (``source``, ``detail-type``) and deliver to
        (``target`` ARNs); None when one of them is known only at apply."""
        self.private_endpoints = True
        """Every EKS cluster of the stack keeps its API endpoint private (literally)."""
        self.endpoint_services: set[str] | None = set()
        """The service names of the stack's VPC endpoints; None when one is known only at apply."""
        self.key_tag_keys: set[str] | None = {STACK_TAG_KEY}
        """The tag keys the stack's KMS keys are created with (theirs, the AWS providers'
        ``default_tags`` and ``eksguard:stack``); None when one is known only at apply."""
        entries: dict[str, Any] = {}
        associations: list[tuple[Any, Any]] = []
        self.ci_role_arns: set[str] = set()
        """The ARNs (references) of the stack's CI roles (``is_ci_role``)."""
        self.role_boundaries: set[str] = set()
        """The permissions boundaries the stack's roles other than its CI roles carry
        (``bound_stack_roles`` gives them one at synth)."""
        self.passed_roles: dict[str, set[str]] = {}
        """Per role the stack's resources hand to a service (as ``passed_role_names``), the
        services it is handed to (``iam:PassedToService``)."""
        self.passed_role_names: set[str] = set()
        """The roles the stack's resources hand to a service (``iam:PassRole``): the cluster's
        and its Auto Mode nodes', node groups', add-ons', Pod Identity associations', flow
        logs' and instance profiles' roles, as ``iam_names["role"]`` names them."""
        role_names: dict[str, str] = {}
        policy_names: dict[str, str] = {}
        attached: list[Any] = []
        passed_ids: dict[str, set[str]] = {}
        for node in stack.node.find_all():
            if isinstance(node, TerraformResource):
                rtype = node.terraform_resource_type
                self.resource_types.add(rtype)
                kind = IAM_NAMED_TYPES.get(rtype)
                if kind is not None:
                    self.iam_names.setdefault(kind, set()).add(_iam_resource_name(node, kind))
                if rtype == "aws_iam_role":
                    role_names[node.friendly_unique_id] = _iam_resource_name(node, "role")
                elif rtype == "aws_iam_policy":
                    policy_names[node.friendly_unique_id] = _iam_resource_name(node, "policy")
                elif rtype == "aws_iam_role_policy_attachment":
                    attached.append(resolve_reference(stack, node.policy_arn_input))
                if rtype in PASSES_ROLES:
                    for role_id in ROLE_REFERENCE.findall(json.dumps(resolve_reference(stack, node.to_terraform()))):
                        passed_ids.setdefault(role_id, set()).update(PASSES_ROLES[rtype])
                elif rtype == "aws_eks_access_entry" and str(node.type_input or "").startswith("EC2"):
                    # An EC2 access entry's role is passed to EC2 (Service Authorization
                    # Reference, Amazon EKS: CreateAccessEntry, iam:PassedToService).
                    for role_id in ROLE_REFERENCE.findall(str(resolve_reference(stack, node.principal_arn_input))):
                        passed_ids.setdefault(role_id, set()).add("ec2.amazonaws.com")
                if rtype in ROLE_USERS and not _names_a_stack_role(stack, node.role_input):
                    self.iam_names.setdefault("role", set()).add("*")  # a role from elsewhere
                if rtype == "aws_kms_key":
                    self.key_arns.add(f"${{aws_kms_key.{node.friendly_unique_id}.arn}}")
                    self.key_tag_keys = _tag_keys(self.key_tag_keys, node.tags_input)
                elif rtype == "aws_vpc":
                    self.vpc_arns.add(f"${{aws_vpc.{node.friendly_unique_id}.arn}}")
                elif rtype == "aws_cloudwatch_event_rule" and self.event_rules is not None:
                    self.event_rules = _event_pattern(self.event_rules, node.event_pattern_input)
                elif rtype == "aws_cloudwatch_event_target" and self.event_rules is not None:
                    target = resolve_reference(stack, node.arn_input) if isinstance(node.arn_input, str) else None
                    own = isinstance(target, str) and re.fullmatch(r"\$\{aws_[a-z0-9_]+\.[^.}]+\.arn\}", target)
                    if own or _literal_arn(target):
                        self.event_rules["target"].add(target)
                    else:
                        self.event_rules = None
                elif rtype == "aws_vpc_endpoint" and self.endpoint_services is not None:
                    service = node.service_name_input
                    service = resolve_reference(stack, service) if isinstance(service, str) else None
                    # literal but for the region or partition data sources' references
                    literal = isinstance(service, str) and all(
                        r.startswith(("data.aws_region.", "data.aws_partition."))
                        for r in re.findall(r"\$\{([^}]+)\}", service))
                    self.endpoint_services = self.endpoint_services | {service} if literal else None
                elif rtype == "aws_eks_access_entry":
                    entries[node.friendly_unique_id] = resolve_reference(stack, node.principal_arn_input)
                if rtype == "aws_eks_cluster":
                    # EKS makes access entries of its own at CreateCluster and UpdateClusterConfig
                    # (eks:CreateAccessEntry is a dependent action of both: Service Authorization
                    # Reference, Amazon EKS): Auto Mode's node role's, and the creator's when asked.
                    resolved = resolve_reference(stack, node.to_terraform())
                    body = json.dumps(resolved)
                    for number, role in enumerate(AUTO_MODE_NODE_ROLE.findall(body)):
                        entries[f"{node.friendly_unique_id}/auto-mode-{number}"] = role
                        # its access entry is of type EC2: the role is passed to EC2 too
                        for role_id in ROLE_REFERENCE.findall(role):
                            passed_ids.setdefault(role_id, set()).add("ec2.amazonaws.com")
                    if CREATOR_ADMIN.search(body):
                        entries[f"{node.friendly_unique_id}/creator"] = None  # whoever applies
                    clusters = resolved.get("resource", {}).get("aws_eks_cluster", {}) if isinstance(resolved, dict) else {}
                    configs = [c for cluster in clusters.values() for c in _blocks(cluster.get("vpc_config"))]
                    if not configs or any(c.get("endpoint_public_access") is not False
                                          or c.get("endpoint_private_access") is not True for c in configs):
                        self.private_endpoints = False
                    for key in ENCRYPTION_KEY.findall(body):
                        if self.cluster_key_arns is not None:
                            own = key.startswith("${aws_kms_key.") and key.endswith(".arn}")
                            self.cluster_key_arns = self.cluster_key_arns | {key} if own or _literal_arn(key) else None
                elif rtype == "aws_eks_access_policy_association":
                    associations.append((resolve_reference(stack, node.principal_arn_input),
                                         resolve_reference(stack, node.policy_arn_input)))
                if rtype in self.named and self.named[rtype] is not None:
                    self.named[rtype] = _add_name(self.named[rtype], node)
                if rtype == "aws_iam_role":
                    if _is_ci_role(stack, node):
                        self.ci_role_arns.add(f"${{aws_iam_role.{node.friendly_unique_id}.arn}}")
                    self.service_principals.update(_trusted_services(node.assume_role_policy_input))
                    boundary = node.permissions_boundary_input
                    if isinstance(boundary, str) and boundary and not _is_ci_role(stack, node):
                        self.role_boundaries.add(resolve_reference(stack, boundary))
                elif rtype in ("aws_eks_cluster", "aws_cloudwatch_log_group"):
                    names = self.cluster_names if rtype == "aws_eks_cluster" else self.log_group_names
                    name = node.name_input
                    if names is not None and isinstance(name, str) and name and not is_token(name):
                        names.add(name)
                    else:  # a name known only at apply: the service's writes stay account-wide
                        if rtype == "aws_eks_cluster":
                            self.cluster_names = None
                        else:
                            self.log_group_names = None
            elif isinstance(node, TerraformDataSource):
                self.data_types.add(node.terraform_resource_type)
            elif isinstance(node, TerraformProvider) and node.terraform_resource_type == "aws":
                for block in node.to_terraform().get("provider", {}).get("aws", []):
                    for default in block.get("default_tags") or []:
                        self.key_tag_keys = _tag_keys(self.key_tag_keys, default.get("tags"))
        # A passed role of elsewhere (a variable, a data source) is not the stack's to name.
        self.passed_role_names = {role_names.get(i, "*") for i in passed_ids}
        self.passed_roles = {}
        for role_id, services in passed_ids.items():
            self.passed_roles.setdefault(role_names.get(role_id, "*"), set()).update(services)
        self.attached_policy_arns = _attached_policy_arns(attached, policy_names)
        self.access_entry_principals, self.access_policy_principals = _access_principals(
            entries, associations, role_names)


IAM_NAMED_TYPES = {"aws_iam_role": "role", "aws_iam_policy": "policy",
                   "aws_iam_instance_profile": "instance-profile",
                   "aws_iam_openid_connect_provider": "oidc-provider"}
STACK_TAGGED_TYPES = frozenset({*IAM_NAMED_TYPES, *TAGGED_EC2_TYPES, "aws_default_security_group", "aws_kms_key"})
"""What carries the ``eksguard:stack`` tag in a stack with a derived deploy role (the VPC's
default security group, which AWS makes untagged, gets it when the stack adopts it: the
deploy role may tag that group, by its id and ``ec2:Vpc``)."""
TERRAFORM_GENERATED_NAME = "terraform-*"
"""A name neither given nor prefixed: the provider's ``id.UniqueId()``, "terraform-" and a
timestamp (hashicorp/terraform-plugin-sdk helper/id)."""
PASSES_ROLES: dict[str, tuple[str, ...]] = {
    "aws_eks_cluster": ("eks.amazonaws.com",),  # the cluster role, Auto Mode's node role
    # the node role: to EKS, and to EC2, since EKS checks the caller's launch of the node
    # group's template (ec2_tags.launch_from_stack_templates), whose instances get the node
    # role's instance profile; no more than the stack's own template versions give
    "aws_eks_node_group": ("ec2.amazonaws.com", "eks.amazonaws.com"),
    # an add-on's role, and its Pod Identity associations' (EKS makes them for the add-on)
    "aws_eks_addon": ("eks.amazonaws.com", "pods.eks.amazonaws.com"),
    "aws_eks_pod_identity_association": ("pods.eks.amazonaws.com",),
    "aws_flow_log": ("vpc-flow-logs.amazonaws.com",),
    "aws_iam_instance_profile": ("ec2.amazonaws.com",),
}
"""Types whose create hands a role to a service (their ``RESOURCE_PERMISSIONS`` rows pass
roles), and the service (``iam:PassedToService``: Service Authorization Reference, Amazon
EKS, CreateCluster, CreateNodegroup, CreateAddon, CreatePodIdentityAssociation; VPC User
Guide, flow logs' IAM role; IAM, AddRoleToInstanceProfile)."""
ROLE_REFERENCE = re.compile(r"\$\{aws_iam_role\.([^.}]+)\.(?:arn|name|id)\}")
ROLE_USERS = ("aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_instance_profile")
"""Types that write to a role named by their ``role`` argument."""


def _add_name(names: set[str] | None, node: Any) -> set[str] | None:
    """``names`` with the resource's name (or ``name_prefix*``); None when it has neither
    as a literal."""
    name, prefix = node.name_input, getattr(node, "name_prefix_input", None)
    for value, suffix in ((name, ""), (prefix, "*")):
        if isinstance(value, str) and value and not is_token(value):
            return {*(names or ()), value + suffix}
    return None


def _iam_resource_name(node: Any, kind: str) -> str:
    """The ARN resource part, after ``<kind>/``, of one IAM resource of the stack."""
    def literal(value: Any) -> str | None:
        return value if isinstance(value, str) and value and not is_token(value) else None

    if kind == "oidc-provider":
        url = node.url_input
        if literal(url):
            return url.split("://", 1)[-1].rstrip("/")
        # An issuer known only at apply (an EKS cluster's): the provider's own ARN, so the
        # policy names this provider and no other cluster's in the region.
        return f"${{{node.terraform_resource_type}.{node.friendly_unique_id}.arn}}"
    path = getattr(node, "path_input", None)
    if path is not None and not literal(path):
        return "*"
    prefix = (path or "/").lstrip("/")
    name, name_prefix = node.name_input, node.name_prefix_input
    if name is not None:
        return f"{prefix}{name}" if literal(name) else "*"
    if name_prefix is not None:
        return f"{prefix}{name_prefix}*" if literal(name_prefix) else "*"
    return f"{prefix}{TERRAFORM_GENERATED_NAME}"


ENCRYPTION_KEY = re.compile(r'"key_arn":\s*"([^"]+)"')
AUTO_MODE_NODE_ROLE = re.compile(r'"node_role_arn":\s*"([^"]+)"')
CREATOR_ADMIN = re.compile(r'"bootstrap_cluster_creator_admin_permissions":\s*(?!\s|false)')
ROLE_ARN_REFERENCE = re.compile(r"^\$\{aws_iam_role\.([^.}]+)\.arn\}$")
ENTRY_PRINCIPAL_REFERENCE = re.compile(r"^\$\{aws_eks_access_entry\.([^.}]+)\.principal_arn\}$")


def _event_pattern(found: dict[str, set[str]], pattern: Any) -> dict[str, set[str]] | None:
    """``found`` with a rule's literal ``source`` and ``detail-type`` (None: known only at apply)."""
    try:
        parsed = json.loads(pattern) if isinstance(pattern, str) and not is_token(pattern) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(
            isinstance(parsed.get(k), list) and all(isinstance(v, str) for v in parsed[k])
            for k in ("source", "detail-type")):
        return None
    return {**found, "source": found["source"] | set(parsed["source"]),
            "detail-type": found["detail-type"] | set(parsed["detail-type"])}


def _blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as Terraform JSON holds it: one mapping or a list of them."""
    if isinstance(value, Mapping):
        return [dict(value)]
    return [dict(v) for v in value] if isinstance(value, list) else []


def _tag_keys(keys: set[str] | None, tags: Any) -> set[str] | None:
    """``keys`` with the literal keys of ``tags`` (None: a map, or a key, known only at apply)."""
    if keys is None or tags is None:
        return keys
    if not isinstance(tags, Mapping) or is_token(tags) or any(is_token(k) for k in tags):
        return None
    return keys | set(tags)


def _literal_arn(value: Any) -> bool:
    """An ARN whose only reference, if any, is its partition."""
    return isinstance(value, str) and value.startswith("arn:") and "${" not in value.split(":", 2)[2]


def _access_principals(entries: dict[str, Any], associations: list[tuple[Any, Any]], role_names: dict[str, str]
                       ) -> tuple[set[str] | None, dict[str, set[str]] | None]:
    """``StackTypes.access_entry_principals`` and ``access_policy_principals``."""
    def principal(value: Any) -> str | None:
        own = ROLE_ARN_REFERENCE.match(value) if isinstance(value, str) else None
        if own:
            name = role_names.get(own.group(1), "*")
            return None if name == "*" else f"role/{name}"
        return value if _literal_arn(value) else None

    principals = {principal(v) for v in entries.values()}
    by_policy: dict[str, set[str]] | None = {}
    for who, policy in associations:
        entry = ENTRY_PRINCIPAL_REFERENCE.match(who) if isinstance(who, str) else None
        resolved = principal(entries.get(entry.group(1)) if entry else who)
        if resolved is None or not _literal_arn(policy) or by_policy is None:
            by_policy = None
            continue
        by_policy.setdefault(policy, set()).add(resolved)
    return (None if None in principals else principals), by_policy  # type: ignore[return-value]


POLICY_REFERENCE = re.compile(r"^\$\{aws_iam_policy\.([^.}]+)\.(?:arn|id)\}$")


def _attached_policy_arns(attached: list[Any], policy_names: dict[str, str]) -> set[str] | None:
    arns: set[str] = set()
    for value in attached:
        own = POLICY_REFERENCE.match(value) if isinstance(value, str) else None
        if own and own.group(1) in policy_names:
            arns.add("policy/" + policy_names[own.group(1)])
        elif isinstance(value, str) and value.startswith("arn:") and "${" not in value.split(":", 2)[2]:
            arns.add(value)  # an ARN whose only reference is its partition
        else:
            return None
    return arns


def _names_a_stack_role(stack: Construct, role: Any) -> bool:
    """Whether a ``role`` argument refers to a role resource of the stack (a reference
    such as ``${aws_iam_role.x.name}``), rather than a name or a data source's role."""
    if not isinstance(role, str) or not is_token(role):
        return False
    resolved = resolve_reference(stack, role)
    return isinstance(resolved, str) and re.fullmatch(r"\$\{aws_iam_role\.[^.}]+\.(name|id)\}", resolved) is not None


def _trusted_services(trust: Any) -> list[str]:
    if not isinstance(trust, str) or trust.lstrip().startswith("${") or "Statement" not in trust:
        return []
    try:
        document = json.loads(trust)
    except ValueError:
        return []
    found = []
    for statement in document.get("Statement") or []:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        services = principal.get("Service") if isinstance(principal, dict) else None
        for service in services if isinstance(services, list) else [services]:
            if isinstance(service, str) and not is_token(service):
                found.append(service)
    return found


@jsii.implements(IStringProducer)
class _Producer:
    def __init__(self, produce: Any) -> None:
        self._produce = produce

    def produce(self, context: Any) -> str:
        return str(self._produce())


def stack_policy(scope: Construct, make: Any) -> str:
    """A policy document made at synth from ``StackTypes`` of ``scope``'s stack:
    ``make(types) -> dict``, compact JSON."""
    stack = TerraformStack.of(scope)
    return Lazy.string_value(_Producer(lambda: json.dumps(make(StackTypes(stack)), separators=(",", ":"))))


STACK_TAG_MAX = 256
"""IAM's longest tag value (IAM User Guide, "Tagging IAM resources")."""


def stack_tag_value(stack: Construct, region: str, cluster_names: Any) -> str:
    """The stack's identity in its account: its region, its id and its EKS clusters' names
    (unique in an account and region: EKS refuses a second cluster of a name), joined by
    ``/`` and spaces, the separators IAM tag values allow. Long cluster lists are hashed."""
    clusters = " ".join(sorted(cluster_names or ()))
    value = "/".join(part for part in (region, stack.node.id, clusters) if part)
    if len(value) - len(region) + len("ap-southeast-7") > STACK_TAG_MAX:
        digest = hashlib.sha256(clusters.encode()).hexdigest()[:16]
        value = "/".join((region, stack.node.id[:200], digest))
    return value


def _cluster_names(stack: Construct) -> set[str] | None:
    """The literal names of the stack's EKS clusters, as ``StackTypes.cluster_names``."""
    names: set[str] = set()
    for node in stack.node.find_all():
        if isinstance(node, TerraformResource) and node.terraform_resource_type == "aws_eks_cluster":
            name = node.name_input
            if not isinstance(name, str) or not name or is_token(name):
                return None
            names.add(name)
    return names


@jsii.implements(IAspect)
class _TagStackIAM:
    """Adds the ``eksguard:stack`` tag to every IAM, EC2 and KMS resource of a stack at
    synth (the tree is complete then, so the value names every cluster): the deploy role's
    IAM, EC2 and KMS writes are scoped by it (``STACK_TAGGED_TYPES``)."""

    def __init__(self, stack: Construct, region: str) -> None:
        self.stack, self.region, self.value = stack, region, ""

    def visit(self, node: Any) -> None:
        if isinstance(node, TerraformResource) and node.terraform_resource_type in STACK_TAGGED_TYPES:
            self.value = self.value or stack_tag_value(self.stack, self.region, _cluster_names(self.stack))
            tags = node.tags_input
            if tags is None or isinstance(tags, Mapping):
                node.add_override(f"tags.{STACK_TAG_KEY}", self.value)


def tag_stack_iam(scope: Construct) -> None:
    """Tag the IAM resources of ``scope``'s stack with its ``eksguard:stack`` identity at
    synth (once per stack)."""
    stack = TerraformStack.of(scope)
    if not getattr(stack, "_eksguard_tags_iam", False):
        stack._eksguard_tags_iam = True
        Aspects.of(stack).add(_TagStackIAM(stack, region_name(scope)))


def is_ci_role(role: Any) -> None:
    """Mark ``role`` as a CI role of its stack: ``bound_stack_roles`` leaves it unbounded."""
    stack = TerraformStack.of(role)
    if not hasattr(stack, "_eksguard_ci_roles"):
        stack._eksguard_ci_roles = set()
    stack._eksguard_ci_roles.add(role.node.path)


def _is_ci_role(stack: Construct, node: Any) -> bool:
    return node.node.path in getattr(stack, "_eksguard_ci_roles", ())


@jsii.implements(IAspect)
class _BoundStackRoles:
    """Gives every role of a stack that has no permissions boundary, other than its CI
    roles, the stack's roles boundary at synth (the tree is complete then)."""

    def __init__(self, stack: Construct, boundary_arn: str) -> None:
        self.stack, self.boundary_arn = stack, boundary_arn

    def visit(self, node: Any) -> None:
        if (isinstance(node, TerraformResource) and node.terraform_resource_type == "aws_iam_role"
                and not _is_ci_role(self.stack, node) and node.permissions_boundary_input is None):
            node.permissions_boundary = self.boundary_arn


def bound_stack_roles(scope: Construct, boundary_arn: str, allowed_one: str) -> None:
    """Bound the roles of ``scope``'s stack by ``boundary_arn`` at synth (once per stack);
    a second, different boundary for one stack is refused at ``scope``."""
    stack = TerraformStack.of(scope)
    given = getattr(stack, "_eksguard_roles_boundary", None)
    if given is None:
        stack._eksguard_roles_boundary = boundary_arn
        Aspects.of(stack).add(_BoundStackRoles(stack, boundary_arn))
    elif given != boundary_arn:
        from eksguard import _validation as v
        v.fail(construct_path(scope), "stack_roles_boundary_arn", boundary_arn, allowed_one)


RESOURCE_ATTRIBUTE = re.compile(r"^\$\{(aws_[a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$")


def literal_value(scope: Construct, value: Any) -> str | None:
    """``value`` as a literal: itself when it is one, or, for a reference to an argument of
    a resource of the stack that was given literally (``eks.cluster_name`` is the
    cluster's ``name``), that argument; None when it is known only at apply."""
    if isinstance(value, str) and value and not is_token(value):
        return value
    if not isinstance(value, str):
        return None
    stack = TerraformStack.of(scope)
    match = RESOURCE_ATTRIBUTE.match(str(resolve_reference(stack, value)))
    if match is None:
        return None
    rtype, rid, attribute = match.groups()
    for node in stack.node.find_all():
        if (isinstance(node, TerraformResource) and node.terraform_resource_type == rtype
                and node.friendly_unique_id == rid):
            given = getattr(node, f"{attribute}_input", None)
            return given if isinstance(given, str) and given and not is_token(given) else None
    return None
