"""Everything on the AWS side that Karpenter needs: ``Karpenter`` and its props.

The controller's role (Pod Identity by default, or IRSA) with upstream's controller policies
(``karpenter_policy``), the role of the nodes Karpenter launches and their ``EC2_LINUX``
access entry, and the interruption queue with the EventBridge rules that feed it. The
Karpenter Helm chart itself, its NodePools and EC2NodeClasses are Kubernetes objects and
stay out of Terraform here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import TerraformStack, aws, construct_path, is_token
from eksguard.constructs._private import POLICY_VERSION, account_id, literal_value, managed_policy_arn
from eksguard.constructs.access_entry import AccessEntry, AccessEntryProps
from eksguard.constructs.cluster import ALLOWED_CLUSTER_NAME, CLUSTER_NAME
from eksguard.constructs.irsa_role import IrsaRole, IrsaRoleProps, ServiceAccount
from eksguard.constructs.karpenter_policy import controller_policies
from eksguard.constructs.node_role import NodeRole, NodeRoleProps
from eksguard.constructs.oidc_provider import ClusterOidcProvider
from eksguard.constructs.pod_identity import PodIdentityRole, PodIdentityRoleProps

IDENTITIES = ("pod_identity", "irsa")
SSM_POLICY = "AmazonSSMManagedInstanceCore"
QUEUE_RETENTION_SECONDS = 300
"""Upstream's retention: an interruption notice older than five minutes is past acting on."""
QUEUE_TARGET_ID = "KarpenterInterruptionQueueTarget"
INTERRUPTION_RULES = (
    # (construct id, name part, source, detail-type): upstream's four rules, in its order.
    ("scheduled-change", "scheduled", "aws.health", "AWS Health Event"),
    ("spot-interruption", "spot", "aws.ec2", "EC2 Spot Instance Interruption Warning"),
    ("rebalance", "rebalance", "aws.ec2", "EC2 Instance Rebalance Recommendation"),
    ("instance-state-change", "state", "aws.ec2", "EC2 Instance State-change Notification"),
)


def rule_name_prefix(cluster_name: str | None, part: str) -> str:
    """``karpenter-<8 hex of the cluster name>-<part>-``: each cluster's rules their own
    prefix, so a CI role's EventBridge writes name them and no other cluster's; the hash
    keeps the name within EventBridge's 64 characters with Terraform's 26-character suffix.
    ``karpenter-<part>-`` for a cluster name known only at apply."""
    if cluster_name is None:
        return f"karpenter-{part}-"
    return f"karpenter-{hashlib.sha256(cluster_name.encode()).hexdigest()[:8]}-{part}-"


POLICY_NAME_PREFIX_MAX = 102
"""IAM's longest ``name_prefix`` for a policy: 128 characters less Terraform's 26."""


POLICY_OWNER_HASH = 8
"""Hex characters of the owner's hash in a controller policy's name."""


def policy_name_prefix(policy: str, cluster_name: str | None, owner: str = "") -> str:
    """``<upstream policy name>-<cluster>-<8 hex>-``: the cluster's name cut to fit IAM's
    limit, then a hash of the stack (``owner``) and cluster, so that the pattern a CI role's
    policy names them by (``KarpenterController*Policy-<cluster>-<hash>-*``) matches no other
    cluster's (upstream's names are ``<policy>-<cluster>``: a ``prod-eu`` cluster's would
    match ``...-prod-*``; the AWS review of the CI policy). Not the trailing ``-`` is cut, so
    the five names keep one suffix the CI policy writes as one pattern. ``<policy>-`` for a
    cluster name known only at apply."""
    if cluster_name is None:
        return f"{policy}-"
    digest = hashlib.sha256(f"{owner}/{cluster_name}".encode()).hexdigest()[:POLICY_OWNER_HASH]
    return f"{policy}-{cluster_name[:POLICY_NAME_PREFIX_MAX - len(policy) - POLICY_OWNER_HASH - 3]}-{digest}-"
QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ALLOWED_QUEUE_NAME = "an SQS standard queue name: 1-80 letters, digits, '-' or '_'"
ALLOWED_DERIVED_QUEUE_NAME = (
    ALLOWED_QUEUE_NAME + "; the default is the cluster name, which is longer: give queue_name")
ALLOWED_QUEUE_NAME_WITHOUT_QUEUE = "None when interruption_queue is False (no queue is created)"
ALLOWED_OIDC = "a ClusterOidcProvider when identity is 'irsa'"
ALLOWED_ACCOUNT_ID = "a 12-digit AWS account ID such as '111122223333'"


