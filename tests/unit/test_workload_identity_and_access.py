"""Issue 4 constructs: Pod Identity, access entries, add-on permissions, ECR, pull secrets,
WorkloadIdentity, and their wiring in SecureEksCluster."""

from __future__ import annotations

import json

import pytest

from eksguard import (
    AccessEntry,
    AccessEntryProps,
    AccessPolicy,
    AccessPolicyGrant,
    AddonIdentityOptions,
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EksClusterProps,
    ManagedNodeGroupOptions,
    PodIdentityRole,
    PodIdentityRoleOptions,
    PodIdentityRoleProps,
    RegistryPullSecret,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    ValidationError,
    WorkloadIdentity,
    WorkloadIdentityProps,
    cert_manager,
    cluster_autoscaler,
    ecr_pull_policy,
    external_dns,
    vpc_cni,
)
from eksguard.constructs import access_entry as access_module
from eksguard.constructs import addon_permissions as addon_module
from eksguard.constructs import ecr as ecr_module

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
CART = ServiceAccount(namespace="shop", name="cart")
ZONE = "arn:aws:route53:::hostedzone/Z123EXAMPLE"


def _pod_role(stack, id="cart", **props):
    return PodIdentityRole(stack, id, props=PodIdentityRoleProps(
        **{"cluster_name": "prod", "service_accounts": [CART], **props}))


def _failure(build, stack):
    with pytest.raises(ValidationError) as caught:
        build(stack)
    return caught.value


def test_pod_identity_role_trust_association_and_one_agent_per_cluster(synth_one):
    out = synth_one(lambda s: (_pod_role(s, managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
                               _pod_role(s, "orders", service_accounts=[ServiceAccount(namespace="shop", name="orders")])))
    # The trust takes only sessions EKS tags with this cluster and this service account.
    cluster_arn = ("arn:${data.aws_partition.eksguard-partition.partition}:eks:${data.aws_region.eksguard-region.name}"
                   ":${data.aws_caller_identity.eksguard-account.account_id}:cluster/prod")
    assert json.loads(out.resource("test/cart/role")["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                       "Action": ["sts:AssumeRole", "sts:TagSession"],
                       "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-arn": cluster_arn,
                                                      "aws:RequestTag/kubernetes-namespace": "shop",
                                                      "aws:RequestTag/kubernetes-service-account": "cart"}}}]}
    assert out.resource("test/cart/association-shop-cart") == {
        "cluster_name": "prod", "namespace": "shop", "service_account": "cart",
        "role_arn": "${" + out.address("test/cart/role") + ".arn}", "tags": {},
        "depends_on": [out.address("test/cart/policy-ReadOnlyAccess")]}
    assert out.of_type("aws_eks_addon") == {
        "test/cart/eks-pod-identity-agent": {"cluster_name": "prod", "addon_name": "eks-pod-identity-agent"}}


def test_pod_identity_without_agent(synth_one):
    out = synth_one(lambda s: _pod_role(s, install_agent=False))
    assert "aws_eks_addon" not in out.document["resource"]


@pytest.mark.parametrize(("props", "field", "value"), [
    ({"service_accounts": []}, "service_accounts", []),
    ({"service_accounts": [ServiceAccount(namespace="Shop", name="cart")]}, "service_accounts.namespace", "Shop"),
    ({"service_accounts": [ServiceAccount(namespace="shop", name="*")]}, "service_accounts.name", "*"),
    ({"managed_policy_arns": ["ReadOnlyAccess"]}, "managed_policy_arns", "ReadOnlyAccess"),
    ({"role_name": "a b"}, "role_name", "a b"),
])
def test_bad_pod_identity_props(stack, props, field, value):
    error = _failure(lambda s: _pod_role(s, **props), stack)
    assert (error.path, error.field, error.value) == ("test/cart", field, value)


def _entry(stack, **props):
    return AccessEntry(stack, "admins", props=AccessEntryProps(**{
        "cluster_name": "prod", "principal_arn": "arn:aws:iam::111122223333:role/admins", **props}))


