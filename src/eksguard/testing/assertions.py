"""Assertions on snapshots, failing with a readable diff of expected against actual."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eksguard.testing.snapshots import (
    AccessEntrySnapshot,
    AddonSnapshot,
    ClusterSnapshot,
    LaunchTemplateSnapshot,
    NodeGroupSnapshot,
    OidcProviderSnapshot,
    PodIdentityAssociationSnapshot,
    RoleSnapshot,
)

STS_AUDIENCE = "sts.amazonaws.com"
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ["sts:AssumeRole", "sts:TagSession"]


def _pretty(value: Any) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, default=sorted).splitlines()


def expect_equal(what: str, actual: Any, expected: Any) -> None:
    """Fail with a unified diff (``-expected +actual``) when the two differ."""
    if actual == expected:
        return
    diff = "\n".join(difflib.unified_diff(_pretty(expected), _pretty(actual), "expected", "actual",
                                          lineterm=""))
    raise AssertionError(f"{what} differs:\n{diff}")


def expect_same_set(what: str, actual: Iterable[str], expected: Iterable[str]) -> None:
    actual_set, expected_set = set(actual), set(expected)
    if actual_set == expected_set:
        return
    lines = [f"{what} differs:"]
    lines += [f"  missing:    {item}" for item in sorted(expected_set - actual_set)]
    lines += [f"  unexpected: {item}" for item in sorted(actual_set - expected_set)]
    raise AssertionError("\n".join(lines))


def assert_role_trusts_service(role: RoleSnapshot, service: str,
                               actions: Sequence[str] = ("sts:AssumeRole",)) -> None:
    """The whole trust policy is one statement letting ``service`` assume the role."""
    action: str | list[str] = actions[0] if len(actions) == 1 else list(actions)
    expect_equal(f"trust policy of role {role.name}", role.trust_policy, {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": action}],
    })


def assert_role_trusts_oidc(role: RoleSnapshot, *, provider_arn: str, subjects: Sequence[str],
                            audience: str = STS_AUDIENCE) -> None:
    """The whole trust policy is one federated statement with exact ``StringEquals`` on
    ``<issuer>:sub`` (the given service-account subjects) and ``<issuer>:aud``."""
    issuer_host = provider_arn.split(":oidc-provider/", 1)[1]
    sub: str | list[str] = subjects[0] if len(subjects) == 1 else list(subjects)
    expect_equal(f"trust policy of role {role.name}", role.trust_policy, {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{issuer_host}:aud": audience,
                                           f"{issuer_host}:sub": sub}},
        }],
    })


def assert_role_trusts_pod_identity(role: RoleSnapshot, *, cluster_arn: str | None = None,
                                    service_accounts: Sequence[tuple[str, str]] = ()) -> None:
    """The whole trust policy is EKS Pod Identity's: ``pods.eks.amazonaws.com`` may
    ``sts:AssumeRole`` and ``sts:TagSession``. With ``service_accounts`` ((namespace, name)
    pairs) and ``cluster_arn``, one statement per service account pinned to the session tags
    EKS sets (``aws:RequestTag/eks-cluster-arn``, ``/kubernetes-namespace``,
    ``/kubernetes-service-account``), as eksguard's ``PodIdentityRole`` writes it; without,
    the one unconditioned statement of the EKS User Guide's example."""
    if bool(service_accounts) != (cluster_arn is not None):
        raise ValueError("give cluster_arn and service_accounts together, or neither")
    if not service_accounts:
        statements = [{"Effect": "Allow", "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                       "Action": POD_IDENTITY_ACTIONS}]
    else:
        statements = [{"Effect": "Allow", "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                       "Action": POD_IDENTITY_ACTIONS, "Condition": {"StringEquals": {
                           "aws:RequestTag/eks-cluster-arn": cluster_arn,
                           "aws:RequestTag/kubernetes-namespace": namespace,
                           "aws:RequestTag/kubernetes-service-account": name}}}
                      for namespace, name in service_accounts]
    expect_equal(f"trust policy of role {role.name}", role.trust_policy,
                 {"Version": "2012-10-17", "Statement": statements})


def assert_access_entry(entry: AccessEntrySnapshot, *, type: str = "STANDARD",  # noqa: A002 - AWS's name
                        kubernetes_groups: Iterable[str] = (), username: str | None = None,
                        policies: Mapping[str, Sequence[str] | None] | None = None) -> None:
    """The whole access entry: its type, Kubernetes groups, username (when given: EKS
    derives one otherwise) and, when given, its associated access policies as
    ``{policy ARN: None (cluster scope) or [namespaces]}``."""
    actual: dict[str, Any] = {"type": entry.type, "kubernetes_groups": sorted(entry.kubernetes_groups)}
    expected: dict[str, Any] = {"type": type, "kubernetes_groups": sorted(kubernetes_groups)}
    if username is not None:
        actual["username"], expected["username"] = entry.username, username
    if policies is not None:
        actual["policies"] = {arn: (None if scope == "cluster" else sorted(namespaces))
                              for arn, scope, namespaces in entry.policies}
        expected["policies"] = {arn: (None if namespaces is None else sorted(namespaces))
                                for arn, namespaces in policies.items()}
    expect_equal(f"access entry {entry.principal_arn}", actual, expected)