@documented
@dataclass(frozen=True, kw_only=True)
class KarpenterProps:
    """Props of ``Karpenter``: the cluster, and how the controller gets its identity.

    Example::

        KarpenterProps(cluster_name=eks.cluster_name)  # Pod Identity, kube-system/karpenter
    """

    cluster_name: str
    """The cluster Karpenter provisions nodes for (a literal or ``cluster.cluster_name``): the
    controller policies' tag conditions and ``eks:DescribeCluster`` ARN, the Pod Identity
    association and the node access entry name it."""

    identity: str = "pod_identity"
    """How the controller gets its role: "pod_identity" (an association of the service
    account; the cluster must run the ``eks-pod-identity-agent`` add-on, which this construct
    leaves to the cluster's owner, e.g. ``SecureEksCluster``) or "irsa" (the service account is
    annotated with ``controller_role_arn``). Default: "pod_identity"."""

    oidc_provider: ClusterOidcProvider | None = None
    """The cluster's OIDC provider, which the IRSA role trusts. Default: None — required when
    identity is "irsa", unused otherwise."""

    namespace: str = "kube-system"
    """The namespace the Karpenter chart is installed in. Default: "kube-system", as
    upstream's getting-started guide."""

    service_account: str = "karpenter"
    """The controller's service account (the chart's ``serviceAccount.name``). Default:
    "karpenter", the chart's."""

    node_role: NodeRoleProps | None = None
    """The role of the nodes Karpenter launches (the EC2NodeClass's ``spec.role`` is its
    ``node_role_name``). Default: None — ``NodeRoleProps()``: AmazonEKSWorkerNodePolicy,
    AmazonEKS_CNI_Policy and AmazonEC2ContainerRegistryPullOnly, upstream's set without SSM."""

    instance_profile: bool = True
    """Create an instance profile for the node role, for the EC2NodeClass's
    ``spec.instanceProfile``: the only choice in a VPC without internet egress, because IAM
    has no VPC endpoint and ``spec.role`` makes the controller call IAM (Karpenter, "Private
    Clusters"). Default: True."""

    attach_ssm_policy: bool = False
    """Attach AmazonSSMManagedInstanceCore to the node role, as upstream does, for Session
    Manager shells on the nodes. Off by default: a shell through SSM reaches the node as root
    outside Kubernetes RBAC and audit logs, and every pod that reaches the node's credentials
    may call SSM's agent APIs. Default: False."""

    interruption_queue: bool = True
    """Create the interruption queue and its EventBridge rules (spot interruptions, rebalance
    recommendations, scheduled changes, instance state changes), so Karpenter drains nodes
    before AWS takes them. Set the chart's ``settings.interruptionQueue`` to ``queue_name``.
    Default: True."""

    queue_name: str | None = None
    """The interruption queue's name. Default: None — the cluster name, as upstream."""

    vpc_owner_account_id: str | None = None
    """The account that owns the VPC when its subnets are shared with this one (VPC
    sharing): the controller may then launch into that account's subnets and security
    groups too. Default: None — this account's only."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every resource that takes them. Default: none."""