def test_access_entry_with_cluster_and_namespace_grants(synth_one):
    out = synth_one(lambda s: _entry(s, grants=[
        AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN),
        AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace", namespaces=["shop", "orders"])],
        kubernetes_groups=["platform"]))
    entry = "${" + out.address("test/admins/entry") + ".principal_arn}"
    assert out.resource("test/admins/entry") == {
        "cluster_name": "prod", "principal_arn": "arn:aws:iam::111122223333:role/admins",
        "type": "STANDARD", "kubernetes_groups": ["platform"]}
    assert out.resource("test/admins/policy-AmazonEKSClusterAdminPolicy-0") == {
        "cluster_name": "prod", "principal_arn": entry,
        "policy_arn": f"arn:{PARTITION}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        "access_scope": {"type": "cluster"}}
    assert out.resource("test/admins/policy-AmazonEKSViewPolicy-1")["access_scope"] == {
        "type": "namespace", "namespaces": ["shop", "orders"]}


def test_ec2_linux_entry_for_self_managed_nodes(synth_one):
    out = synth_one(lambda s: _entry(s, type="EC2_LINUX"))
    assert out.resource("test/admins/entry")["type"] == "EC2_LINUX"
    assert "aws_eks_access_policy_association" not in out.document["resource"]


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"principal_arn": "admins"}, "principal_arn", "admins", access_module.ALLOWED_PRINCIPAL),
    ({"principal_arn": "arn:aws:iam::111122223333:group/admins"}, "principal_arn",
     "arn:aws:iam::111122223333:group/admins", access_module.ALLOWED_PRINCIPAL),
    ({"type": "ADMIN"}, "type", "ADMIN", "one of 'STANDARD'"),
    ({"type": "EC2_LINUX", "grants": [AccessPolicyGrant(policy=AccessPolicy.VIEW)]}, "grants",
     [AccessPolicy.VIEW], access_module.ALLOWED_NODE_ENTRY_POLICIES),
    ({"grants": [AccessPolicyGrant(policy="AmazonEKSRootPolicy")]}, "grants.policy",
     "AmazonEKSRootPolicy", "an AccessPolicy member"),
    ({"grants": [AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace")]}, "grants.namespaces",
     [], access_module.ALLOWED_NAMESPACES),
    ({"grants": [AccessPolicyGrant(policy=AccessPolicy.VIEW, namespaces=["shop"])]}, "grants.namespaces",
     ["shop"], access_module.ALLOWED_NAMESPACES),
    ({"grants": [AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="account")]}, "grants.scope",
     "account", "one of 'cluster', 'namespace'"),
    ({"grants": [AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace", namespaces=["Shop"])]},
     "grants.namespaces", "Shop", "a DNS-1123 label"),
])
def test_bad_access_entry_props(stack, props, field, value, allowed):
    error = _failure(lambda s: _entry(s, **props), stack)
    assert (error.path, error.field, error.value) == ("test/admins", field, value)
    assert allowed in error.allowed


def test_cluster_autoscaler_may_scale_only_groups_tagged_for_its_cluster():
    permissions = cluster_autoscaler(cluster_name="prod")
    assert permissions.service_account == ServiceAccount(namespace="kube-system", name="cluster-autoscaler")
    [scale, describe, _] = permissions.inline_policies["cluster-autoscaler"]["Statement"]
    assert scale == {
        "Effect": "Allow",
        "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned"}}}
    assert all(action.split(":")[1].startswith(("Describe", "Get")) for action in describe["Action"])


def test_external_dns_and_cert_manager_change_records_only_in_their_zones():
    [change, _] = external_dns(hosted_zone_arns=[ZONE]).inline_policies["external-dns"]["Statement"]
    assert change == {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": [ZONE]}
    statements = cert_manager(hosted_zone_arns=[ZONE]).inline_policies["cert-manager"]["Statement"]
    assert statements[1] == {"Effect": "Allow", "Resource": [ZONE],
                             "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"]}
    opted_in = external_dns(hosted_zone_arns=[addon_module.ALL_HOSTED_ZONES], allow_all_hosted_zones=True)
    assert opted_in.inline_policies["external-dns"]["Statement"][0]["Resource"] == [addon_module.ALL_HOSTED_ZONES]


@pytest.mark.parametrize("builder", [external_dns, cert_manager])
@pytest.mark.parametrize("zones", [[], [addon_module.ALL_HOSTED_ZONES], ["Z123EXAMPLE"]])
def test_dns_addons_reject_missing_unscoped_or_malformed_zones(builder, zones):
    with pytest.raises(ValidationError) as caught:
        builder(hosted_zone_arns=zones)
    assert caught.value.field == "hosted_zone_arns"
    assert caught.value.allowed == addon_module.ALLOWED_HOSTED_ZONES


