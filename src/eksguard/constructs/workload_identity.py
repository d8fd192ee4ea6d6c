"""One construct for a workload's AWS identity, by IRSA, Pod Identity or both:
``WorkloadIdentity``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import construct_path
from eksguard.constructs.irsa_role import IrsaRole, IrsaRoleProps, ServiceAccount
from eksguard.constructs.oidc_provider import ClusterOidcProvider
from eksguard.constructs.pod_identity import PodIdentityRole, PodIdentityRoleProps

MODES = ("irsa", "pod_identity", "both")
ALLOWED_OIDC = "an oidc_provider when mode is 'irsa' or 'both'"
ALLOWED_CLUSTER = "a cluster_name when mode is 'pod_identity' or 'both'"


@documented
@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityProps:
    """Props of ``WorkloadIdentity``.

    Example::

        WorkloadIdentityProps(service_account=ServiceAccount(namespace="shop", name="cart"),
                              mode="pod_identity", cluster_name=cluster.cluster_name)
    """

    service_account: ServiceAccount
    """The workload's Kubernetes service account."""

    mode: str = "irsa"
    """"irsa", "pod_identity", or "both" while migrating from one to the other.
    Default: "irsa"."""

    oidc_provider: ClusterOidcProvider | None = None
    """The cluster's OIDC provider. Default: None — required for "irsa" and "both"."""

    cluster_name: str | None = None
    """The cluster, for Pod Identity associations. Default: None — required for
    "pod_identity" and "both"."""

    managed_policy_arns: Sequence[str] = ()
    """Managed policies for the role(s). Default: () — none."""

    inline_policies: Mapping[str, Mapping[str, Any] | str] = field(default_factory=dict)
    """Inline policies for the role(s). Default: none."""

    install_agent: bool = True
    """Install the ``eks-pod-identity-agent`` add-on with the Pod Identity role (see
    ``PodIdentityRoleOptions.install_agent``). Default: True."""

    image_pull_secrets: Sequence[str] = ()
    """Secret names listed as ``imagePullSecrets`` in the manifest. Default: () — none."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role(s). Default: none."""


class WorkloadIdentity(EksguardConstruct):
    """The role(s) a workload assumes, and its ServiceAccount manifest.

    Example::

        identity = WorkloadIdentity(stack, "cart", props=WorkloadIdentityProps(
            service_account=ServiceAccount(namespace="shop", name="cart"),
            mode="both", oidc_provider=oidc, cluster_name=cluster.cluster_name))
        identity.service_account_manifest()

    Properties: ``irsa_role``, ``pod_identity_role`` (each None when the mode leaves it
    out), ``role_arns``.
    """

    def __init__(self, scope: Construct, id: str, *, props: WorkloadIdentityProps) -> None:
        super().__init__(scope, id)
        self.props = props
        path = construct_path(self)
        v.require_props(path, props, WorkloadIdentityProps)
        v.require_one_of(path, "mode", props.mode, MODES)
        if props.mode in ("irsa", "both") and props.oidc_provider is None:
            v.fail(path, "oidc_provider", None, ALLOWED_OIDC)
        if props.mode in ("pod_identity", "both") and props.cluster_name is None:
            v.fail(path, "cluster_name", None, ALLOWED_CLUSTER)
        if props.cluster_name is not None:
            v.require_cluster_name(path, "cluster_name", props.cluster_name)
        for secret in props.image_pull_secrets:
            v.require_dns1123_subdomain(path, "image_pull_secrets", secret)
        v.require_managed_policy_arns(path, "managed_policy_arns", props.managed_policy_arns)
        v.require_inline_policies(path, "inline_policies", props.inline_policies)
        common: dict[str, Any] = {"managed_policy_arns": props.managed_policy_arns,
                                  "inline_policies": props.inline_policies, "tags": props.tags}
        self._irsa_role = IrsaRole(self, "irsa", props=IrsaRoleProps(
            oidc_provider=props.oidc_provider, service_accounts=[props.service_account], **common),
        ) if props.mode in ("irsa", "both") else None
        self._pod_identity_role = PodIdentityRole(self, "pod-identity", props=PodIdentityRoleProps(
            cluster_name=props.cluster_name, service_accounts=[props.service_account],
            install_agent=props.install_agent, **common),
        ) if props.mode in ("pod_identity", "both") else None

    @property
    def irsa_role(self) -> IrsaRole | None:
        """The IRSA role, for modes "irsa" and "both"; else None."""
        return self._irsa_role

    @property
    def pod_identity_role(self) -> PodIdentityRole | None:
        """The Pod Identity role, for modes "pod_identity" and "both"; else None."""
        return self._pod_identity_role

    @property
    def role_arns(self) -> list[str]:
        """The ARNs of the workload's roles: IRSA first, then Pod Identity."""
        return [r.role_arn for r in (self.irsa_role, self.pod_identity_role) if r is not None]

    def service_account_manifest(self) -> dict[str, Any]:
        """The ServiceAccount: annotated for IRSA when IRSA is used (Pod Identity needs no
        annotation), with ``imagePullSecrets`` when given."""
        if self.irsa_role is not None:
            manifest = self.irsa_role.service_account_manifests()[0]
        else:
            sa = self.props.service_account
            manifest = {"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": sa.name, "namespace": sa.namespace}}
        if self.props.image_pull_secrets:
            manifest["imagePullSecrets"] = [{"name": s} for s in self.props.image_pull_secrets]
        return manifest