class Karpenter(EksguardConstruct):
    """The controller role with upstream's scoped policies, the node role and its access
    entry, and the interruption queue with its EventBridge rules.

    The Pod Identity role comes with its association but not with the
    ``eks-pod-identity-agent`` add-on: the cluster's owner installs that once
    (``SecureEksCluster`` does; else ``PodIdentityRole``'s ``install_agent``).

    Example::

        karpenter = Karpenter(stack, "karpenter", props=KarpenterProps(cluster_name=eks.cluster_name))
        # Helm: settings.clusterName, settings.interruptionQueue=karpenter.queue_name;
        # EC2NodeClass: spec.instanceProfile=karpenter.instance_profile_name (private VPC:
        # IAM has no endpoint; also settings.isolatedVPC=true), or spec.role=karpenter.node_role_name

    Properties: ``controller_role_arn``, ``controller_role_name``, ``node_role_arn``,
    ``node_role_name``, ``instance_profile_name``, ``queue_name``, ``queue_arn``, ``queue_url`` (the last three None
    without an interruption queue), ``controller_policy_arns``. Its constructs: ``controller``
    (``PodIdentityRole`` or ``IrsaRole``), ``node_role`` (``NodeRole``), ``node_access_entry``
    (``AccessEntry``); its resources: ``policies`` (name -> ``aws_iam_policy``), ``queue``,
    ``queue_policy``, ``rules`` and ``targets`` (by construct id; empty without a queue).
    """

    def __init__(self, scope: Construct, id: str, *, props: KarpenterProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        _validate(path, props)
        # The cluster's literal name where the stack gives one: in the queue's, the rules'
        # and the policies' names, so a CI role's writes can name this cluster's only.
        self._cluster_name = literal_value(self, props.cluster_name)
        if props.interruption_queue and props.queue_name is None and self._cluster_name is not None:
            # cluster.cluster_name resolves to the cluster's literal name: a queue named by
            # it must still be a queue name (EKS allows 100 characters, SQS 80).
            v.require_match(path, "queue_name", self._cluster_name, QUEUE_NAME, ALLOWED_DERIVED_QUEUE_NAME)
        tags = dict(props.tags)

        node_props = props.node_role or NodeRoleProps()
        if props.attach_ssm_policy:
            node_props = dataclasses.replace(node_props, managed_policy_arns=[
                *node_props.managed_policy_arns, managed_policy_arn(self, SSM_POLICY)])
        node_props = dataclasses.replace(node_props, tags={**tags, **node_props.tags},
                                         instance_profile=node_props.instance_profile or props.instance_profile)
        self.node_role = NodeRole(self, "node-role", props=node_props)
        self.node_access_entry = AccessEntry(self, "node-access-entry", props=AccessEntryProps(
            cluster_name=props.cluster_name, principal_arn=self.node_role.role_arn, type="EC2_LINUX"))

        self.queue: Any = None
        self.queue_policy: Any = None
        self.rules: dict[str, Any] = {}
        self.targets: dict[str, Any] = {}
        if props.interruption_queue:
            self._interruption_queue(props.queue_name or self._cluster_name or props.cluster_name, tags)

        documents = controller_policies(
            self, cluster_name=props.cluster_name, node_role_arn=self.node_role.role_arn,
            queue_arn=self.queue.arn if self.queue is not None else None,
            vpc_owner_account_id=props.vpc_owner_account_id)
        # Managed policies, as upstream: one inline document could pass IAM's 10,240-character
        # limit for a role's inline policies once a long cluster name is in every condition.
        self.policies = {
            name: aws.iam_policy.IamPolicy(
                self, name, name_prefix=policy_name_prefix(name, self._cluster_name, TerraformStack.of(self).node.id),
                policy=json.dumps(document, separators=(",", ":")),
                description=f"Karpenter controller: {name}", tags=tags)
            for name, document in documents.items()}
        arns = [policy.arn for policy in self.policies.values()]
        sa = ServiceAccount(namespace=props.namespace, name=props.service_account)
        if props.identity == "irsa":
            self.controller: PodIdentityRole | IrsaRole = IrsaRole(self, "controller", props=IrsaRoleProps(
                oidc_provider=props.oidc_provider, service_accounts=[sa], managed_policy_arns=arns, tags=tags))
        else:
            self.controller = PodIdentityRole(self, "controller", props=PodIdentityRoleProps(
                cluster_name=props.cluster_name, service_accounts=[sa], managed_policy_arns=arns,
                install_agent=False, tags=tags))

    def _interruption_queue(self, name: str, tags: dict[str, str]) -> None:
        # SSE-SQS rather than a KMS customer managed key: EventBridge can deliver to a queue
        # under a CMK only if the key policy lets events.amazonaws.com use the key
        # (kms:Decrypt, kms:GenerateDataKey), a policy this construct does not own; with
        # SQS-managed keys the messages (instance IDs and event times) are still encrypted.
        self.queue = aws.sqs_queue.SqsQueue(
            self, "interruption-queue", name=name, message_retention_seconds=QUEUE_RETENTION_SECONDS,
            sqs_managed_sse_enabled=True, tags=tags)
        for rule_id, part, source, detail_type in INTERRUPTION_RULES:
            rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
                self, f"{rule_id}-rule", name_prefix=rule_name_prefix(self._cluster_name, part),
                event_pattern=json.dumps({"source": [source], "detail-type": [detail_type]},
                                         separators=(",", ":")),
                tags=tags)
            self.rules[rule_id] = rule
            self.targets[rule_id] = aws.cloudwatch_event_target.CloudwatchEventTarget(
                self, f"{rule_id}-target", rule=rule.name, target_id=QUEUE_TARGET_ID, arn=self.queue.arn)
        self.queue_policy = aws.sqs_queue_policy.SqsQueuePolicy(
            self, "interruption-queue-policy", queue_url=self.queue.url,
            policy=interruption_queue_policy(self, self.queue.arn, [r.arn for r in self.rules.values()]))

    @property
    def controller_role_arn(self) -> str:
        """The controller role's ARN, known after apply: for IRSA, the chart's
        ``serviceAccount.annotations."eks.amazonaws.com/role-arn"``."""
        return self.controller.role_arn

    @property
    def controller_role_name(self) -> str:
        """The controller role's name, as a Terraform reference."""
        return self.controller.role_name

    @property
    def controller_policy_arns(self) -> list[str]:
        """The ARNs of the controller's managed policies, in upstream's order."""
        return [policy.arn for policy in self.policies.values()]

    @property
    def node_role_arn(self) -> str:
        """The node role's ARN, known after apply."""
        return self.node_role.role_arn

    @property
    def node_role_name(self) -> str:
        """The node role's name: the EC2NodeClass's ``spec.role``."""
        return self.node_role.role_name

    @property
    def instance_profile_name(self) -> str | None:
        """The node role's instance profile: the EC2NodeClass's ``spec.instanceProfile``;
        None without one."""
        profile = self.node_role.instance_profile
        return profile.name if profile is not None else None

    @property
    def queue_name(self) -> str | None:
        """The interruption queue's name, the chart's ``settings.interruptionQueue``; None
        without a queue."""
        return self.queue.name if self.queue is not None else None

    @property
    def queue_arn(self) -> str | None:
        """The interruption queue's ARN, known after apply; None without a queue."""
        return self.queue.arn if self.queue is not None else None

    @property
    def queue_url(self) -> str | None:
        """The interruption queue's URL, known after apply; None without a queue."""
        return self.queue.url if self.queue is not None else None