def test_ecr_pull_policy_is_scoped_to_repositories_in_any_region():
    repos = ["arn:aws:ecr:eu-west-1:111122223333:repository/shop/cart",
             "arn:aws:ecr:us-east-1:111122223333:repository/base"]
    assert ecr_pull_policy(repos) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer"], "Resource": repos}]}


@pytest.mark.parametrize(("repos", "value", "allowed"), [
    ([], [], "at least one item"),
    (["arn:aws:ecr:eu-west-1:111122223333:repository/*"], "arn:aws:ecr:eu-west-1:111122223333:repository/*",
     ecr_module.ALLOWED_REPOSITORY_ARN),
    (["arn:aws:s3:::bucket"], "arn:aws:s3:::bucket", ecr_module.ALLOWED_REPOSITORY_ARN),
])
def test_bad_ecr_repositories(repos, value, allowed):
    with pytest.raises(ValidationError) as caught:
        ecr_pull_policy(repos)
    assert (caught.value.field, caught.value.value, caught.value.allowed) == ("repository_arns", value, allowed)


SECRET = "arn:aws:secretsmanager:us-east-1:111122223333:secret:ghcr-AbCdEf"


def test_registry_pull_secret_reads_secrets_manager_never_a_literal(synth_one):
    holder = {}
    out = synth_one(lambda s: holder.setdefault("secret", RegistryPullSecret(
        s, "ghcr", name="ghcr", namespace="shop", secret_arn=SECRET)))
    assert out.resource("test/ghcr/docker-config") == {"secret_id": SECRET}
    manifest = holder["secret"].manifest
    assert (manifest["type"], manifest["metadata"]) == ("kubernetes.io/dockerconfigjson",
                                                        {"name": "ghcr", "namespace": "shop"})
    assert list(manifest["data"]) == [".dockerconfigjson"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": "GHCR", "namespace": "shop", "secret_arn": SECRET}, "name"),
    ({"name": "ghcr", "namespace": "Shop", "secret_arn": SECRET}, "namespace"),
    ({"name": "ghcr", "namespace": "shop", "secret_arn": "password123"}, "secret_arn"),
])
def test_bad_registry_pull_secret(stack, kwargs, field):
    error = _failure(lambda s: RegistryPullSecret(s, "ghcr", **kwargs), stack)
    assert (error.path, error.field) == ("test/ghcr", field)


def _identity(stack, **props):
    oidc = ClusterOidcProvider(stack, "oidc", props=ClusterOidcProviderProps(issuer_url="https://issuer"))
    return WorkloadIdentity(stack, "cart", props=WorkloadIdentityProps(
        **{"service_account": CART, "oidc_provider": oidc, "cluster_name": "prod", **props}))


def test_workload_identity_both_modes_for_migration_and_manifest(synth_one):
    holder = {}
    out = synth_one(lambda s: holder.setdefault("id", _identity(s, mode="both", image_pull_secrets=["ghcr"])))
    assert {p.rsplit("/", 1)[0] for p in out.of_type("aws_iam_role")} == {"test/cart/irsa", "test/cart/pod-identity"}
    manifest = holder["id"].service_account_manifest()
    assert manifest["imagePullSecrets"] == [{"name": "ghcr"}]
    assert "eks.amazonaws.com/role-arn" in manifest["metadata"]["annotations"]


def test_workload_identity_pod_identity_only_has_no_irsa_annotation(synth_one):
    holder = {}
    out = synth_one(lambda s: holder.setdefault("id", _identity(s, mode="pod_identity", oidc_provider=None)))
    assert list(out.of_type("aws_iam_role")) == ["test/cart/pod-identity/role"]
    assert holder["id"].service_account_manifest() == {
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "cart", "namespace": "shop"}}


@pytest.mark.parametrize(("props", "field", "value"), [
    ({"mode": "kiam"}, "mode", "kiam"),
    ({"mode": "irsa", "oidc_provider": None}, "oidc_provider", None),
    ({"mode": "both", "cluster_name": None}, "cluster_name", None),
    ({"image_pull_secrets": ["GHCR"]}, "image_pull_secrets", "GHCR"),
])
def test_bad_workload_identity(stack, props, field, value):
    error = _failure(lambda s: _identity(s, **props), stack)
    assert (error.path, error.field, error.value) == ("test/cart", field, value)


