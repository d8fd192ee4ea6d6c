"""Add-ons installed by Helm: the chart values create exactly the service account the role
trusts, annotated for IRSA; the cluster autoscaler describes only its own node groups."""

from __future__ import annotations

import dataclasses
import json

import pytest

from eksguard import (
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    ServiceAccount,
    ValidationError,
    WorkloadIdentity,
    WorkloadIdentityProps,
    aws_load_balancer_controller,
    cert_manager,
    cluster_autoscaler,
    external_dns,
    vpc_cni,
)
from eksguard._framework import TerraformOutput, aws
from eksguard.constructs import addon_permissions as module
from eksguard.constructs.addon_permissions import AddonPermissions, HelmChart

ROLE = "arn:aws:iam::111122223333:role/addon"
ANNOTATED = {"create": True, "annotations": {"eks.amazonaws.com/role-arn": ROLE}}
ZONE = "arn:aws:route53:::hostedzone/Z123EXAMPLE"
PARTITION = "${data.aws_partition.eksguard-partition.partition}"
REGION = "${data.aws_region.eksguard-region.name}"
ACCOUNT = "${data.aws_caller_identity.eksguard-account.account_id}"


@pytest.mark.parametrize(("permissions", "chart", "values"), [
    (cluster_autoscaler(cluster_name="prod"),
     ("https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "kube-system", "cluster-autoscaler"),
     {"cloudProvider": "aws", "autoDiscovery": {"clusterName": "prod"},
      "rbac": {"serviceAccount": {**ANNOTATED, "name": "cluster-autoscaler"}}}),
    (aws_load_balancer_controller(cluster_name="prod", vpc_id="vpc-0a1b2c3d"),
     ("https://aws.github.io/eks-charts", "aws-load-balancer-controller", "kube-system",
      "aws-load-balancer-controller"),
     {"clusterName": "prod", "vpcId": "vpc-0a1b2c3d",
      "serviceAccount": {**ANNOTATED, "name": "aws-load-balancer-controller"}}),
    (external_dns(hosted_zone_arns=[ZONE]),
     ("https://kubernetes-sigs.github.io/external-dns/", "external-dns", "kube-system", "external-dns"),
     {"extraArgs": ["--zone-id-filter=Z123EXAMPLE"], "serviceAccount": {**ANNOTATED, "name": "external-dns"}}),
    (cert_manager(hosted_zone_arns=[ZONE]),
     ("https://charts.jetstack.io", "cert-manager", "cert-manager", "cert-manager"),
     {"serviceAccount": {**ANNOTATED, "name": "cert-manager"}}),
], ids=["cluster-autoscaler", "aws-load-balancer-controller", "external-dns", "cert-manager"])
def test_chart_values_create_the_service_account_the_role_trusts(permissions, chart, values):
    # GIVEN a Helm-installed add-on's permissions
    helm = permissions.helm_chart
    # WHEN its chart values are asked for, for an IRSA role
    # THEN they are exactly these, naming the service account the trust policy names
    assert (helm.repository_url, helm.chart_name, helm.namespace, helm.release_name) == chart
    assert permissions.helm_values(ROLE) == values
    block = values
    for key in helm.service_account_values_path.split("."):
        block = block[key]
    assert ServiceAccount(namespace=helm.namespace, name=block["name"]) == permissions.service_account


def test_pod_identity_values_create_the_service_account_without_annotation():
    assert cert_manager(hosted_zone_arns=[ZONE]).helm_values(None) == {
        "serviceAccount": {"create": True, "name": "cert-manager"}}


def test_irsa_trust_subject_and_chart_values_agree_in_a_stack(synth_one):
    # GIVEN the autoscaler's identity in a stack, and its chart values for that role
    def add(stack):
        permissions = cluster_autoscaler(cluster_name="prod", scope=stack)
        oidc = ClusterOidcProvider(stack, "oidc", props=ClusterOidcProviderProps(issuer_url="https://issuer"))
        identity = WorkloadIdentity(stack, "autoscaler", props=WorkloadIdentityProps(
            service_account=permissions.service_account, oidc_provider=oidc,
            inline_policies=permissions.inline_policies))
        TerraformOutput(stack, "values", value=json.dumps(permissions.helm_values(identity.irsa_role.role_arn)))

    # WHEN synthesized
    out = synth_one(add)
    role = out.resource("test/autoscaler/irsa/role")
    # THEN the role trusts kube-system/cluster-autoscaler, the account the values create,
    # and the values carry the role's ARN and the stack's region
    [trust] = json.loads(role["assume_role_policy"])["Statement"]
    [subject] = [value for key, value in trust["Condition"]["StringEquals"].items() if key.endswith(":sub")]
    assert subject == "system:serviceaccount:kube-system:cluster-autoscaler"
    assert json.loads(out.document["output"]["values"]["value"]) == {
        "cloudProvider": "aws", "autoDiscovery": {"clusterName": "prod"}, "awsRegion": REGION,
        "rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler", "annotations": {
            "eks.amazonaws.com/role-arn": "${" + out.address("test/autoscaler/irsa/role") + ".arn}"}}}}