def interruption_queue_policy(scope: Construct, queue_arn: str, rule_arns: list[str]) -> str:
    """Upstream's queue policy (``EC2InterruptionPolicy``), narrowed: EventBridge may send
    messages only for the four rules of this construct (``aws:SourceArn``, AWS's guard
    against a confused deputy: no other rule, of this account or another, can fill the
    queue), and nobody may reach the queue without TLS (upstream's ``DenyHTTP``). Upstream's
    statement admits ``sqs.amazonaws.com`` as well: no SQS feature the queue uses sends to
    it as that principal (no dead-letter redrive, no SNS), so it is left out."""
    this_account = {"StringEquals": {"aws:SourceAccount": account_id(scope)}}
    return json.dumps({"Version": POLICY_VERSION, "Id": "EC2InterruptionPolicy", "Statement": [
        {"Sid": "EventBridgeRulesOfThisQueue", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": queue_arn,
         "Condition": {**this_account, "ArnEquals": {"aws:SourceArn": rule_arns}}},
        {"Sid": "DenyHTTP", "Effect": "Deny", "Action": "sqs:*", "Resource": queue_arn,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Principal": "*"},
    ]}, separators=(",", ":"))


def _validate(path: str, props: KarpenterProps) -> None:
    v.require_props(path, props, KarpenterProps)
    v.require_cluster_name(path, "cluster_name", props.cluster_name)
    v.require_one_of(path, "identity", props.identity, IDENTITIES)
    if props.identity == "irsa" and props.oidc_provider is None:
        v.fail(path, "oidc_provider", None, ALLOWED_OIDC)
    v.require_dns1123_label(path, "namespace", props.namespace)
    v.require_dns1123_subdomain(path, "service_account", props.service_account)
    if props.queue_name is not None:
        if not props.interruption_queue:
            v.fail(path, "queue_name", props.queue_name, ALLOWED_QUEUE_NAME_WITHOUT_QUEUE)
        v.require_match(path, "queue_name", props.queue_name, QUEUE_NAME, ALLOWED_QUEUE_NAME)
    elif props.interruption_queue and not is_token(props.cluster_name) and not QUEUE_NAME.match(props.cluster_name):
        v.fail(path, "queue_name", props.cluster_name, ALLOWED_DERIVED_QUEUE_NAME)
    if props.vpc_owner_account_id is not None:
        v.require_match(path, "vpc_owner_account_id", props.vpc_owner_account_id, ACCOUNT_ID, ALLOWED_ACCOUNT_ID)

