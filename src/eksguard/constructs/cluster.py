"""The EKS control plane: ``EksCluster`` and its props."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import aws, construct_path
from eksguard.guardrails import allow_reason, waive_by_prop
from eksguard.constructs.auto_mode import (
    CLUSTER_POLICIES as AUTO_MODE_CLUSTER_POLICIES,
    AutoModeNodeRole,
    AutoModeNodeRoleProps,
    AutoModeOptions,
    validate_auto_mode,
)
from eksguard.constructs._private import (
    attach_policies,
    logs_key_policy,
    managed_policy_arn,
    policy_document,
    put_inline_policies,
    name_prefix_from_id,
    service_trust_policy,
)

DEFAULT_KUBERNETES_VERSION = "1.35"
"""A version in EKS standard support in 2026; older ones cost extended-support fees."""

DEFAULT_LOG_TYPES = ("api", "audit", "authenticator")
"""Who called the API server, what they did, and how they authenticated: what an incident needs."""

DEFAULT_LOG_RETENTION_DAYS = 365
"""A year of audit history, what most compliance baselines (and checkov) ask for."""

DEFAULT_AUTHENTICATION_MODE = "API"
"""Access entries only: no aws-auth ConfigMap that anyone with cluster write access can edit."""

DEFAULT_SUPPORT_TYPE = "STANDARD"
"""When standard support for the version ends, EKS upgrades the cluster instead of moving it
to extended support, which bills the control plane six times as much ($0.60 instead of
$0.10 per cluster-hour; EKS pricing). AWS's own default is EXTENDED."""

SUPPORT_TYPES = ("STANDARD", "EXTENDED")

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
AUTHENTICATION_MODES = ("API", "API_AND_CONFIG_MAP", "CONFIG_MAP")
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)
CLUSTER_NAME = v.CLUSTER_NAME
KUBERNETES_VERSION = re.compile(r"^1\.[1-9][0-9]$")
INTERNET = "0.0.0.0/0"

ALLOWED_CLUSTER_NAME = v.ALLOWED_CLUSTER_NAME
ALLOWED_KUBERNETES_VERSION = "a Kubernetes minor version such as '1.35'"
ALLOWED_SUBNETS = "at least two subnet ids, in at least two availability zones"
ALLOWED_INTERNET_ENDPOINT = (
    "CIDRs narrower than 0.0.0.0/0; opening the API endpoint to the internet takes the reason, "
    'allow_public_endpoint_from_internet="<why, at least 10 characters>", which is also the '
    "waiver of guardrail EKSG008 that the synth summary lists"
)
ALLOWED_NO_ENDPOINT = "at least one endpoint: the private one, or public_access_cidrs"
KMS_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")