def test_describe_nodegroup_is_scoped_to_the_clusters_node_groups_in_the_stacks_account(synth_one):
    def add(stack):
        document = cluster_autoscaler(cluster_name="prod", scope=stack).inline_policies["cluster-autoscaler"]
        role = aws.iam_role.IamRole(stack, "role", name="autoscaler", assume_role_policy="{}")
        aws.iam_role_policy.IamRolePolicy(stack, "policy", role=role.id, policy=json.dumps(document))

    statements = json.loads(synth_one(add).resource("test/policy")["policy"])["Statement"]
    assert statements[2] == {"Effect": "Allow", "Action": ["eks:DescribeNodegroup"],
                             "Resource": f"arn:{PARTITION}:eks:{REGION}:{ACCOUNT}:nodegroup/prod/*/*"}
    assert all("eks:DescribeNodegroup" not in s["Action"] for s in statements[:2])


def test_describe_nodegroup_without_scope_still_names_the_cluster():
    statements = cluster_autoscaler(cluster_name="prod").inline_policies["cluster-autoscaler"]["Statement"]
    assert statements[2] == {"Effect": "Allow", "Action": ["eks:DescribeNodegroup"],
                             "Resource": "arn:*:eks:*:*:nodegroup/prod/*/*"}


def test_load_balancer_controller_region_comes_from_the_stack(synth_one):
    def add(stack):
        values = aws_load_balancer_controller(cluster_name="prod", scope=stack).helm_values(None)
        TerraformOutput(stack, "values", value=json.dumps(values))

    assert json.loads(synth_one(add).document["output"]["values"]["value"]) == {
        "clusterName": "prod", "region": REGION,
        "serviceAccount": {"create": True, "name": "aws-load-balancer-controller"}}


def test_external_dns_filters_zones_only_when_every_zone_is_a_literal_zone():
    opted_in = external_dns(hosted_zone_arns=[module.ALL_HOSTED_ZONES], allow_all_hosted_zones=True)
    mixed = external_dns(hosted_zone_arns=[ZONE, module.ALL_HOSTED_ZONES], allow_all_hosted_zones=True)
    assert "extraArgs" not in opted_in.helm_values(ROLE)
    assert "extraArgs" not in mixed.helm_values(ROLE)


def test_helm_values_merge_into_the_charts_own_values_without_changing_them():
    # GIVEN a chart whose values already hold part of the service-account block
    chart = HelmChart(repository_url="https://charts.example.com", chart_name="agent", namespace="ops",
                      release_name="agent", service_account_values_path="agent.serviceAccount",
                      values={"agent": {"serviceAccount": {"labels": {"team": "ops"}}, "replicas": 2}})
    permissions = AddonPermissions(service_account=ServiceAccount(namespace="ops", name="agent"), helm_chart=chart)
    # WHEN values are asked for twice THEN both merge, and the chart's values are untouched
    expected = {"agent": {"replicas": 2, "serviceAccount": {
        "labels": {"team": "ops"}, "create": True, "name": "agent",
        "annotations": {"eks.amazonaws.com/role-arn": ROLE}}}}
    assert permissions.helm_values(ROLE) == permissions.helm_values(ROLE) == expected
    assert chart.values == {"agent": {"serviceAccount": {"labels": {"team": "ops"}}, "replicas": 2}}


def test_managed_addons_have_no_helm_values():
    assert vpc_cni().helm_chart is None
    with pytest.raises(ValidationError) as caught:
        vpc_cni().helm_values(ROLE)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "AddonPermissions.helm_values", "helm_chart", None, module.ALLOWED_HELM_CHART)


def test_helm_values_refuse_a_role_arn_that_is_no_role():
    with pytest.raises(ValidationError) as caught:
        cert_manager(hosted_zone_arns=[ZONE]).helm_values("arn:aws:iam::111122223333:user/me")
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "AddonPermissions.helm_values", "role_arn", "arn:aws:iam::111122223333:user/me", module.ALLOWED_ROLE_ARN)


GOOD_CHART = {"repository_url": "https://charts.jetstack.io", "chart_name": "cert-manager",
              "namespace": "cert-manager", "release_name": "cert-manager",
              "service_account_values_path": "serviceAccount"}


@pytest.mark.parametrize(("changes", "field", "value", "allowed"), [
    ({"repository_url": "charts.jetstack.io"}, "repository_url", "charts.jetstack.io",
     module.ALLOWED_CHART_REPOSITORY_URL),
    ({"namespace": "Cert-Manager"}, "namespace", "Cert-Manager", "a DNS-1123 label"),
    ({"release_name": "r" * 54}, "release_name", "r" * 54, module.ALLOWED_RELEASE_NAME),
    ({"release_name": "Cert_Manager"}, "release_name", "Cert_Manager", module.ALLOWED_RELEASE_NAME),
    ({"service_account_values_path": "serviceAccount."}, "service_account_values_path", "serviceAccount.",
     module.ALLOWED_VALUES_PATH),
])
def test_bad_helm_chart(changes, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        HelmChart(**{**GOOD_CHART, **changes})
    assert (caught.value.path, caught.value.field, caught.value.value) == ("HelmChart", field, value)
    assert allowed in caught.value.allowed


def test_chart_must_install_into_the_service_accounts_namespace():
    chart = HelmChart(**GOOD_CHART)
    with pytest.raises(ValidationError) as caught:
        dataclasses.replace(cert_manager(hosted_zone_arns=[ZONE]),
                            service_account=ServiceAccount(namespace="kube-system", name="cert-manager"),
                            helm_chart=chart)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "AddonPermissions", "helm_chart.namespace", "cert-manager", module.ALLOWED_HELM_NAMESPACE)