def test_module_orders_node_groups_after_vpc_cni_addon_and_other_addons_after_nodes(synth_one):
    out = synth_one(lambda s: SecureEksCluster(s, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]),
        addon_identities={"vpc-cni": AddonIdentityOptions(permissions=vpc_cni()),
                          "autoscaler": AddonIdentityOptions(permissions=cluster_autoscaler(cluster_name="prod"))},
        node_groups={"general": ManagedNodeGroupOptions()},
        pod_identity_roles={"cart": PodIdentityRoleOptions(service_accounts=[CART]),
                            "orders": PodIdentityRoleOptions(
                                service_accounts=[ServiceAccount(namespace="shop", name="orders")])})))
    cni_addon = out.address("test/eks/vpc-cni-addon")
    group = out.resource("test/eks/general/node-group")
    assert group["depends_on"] == [
        out.address("test/eks/general-node-role/policy-AmazonEKSWorkerNodePolicy"),
        out.address("test/eks/general-node-role/policy-AmazonEC2ContainerRegistryPullOnly"),
        cni_addon, out.address("test/eks/kube-proxy")]
    assert out.resource("test/eks/vpc-cni-addon")["service_account_role_arn"] == \
        "${" + out.address("test/eks/vpc-cni/irsa/role") + ".arn}"
    assert out.resource("test/eks/vpc-cni-addon")["depends_on"] == [
        out.address("test/eks/vpc-cni/irsa/policy-AmazonEKS_CNI_Policy")]
    agents = [p for p in out.of_type("aws_eks_addon") if "pod-identity-agent" in p]
    assert agents == ["test/eks/eks-pod-identity-agent"]  # one for two roles
    assert out.resource(agents[0])["depends_on"] == [out.address("test/eks/general/node-group")]
    assert "test/eks/autoscaler-addon" not in out.by_path  # cluster-autoscaler is no managed add-on


def test_load_balancer_controller_mutates_only_its_own_clusters_resources():
    from eksguard import aws_load_balancer_controller

    permissions = aws_load_balancer_controller(cluster_name="prod")
    assert permissions.service_account == ServiceAccount(namespace="kube-system", name="aws-load-balancer-controller")
    statements = permissions.inline_policies["aws-load-balancer-controller"]["Statement"]
    # Deleting and changing load balancers, target groups and their security groups: this cluster's only
    scoped = {"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
              "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroup",
              "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets", "ec2:DeleteSecurityGroup",
              "ec2:DeleteTags"}
    holding = [s for s in statements if scoped & set(_as_list(s["Action"]))]
    assert scoped <= {a for s in holding for a in _as_list(s["Action"])}
    own = {"aws:ResourceTag/elbv2.k8s.aws/cluster": "prod"}
    assert all(s["Condition"]["StringEquals"] == own for s in holding), holding
    # AND creating them requires this cluster's tag in the request
    creating = next(s for s in statements if "elasticloadbalancing:CreateLoadBalancer" in _as_list(s["Action"]))
    assert creating["Condition"] == {"StringEquals": {"aws:RequestTag/elbv2.k8s.aws/cluster": "prod"}}
    # AND no condition accepts any cluster's tag, as the published policy's Null: false does
    for statement in statements:
        for key, value in statement.get("Condition", {}).get("Null", {}).items():
            assert value == "true", (key, statement)
    # AND what stays unconditioned is what the published policy leaves so (EKSG011's waiver)
    unconditioned = {a for s in statements if "Condition" not in s for a in _as_list(s["Action"])
                     if not a.split(":")[1].startswith(("Describe", "Get", "List"))}
    assert unconditioned == {
        "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateSecurityGroup",
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule", "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags", "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
        "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "shield:CreateProtection", "shield:DeleteProtection"}
    # AND unconditioned tagging is of listeners and rules only
    tagging = [s for s in statements if "Condition" not in s and "elasticloadbalancing:AddTags" in s["Action"]]
    assert [r.split(":")[5].split("/")[0] for s in tagging for r in s["Resource"]] == [
        "listener", "listener", "listener-rule", "listener-rule"]


def _as_list(value):
    return value if isinstance(value, list) else [value]