@documented
@dataclass(frozen=True, kw_only=True)
class EksClusterProps:
    """Props of ``EksCluster``.

    Example::

        EksClusterProps(name="prod", subnet_ids=[subnet_a.id, subnet_b.id])
    """

    name: str
    """The EKS cluster name."""

    subnet_ids: Sequence[str]
    """Subnets for the control-plane network interfaces, in at least two AZs."""

    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    """Kubernetes minor version. Default: ``DEFAULT_KUBERNETES_VERSION`` ("1.35")."""

    role_arn: str | None = None
    """An existing cluster role; it must allow the KMS actions on the secrets key.
    Default: a role trusting ``eks.amazonaws.com`` with ``AmazonEKSClusterPolicy`` and
    an inline policy for the secrets key is created."""

    endpoint_private_access: bool = True
    """Serve the API endpoint inside the VPC. Default: True."""

    public_access_cidrs: Sequence[str] = ()
    """CIDRs allowed to reach a public API endpoint; empty keeps the public endpoint off.
    Default: () — no public endpoint."""

    allow_public_endpoint_from_internet: bool | str = False
    """The reason to allow ``0.0.0.0/0`` in ``public_access_cidrs`` (at least 10
    characters, e.g. "CI runners without VPN; reviewed by SecOps 2026-11"); it is also the
    waiver of guardrail EKSG008 for this cluster, listed in the synth summary. ``True`` is
    deprecated (a waiver with no reason). Default: False — the endpoint is never open to
    the internet."""

    security_group_ids: Sequence[str] = ()
    """Extra security groups for the control-plane interfaces. Default: () — only the
    cluster security group EKS creates."""

    kms_key_arn: str | None = None
    """KMS key for Kubernetes secrets envelope encryption. Default: a key with rotation
    on is created."""

    enabled_log_types: Sequence[str] = DEFAULT_LOG_TYPES
    """Control-plane log types sent to CloudWatch. Default: ("api", "audit",
    "authenticator")."""

    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Retention of the control-plane log group, which this construct creates before the
    cluster so EKS does not create an unmanaged one. Default: 365."""

    log_kms_key_arn: str | None = None
    """KMS key encrypting the control-plane log group; its policy must let CloudWatch Logs
    use it. Default: None — the secrets key when this construct creates it (its policy
    allows exactly this log group), else CloudWatch's own encryption."""

    authentication_mode: str = DEFAULT_AUTHENTICATION_MODE
    """How IAM principals are mapped to Kubernetes. Default: "API" (access entries)."""

    bootstrap_cluster_creator_admin_permissions: bool = False
    """Give whoever runs Terraform cluster-admin. Default: False — grant access with
    access entries instead."""

    bootstrap_self_managed_addons: bool = False
    """Let EKS install vpc-cni, kube-proxy and coredns as unmanaged workloads that it never
    upgrades. Changing it later replaces the cluster. Default: False — install them as
    managed add-ons (``SecureEksCluster`` does; with ``EksCluster`` alone, add them)."""

    support_type: str = DEFAULT_SUPPORT_TYPE
    """The upgrade policy: "STANDARD" or "EXTENDED" support once the version's standard
    support ends. Default: "STANDARD" — upgraded by EKS rather than billed for extended
    support (``DEFAULT_SUPPORT_TYPE``)."""

    auto_mode: AutoModeOptions | None = None
    """EKS Auto Mode (``AutoModeOptions``): EKS runs the nodes and their networking,
    storage and load balancing; the created cluster role gains the four Auto Mode policies,
    and a node role is created for the built-in node pools. Needs access entries
    (``authentication_mode`` "API" or "API_AND_CONFIG_MAP"), Kubernetes 1.29+ and
    ``bootstrap_self_managed_addons`` False. Default: None — no Auto Mode: add managed node
    groups or Karpenter."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every resource this construct creates. Default: no tags."""