def assert_pod_identity_associations(associations: Iterable[PodIdentityAssociationSnapshot],
                                     expected: Mapping[tuple[str, str], str]) -> None:
    """Every Pod Identity association of the cluster: ``{(namespace, service account):
    role ARN}``, no more and no fewer."""
    actual = {f"{a.namespace}/{a.service_account}": a.role_arn for a in associations}
    expect_equal("pod identity associations", dict(sorted(actual.items())),
                 dict(sorted((f"{ns}/{sa}", arn) for (ns, sa), arn in expected.items())))


def assert_addon(addon: AddonSnapshot, *, version: str, service_account_role_arn: str | None = None,
                 configuration: Mapping[str, Any] | None = None, status: str = "ACTIVE") -> None:
    """The whole add-on: version, status, IRSA role (None: none) and configuration values
    (compared as JSON documents; None: none)."""
    def parsed(values: str | None) -> Any:
        return json.loads(values) if values else None

    expect_equal(f"add-on {addon.name}", {
        "version": addon.version, "status": addon.status, "service_account_role_arn": addon.service_account_role_arn,
        "configuration": parsed(addon.configuration_values)}, {
        "version": version, "status": status, "service_account_role_arn": service_account_role_arn,
        "configuration": dict(configuration) if configuration is not None else None})


def assert_attached_policies(role: RoleSnapshot, expected_arns: Iterable[str]) -> None:
    expect_same_set(f"managed policies of role {role.name}", role.attached_policy_arns, expected_arns)


def assert_inline_policies(role: RoleSnapshot, expected: Mapping[str, Mapping[str, Any]]) -> None:
    expect_equal(f"inline policies of role {role.name}", role.inline_policies, dict(expected))


def assert_oidc_provider(provider: OidcProviderSnapshot, *, issuer_url: str,
                         client_ids: Sequence[str] = (STS_AUDIENCE,)) -> None:
    expect_equal(f"OIDC provider {provider.arn}",
                 {"url": provider.url, "client_ids": sorted(provider.client_ids)},
                 {"url": issuer_url.removeprefix("https://"), "client_ids": sorted(client_ids)})


def assert_cluster(cluster: ClusterSnapshot, *, version: str, role_arn: str, subnet_ids: Iterable[str],
                   enabled_log_types: Iterable[str] = ("api", "audit", "authenticator"),
                   endpoint_private_access: bool = True, endpoint_public_access: bool = False,
                   secrets_encrypted: bool = True) -> None:
    expect_equal(f"EKS cluster {cluster.name}", {
        "version": cluster.version,
        "role_arn": cluster.role_arn,
        "subnet_ids": sorted(cluster.subnet_ids),
        "enabled_log_types": sorted(cluster.enabled_log_types),
        "endpoint_private_access": cluster.endpoint_private_access,
        "endpoint_public_access": cluster.endpoint_public_access,
        "secrets_encrypted": cluster.secrets_key_arn is not None,
    }, {
        "version": version,
        "role_arn": role_arn,
        "subnet_ids": sorted(subnet_ids),
        "enabled_log_types": sorted(enabled_log_types),
        "endpoint_private_access": endpoint_private_access,
        "endpoint_public_access": endpoint_public_access,
        "secrets_encrypted": secrets_encrypted,
    })


def assert_node_group(group: NodeGroupSnapshot, *, role_arn: str, scaling: tuple[int, int, int],
                      subnet_ids: Iterable[str], labels: Mapping[str, str] | None = None,
                      taints: Iterable[tuple[str, str, str]] = (), launch_template_id: str | None = None,
                      capacity_type: str = "ON_DEMAND") -> None:
    """``scaling`` is (min, desired, max); taints are (key, value, effect)."""
    expect_equal(f"node group {group.name}", {
        "role_arn": group.role_arn,
        "scaling": [group.min_size, group.desired_size, group.max_size],
        "subnet_ids": sorted(group.subnet_ids),
        "labels": group.labels,
        "taints": sorted(group.taints),
        "launch_template_id": group.launch_template_id,
        "capacity_type": group.capacity_type,
    }, {
        "role_arn": role_arn,
        "scaling": list(scaling),
        "subnet_ids": sorted(subnet_ids),
        "labels": dict(labels or {}),
        "taints": sorted(taints),
        "launch_template_id": launch_template_id,
        "capacity_type": capacity_type,
    })


def assert_launch_template_requires_imdsv2(template: LaunchTemplateSnapshot, *, hop_limit: int = 1) -> None:
    expect_equal(f"metadata options of launch template {template.id}", {
        "http_tokens": template.http_tokens,
        "http_endpoint": template.http_endpoint,
        "http_put_response_hop_limit": template.http_put_response_hop_limit,
        "root_volume_encrypted": bool(template.root_volume.get("Ebs", {}).get("Encrypted")),
    }, {
        "http_tokens": "required",
        "http_endpoint": "enabled",
        "http_put_response_hop_limit": hop_limit,
        "root_volume_encrypted": True,
    })