class EksCluster(EksguardConstruct):
    """An EKS cluster with a private endpoint, encrypted secrets, audit logs and the
    Cluster Access API.

    Example::

        cluster = EksCluster(stack, "cluster", props=EksClusterProps(
            name="prod", subnet_ids=[subnet_a.id, subnet_b.id]))
        cluster.oidc_issuer_url  # token for the OIDC provider

    Properties: ``cluster_name``, ``cluster_arn``, ``cluster_endpoint``,
    ``certificate_authority_data``, ``oidc_issuer_url``, ``cluster_security_group_id``,
    ``role_arn``, ``kms_key_arn``, ``log_group_name``, ``auto_mode_enabled``,
    ``auto_mode_node_role_arn``. Its resources: ``cluster`` (``aws_eks_cluster``),
    ``log_group``, ``role`` and ``kms_key`` (None when the props give an ARN), and
    ``auto_mode_node_role`` (an ``AutoModeNodeRole``, or None).
    """

    def __init__(self, scope: Construct, id: str, *, props: EksClusterProps) -> None:
        super().__init__(scope, id)
        self.props = props
        _validate(construct_path(self), props)
        # The one decision that opens the endpoint also accepts guardrail EKSG008 for it.
        waive_by_prop(self, rule="EKSG008", props="EksClusterProps", field="allow_public_endpoint_from_internet",
                      value=props.allow_public_endpoint_from_internet)

        depends_on: list[Any] = []
        if props.kms_key_arn is None:
            self.kms_key = aws.kms_key.KmsKey(
                self, "secrets-key",
                description=f"EKS secrets envelope encryption for cluster {props.name}",
                enable_key_rotation=True,
                policy=logs_key_policy(self, f"/aws/eks/{props.name}/cluster"),
                tags=dict(props.tags),
            )
            self._kms_key_arn: str = self.kms_key.arn
        else:
            self.kms_key = None
            self._kms_key_arn = props.kms_key_arn

        if props.role_arn is None:
            self.role = aws.iam_role.IamRole(
                self, "role",
                name_prefix=name_prefix_from_id(self),
                assume_role_policy=service_trust_policy(
                    "eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession")),
                tags=dict(props.tags),
            )
            self._role_arn: str = self.role.arn
            cluster_policies = ["AmazonEKSClusterPolicy"]
            if props.auto_mode is not None:
                cluster_policies += AUTO_MODE_CLUSTER_POLICIES
            depends_on += attach_policies(
                self, self.role, [managed_policy_arn(self, name) for name in cluster_policies])
            depends_on += put_inline_policies(self, self.role, {
                "secrets-encryption": policy_document([{
                    "Effect": "Allow", "Action": list(KMS_ACTIONS), "Resource": self.kms_key_arn,
                }]),
            })
        else:
            self.role = None
            self._role_arn = props.role_arn

        auto_mode = self._auto_mode(props, depends_on)

        log_key = props.log_kms_key_arn or (self.kms_key.arn if self.kms_key else None)
        self.log_group = aws.cloudwatch_log_group.CloudwatchLogGroup(
            self, "control-plane-logs",
            name=f"/aws/eks/{props.name}/cluster",
            retention_in_days=props.log_retention_days,
            kms_key_id=log_key,
            tags=dict(props.tags),
        )
        depends_on.append(self.log_group)

        public = bool(props.public_access_cidrs)
        vpc_config: dict[str, Any] = {
            "subnet_ids": list(props.subnet_ids),
            "endpoint_private_access": props.endpoint_private_access,
            "endpoint_public_access": public,
        }
        if public:
            vpc_config["public_access_cidrs"] = list(props.public_access_cidrs)
        if props.security_group_ids:
            vpc_config["security_group_ids"] = list(props.security_group_ids)

        self.cluster = aws.eks_cluster.EksCluster(
            self, "cluster",
            name=props.name,
            role_arn=self.role_arn,
            version=props.kubernetes_version,
            vpc_config=vpc_config,
            encryption_config={"provider": {"key_arn": self.kms_key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(props.enabled_log_types),
            access_config={
                "authentication_mode": props.authentication_mode,
                "bootstrap_cluster_creator_admin_permissions":
                    props.bootstrap_cluster_creator_admin_permissions,
            },
            # False: vpc-cni, kube-proxy and coredns become managed add-ons EKS upgrades
            # (terraform-aws-eks v21 hard-codes the same); ForceNew, so chosen once.
            bootstrap_self_managed_addons=props.bootstrap_self_managed_addons,
            # Explicit: AWS's default silently moves the cluster to paid extended support.
            upgrade_policy={"support_type": props.support_type},
            **auto_mode,
            tags=dict(props.tags),
            depends_on=depends_on,
        )

    def _auto_mode(self, props: EksClusterProps, depends_on: list[Any]) -> dict[str, Any]:
        """The three Auto Mode blocks, all on (or all off) together as EKS requires, and
        the built-in node pools' role, whose policies the cluster waits for."""
        self.auto_mode_node_role: AutoModeNodeRole | None = None
        self._auto_mode_node_role_arn: str | None = None
        auto = props.auto_mode
        if auto is None:
            return {}
        on = auto.enabled
        compute: dict[str, Any] = {"enabled": on}
        if on and auto.node_pools:
            if auto.node_role_arn is None:
                self.auto_mode_node_role = AutoModeNodeRole(
                    self, "auto-mode-node-role", props=AutoModeNodeRoleProps(tags=props.tags))
                depends_on += self.auto_mode_node_role.attachments
                self._auto_mode_node_role_arn = self.auto_mode_node_role.role_arn
            else:
                self._auto_mode_node_role_arn = auto.node_role_arn
            compute.update(node_pools=list(auto.node_pools), node_role_arn=self._auto_mode_node_role_arn)
        elif on:
            compute["node_pools"] = []
        binding = aws.eks_cluster
        return {
            "compute_config": binding.EksClusterComputeConfig(**compute),
            "storage_config": binding.EksClusterStorageConfig(
                block_storage=binding.EksClusterStorageConfigBlockStorage(enabled=on)),
            "kubernetes_network_config": binding.EksClusterKubernetesNetworkConfig(
                elastic_load_balancing=binding.EksClusterKubernetesNetworkConfigElasticLoadBalancing(enabled=on)),
        }

    @property
    def auto_mode_enabled(self) -> bool:
        """True when the props switch EKS Auto Mode on."""
        return self.props.auto_mode is not None and self.props.auto_mode.enabled

    @property
    def auto_mode_node_role_arn(self) -> str | None:
        """The role of the Auto Mode built-in node pools' nodes (created or given), or None."""
        return self._auto_mode_node_role_arn

    @property
    def cluster_name(self) -> str:
        """The cluster's name, as a Terraform reference (so dependents wait for the cluster)."""
        return self.cluster.name

    @property
    def cluster_arn(self) -> str:
        """The cluster's ARN, known after apply."""
        return self.cluster.arn

    @property
    def cluster_endpoint(self) -> str:
        """The Kubernetes API server URL, known after apply."""
        return self.cluster.endpoint

    @property
    def certificate_authority_data(self) -> str:
        """The base64 CA certificate of the API server, for a kubeconfig; known after apply."""
        return self.cluster.certificate_authority.get(0).data

    @property
    def cluster_security_group_id(self) -> str:
        """The security group EKS creates for the control plane and managed nodes."""
        return self.cluster.vpc_config.cluster_security_group_id

    @property
    def role_arn(self) -> str:
        """The cluster role's ARN: the one created, or ``props.role_arn``."""
        return self._role_arn

    @property
    def kms_key_arn(self) -> str:
        """The secrets-encryption key's ARN: the one created, or ``props.kms_key_arn``."""
        return self._kms_key_arn

    @property
    def log_group_name(self) -> str:
        """The control-plane log group, ``/aws/eks/<name>/cluster``."""
        return self.log_group.name

    @property
    def oidc_issuer_url(self) -> str:
        """``https://oidc.eks.<region>.amazonaws.com/id/<id>``, known after apply."""
        return self.cluster.identity.get(0).oidc.get(0).issuer


def _validate(path: str, props: EksClusterProps) -> None:
    v.require_props(path, props, EksClusterProps)
    v.require_match(path, "name", props.name, CLUSTER_NAME, ALLOWED_CLUSTER_NAME)
    v.require_match(path, "kubernetes_version", props.kubernetes_version, KUBERNETES_VERSION,
                    ALLOWED_KUBERNETES_VERSION)
    if not v.is_token(props.subnet_ids) and len(props.subnet_ids) < 2:
        v.fail(path, "subnet_ids", list(props.subnet_ids), ALLOWED_SUBNETS)
    v.require_subnet_ids(path, "subnet_ids", props.subnet_ids)
    v.require_security_group_ids(path, "security_group_ids", props.security_group_ids)
    v.require_role_arn(path, "role_arn", props.role_arn)
    v.require_kms_key_arn(path, "kms_key_arn", props.kms_key_arn)
    v.require_kms_key_arn(path, "log_kms_key_arn", props.log_kms_key_arn)
    v.require_ipv4_cidrs(path, "public_access_cidrs", props.public_access_cidrs)
    allowed = allow_reason(path, "allow_public_endpoint_from_internet", props.allow_public_endpoint_from_internet)
    if INTERNET in props.public_access_cidrs and allowed is None:
        v.fail(path, "public_access_cidrs", list(props.public_access_cidrs), ALLOWED_INTERNET_ENDPOINT)
    if not props.endpoint_private_access and not props.public_access_cidrs:
        v.fail(path, "endpoint_private_access", False, ALLOWED_NO_ENDPOINT)
    for log_type in props.enabled_log_types:
        v.require_one_of(path, "enabled_log_types", log_type, LOG_TYPES)
    v.require_one_of(path, "log_retention_days", props.log_retention_days, LOG_RETENTION_DAYS)
    v.require_one_of(path, "authentication_mode", props.authentication_mode, AUTHENTICATION_MODES)
    v.require_one_of(path, "support_type", props.support_type, SUPPORT_TYPES)
    validate_auto_mode(path, props)
