"""Least-privilege permissions of common cluster add-ons, for workload identities (never
for the node role), and, for add-ons installed by Helm, the chart values that make the chart
create the very service account the role trusts."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from eksguard import _validation as v
from eksguard._docs import documented
from eksguard._framework import is_token
from eksguard._scope import require_scope
from eksguard.constructs._private import account_id, partition, region_name
from eksguard.constructs.irsa_role import ROLE_ARN_ANNOTATION, ServiceAccount
from eksguard.errors import ValidationError

HOSTED_ZONE_ARN = re.compile(r"^arn:aws[a-z-]*:route53:::hostedzone/[A-Z0-9]+$")
ALL_HOSTED_ZONES = "arn:aws:route53:::hostedzone/*"
ALLOWED_HOSTED_ZONES = (
    "hosted-zone ARNs such as 'arn:aws:route53:::hostedzone/Z123EXAMPLE'; every zone "
    "('hostedzone/*') only with allow_all_hosted_zones=True"
)
CHART_REPOSITORY_URL = re.compile(r"^(https|oci)://\S+$")
ALLOWED_CHART_REPOSITORY_URL = "an https:// or oci:// chart repository URL"
HELM_RELEASE_NAME_MAX = 53
ALLOWED_RELEASE_NAME = (
    "a Helm release name: a DNS-1123 label of at most 53 characters (Helm's limit)"
)
VALUES_PATH = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
ALLOWED_VALUES_PATH = "a dotted path of chart value keys such as 'serviceAccount' or 'rbac.serviceAccount'"
ALLOWED_HELM_NAMESPACE = (
    "the service account's namespace: a chart creates its service account in the release's namespace"
)
ALLOWED_HELM_CHART = (
    "an add-on with a helm_chart; managed add-ons get their role through aws_eks_addon, not chart values"
)
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
ALLOWED_ROLE_ARN = "an IAM role ARN such as 'arn:aws:iam::111122223333:role/cluster-autoscaler'"
LOAD_BALANCER_CONTROLLER_UNSCOPED = (
    "the AWS Load Balancer Controller's published policy: it creates security groups, opens and "
    "closes ingress on the nodes' security groups for its load balancers, creates, changes, tags and "
    "deletes listeners and rules, and sets WAF and Shield on its load balancers, on resources it cannot "
    "name in advance, without a condition; its other writes are scoped to this cluster's "
    "elbv2.k8s.aws/cluster tag"
)
"""Why ``aws_load_balancer_controller()`` waives guardrail EKSG011 for its identity."""
LOAD_BALANCERS_AND_TARGET_GROUPS = [
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"]
LOAD_BALANCER_CONTROLLER_UPSTREAM = (
    "kubernetes-sigs/aws-load-balancer-controller v2.14, docs/install/iam_policy.json "
    "(vendored as eksguard/constructs/upstream/aws_load_balancer_controller_iam_policy.json)")
"""The policy ``aws_load_balancer_controller()`` follows, statement for statement."""
NODE_GROUPS_ANY_PARTITION = "arn:*:eks:*:*:nodegroup/{cluster_name}/*/*"
"""Without a scope the partition, region and account stay open, never the cluster."""


@documented
@dataclass(frozen=True, kw_only=True)
class HelmChart:
    """The Helm chart that installs an add-on, and where its values configure the
    service account.

    Example::

        HelmChart(repository_url="https://kubernetes-sigs.github.io/external-dns/",
                  chart_name="external-dns", namespace="kube-system",
                  release_name="external-dns", service_account_values_path="serviceAccount")
    """

    repository_url: str
    """The chart repository (``https://`` or ``oci://``)."""
    chart_name: str
    """The chart's name in the repository."""
    namespace: str
    """The release's namespace, where the chart creates the service account."""
    release_name: str
    """The Helm release name."""
    service_account_values_path: str
    """Dotted path of the values block holding the chart's service account settings
    (``create``, ``name``, ``annotations``), e.g. ``rbac.serviceAccount``."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Other chart values the add-on needs (cluster name, region ...); ``helm_values``
    adds the service account to them. Default: none."""
    version: str | None = None
    """The chart version to install. Default: None — the repository's newest; pin one for
    repeatable installs."""

    def __post_init__(self) -> None:
        path = "HelmChart"
        v.require_field_types(path, self)
        v.require_match(path, "repository_url", self.repository_url, CHART_REPOSITORY_URL,
                        ALLOWED_CHART_REPOSITORY_URL)
        v.require_dns1123_label(path, "namespace", self.namespace)
        v.require_match(path, "release_name", self.release_name, v.DNS1123_LABEL, ALLOWED_RELEASE_NAME,
                        max_length=HELM_RELEASE_NAME_MAX)
        v.require_match(path, "service_account_values_path", self.service_account_values_path,
                        VALUES_PATH, ALLOWED_VALUES_PATH)


@documented
@dataclass(frozen=True, kw_only=True)
class AddonPermissions:
    """What one add-on's service account may do and, for add-ons installed by Helm, the
    chart that creates that service account.

    Example::

        autoscaler = cluster_autoscaler(cluster_name="prod", scope=stack)
        autoscaler.inline_policies
        autoscaler.helm_values(role_arn=identity.irsa_role.role_arn)
    """

    service_account: ServiceAccount
    """The add-on's Kubernetes service account, the subject its role trusts."""
    addon_name: str | None = None
    """The EKS managed add-on that runs it. Default: None — installed some other way."""
    managed_policies: Sequence[str] = ()
    """AWS managed policy names (path included). Default: () — none."""
    inline_policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Inline policy documents by name. Default: none."""
    helm_chart: HelmChart | None = None
    """The Helm chart that installs the add-on, in ``service_account``'s namespace.
    Default: None — a managed add-on (``addon_name``) or installed some other way."""
    guardrail_waivers: Mapping[str, str] = field(default_factory=dict)
    """Guardrail rule id -> why these permissions are accepted anyway (at least 10
    characters); ``SecureEksCluster.add_addon_identity`` waives each for the add-on's
    identity, and the synth summary lists it. Default: none."""

    def __post_init__(self) -> None:
        v.require_field_types("AddonPermissions", self)
        v.require_inline_policies("AddonPermissions", "inline_policies", self.inline_policies)
        chart = self.helm_chart
        if chart is not None and not is_token(chart.namespace) and \
                chart.namespace != self.service_account.namespace:
            v.fail("AddonPermissions", "helm_chart.namespace", chart.namespace, ALLOWED_HELM_NAMESPACE)

    def helm_values(self, role_arn: str | None) -> dict[str, Any]:
        """The chart's values: ``helm_chart.values`` plus a service account the chart
        creates under ``service_account.name`` (the subject the role trusts, not a name
        derived from the release) annotated with ``eks.amazonaws.com/role-arn`` for IRSA.
        ``role_arn=None`` is for Pod Identity, which needs no annotation. Give the result
        to a ``helm_release`` as ``values=[json.dumps(values)]``: JSON is YAML, and the
        Terraform references inside (the role ARN, the region) resolve at synth.

        Example::

            aws_load_balancer_controller(cluster_name="prod").helm_values(role.role_arn)
        """
        path = "AddonPermissions.helm_values"
        chart = self.helm_chart
        if chart is None:
            raise ValidationError(path, "helm_chart", None, ALLOWED_HELM_CHART)
        if role_arn is not None:
            v.require_match(path, "role_arn", role_arn, IAM_ROLE_ARN, ALLOWED_ROLE_ARN)
        service_account: dict[str, Any] = {"create": True, "name": self.service_account.name}
        if role_arn is not None:
            service_account["annotations"] = {ROLE_ARN_ANNOTATION: role_arn}
        block: dict[str, Any] = service_account
        for key in reversed(chart.service_account_values_path.split(".")):
            block = {key: block}
        return _merged(chart.values, block)


def _merged(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``overlay`` merged in, nested mappings key by key."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _document(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def vpc_cni() -> AddonPermissions:
    return AddonPermissions(addon_name="vpc-cni",
                            service_account=ServiceAccount(namespace="kube-system", name="aws-node"),
                            managed_policies=("AmazonEKS_CNI_Policy",))


def ebs_csi_driver() -> AddonPermissions:
    return AddonPermissions(
        addon_name="aws-ebs-csi-driver",
        service_account=ServiceAccount(namespace="kube-system", name="ebs-csi-controller-sa"),
        managed_policies=("service-role/AmazonEBSCSIDriverPolicy",))


def cluster_autoscaler(*, cluster_name: str, scope: Construct | None = None) -> AddonPermissions:
    """Scale only the Auto Scaling groups tagged as owned by this cluster, and describe
    only its node groups. With ``scope``, the node-group ARN names the stack's partition,
    region and account and the chart's ``awsRegion`` is the stack's region; without it,
    ``eks:DescribeNodegroup`` is still limited to this cluster's node groups (in any
    partition, region and account) and ``awsRegion`` is left to the chart, whose default
    is us-east-1.

    Installed by Helm, the chart would name its service account
    ``<release>-aws-cluster-autoscaler``; ``helm_values`` fixes it to ``cluster-autoscaler``,
    the subject the role trusts.

    Example::

        cluster_autoscaler(cluster_name="prod", scope=stack).helm_values(role.role_arn)
    """
    v.require_cluster_name("cluster_autoscaler", "cluster_name", cluster_name)
    if scope is not None:
        require_scope("cluster_autoscaler", "scope", scope)
    if scope is None:
        node_groups = NODE_GROUPS_ANY_PARTITION.format(cluster_name=cluster_name)
        region: dict[str, Any] = {}
    else:
        node_groups = (f"arn:{partition(scope)}:eks:{region_name(scope)}:{account_id(scope)}"
                       f":nodegroup/{cluster_name}/*/*")
        region = {"awsRegion": region_name(scope)}
    # Values: https://github.com/kubernetes/autoscaler/blob/master/charts/cluster-autoscaler/values.yaml
    # (rbac.serviceAccount.{create,name,annotations}, autoDiscovery.clusterName, awsRegion).
    chart = HelmChart(
        repository_url="https://kubernetes.github.io/autoscaler", chart_name="cluster-autoscaler",
        namespace="kube-system", release_name="cluster-autoscaler",
        service_account_values_path="rbac.serviceAccount",
        values={"cloudProvider": "aws", "autoDiscovery": {"clusterName": cluster_name}, **region})
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="cluster-autoscaler"),
        helm_chart=chart,
        inline_policies={"cluster-autoscaler": _document(
            {"Effect": "Allow",
             "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
             "Resource": "*",
             "Condition": {"StringEquals": {
                 f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}}},
            {"Effect": "Allow",
             "Action": ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": ["eks:DescribeNodegroup"], "Resource": node_groups})})


def _zones(path: str, field_name: str, zone_arns: Sequence[str], allow_all: bool) -> list[str]:
    v.require_sequence(path, field_name, zone_arns)
    if not zone_arns:
        v.fail(path, field_name, list(zone_arns), ALLOWED_HOSTED_ZONES)
    for arn in zone_arns:
        if arn == ALL_HOSTED_ZONES and allow_all:
            continue
        v.require_match(path, field_name, arn, HOSTED_ZONE_ARN, ALLOWED_HOSTED_ZONES)
    return list(zone_arns)


def external_dns(*, hosted_zone_arns: Sequence[str], allow_all_hosted_zones: bool = False,
                 path: str = "external_dns") -> AddonPermissions:
    """Change records only in the given zones. The chart values also restrict external-dns
    to those zones (``--zone-id-filter``) when every ARN is literal, so it does not try,
    and fail, to change other zones that match its domains.

    Example::

        external_dns(hosted_zone_arns=[zone.arn]).helm_values(role.role_arn)
    """
    zones = _zones(path, "hosted_zone_arns", hosted_zone_arns, allow_all_hosted_zones)
    literal = [z for z in zones if not is_token(z) and z != ALL_HOSTED_ZONES]
    zone_filter = {"extraArgs": [f"--zone-id-filter={z.rsplit('/', 1)[1]}" for z in literal]} \
        if literal and len(literal) == len(zones) else {}
    # Values: https://github.com/kubernetes-sigs/external-dns/blob/master/charts/external-dns/values.yaml
    # (serviceAccount.{create,name,annotations}, extraArgs; provider defaults to aws).
    chart = HelmChart(
        repository_url="https://kubernetes-sigs.github.io/external-dns/", chart_name="external-dns",
        namespace="kube-system", release_name="external-dns",
        service_account_values_path="serviceAccount", values=zone_filter)
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="external-dns"),
        helm_chart=chart,
        inline_policies={"external-dns": _document(
            {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": zones},
            {"Effect": "Allow",
             "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets",
                        "route53:ListTagsForResource"],
             "Resource": "*"})})


def cert_manager(*, hosted_zone_arns: Sequence[str], allow_all_hosted_zones: bool = False,
                 path: str = "cert_manager") -> AddonPermissions:
    """DNS-01 challenges only in the given zones.

    Example::

        cert_manager(hosted_zone_arns=[zone.arn]).helm_values(role.role_arn)
    """
    zones = _zones(path, "hosted_zone_arns", hosted_zone_arns, allow_all_hosted_zones)
    # Values: https://github.com/cert-manager/cert-manager/blob/master/deploy/charts/cert-manager/values.yaml
    # (serviceAccount.{create,name,annotations}: the controller's service account).
    chart = HelmChart(
        repository_url="https://charts.jetstack.io", chart_name="cert-manager",
        namespace="cert-manager", release_name="cert-manager",
        service_account_values_path="serviceAccount")
    return AddonPermissions(
        service_account=ServiceAccount(namespace="cert-manager", name="cert-manager"),
        helm_chart=chart,
        inline_policies={"cert-manager": _document(
            {"Effect": "Allow", "Action": ["route53:GetChange"], "Resource": "arn:aws:route53:::change/*"},
            {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
             "Resource": zones},
            {"Effect": "Allow", "Action": ["route53:ListHostedZonesByName"], "Resource": "*"})})


def aws_load_balancer_controller(*, cluster_name: str, scope: Construct | None = None,
                                 vpc_id: str | None = None) -> AddonPermissions:
    """The AWS Load Balancer Controller's permissions: its published policy
    (``LOAD_BALANCER_CONTROLLER_UPSTREAM``) statement for statement, with each condition that
    accepts any cluster's ``elbv2.k8s.aws/cluster`` tag (``Null: false``) narrowed to this
    cluster's name. What the published policy leaves unconditioned (creating security
    groups, ingress on the nodes' security groups, listener and rule changes and tags, WAF
    and Shield) stays so: those are its ``guardrail_waivers`` of EKSG011, which the synth
    summary lists. A test diffs this policy against the vendored upstream document.

    The controller reads its region and VPC from instance metadata unless the chart's
    ``region`` and ``vpcId`` are set, and eksguard's launch templates keep pods from
    instance metadata (hop limit 1): give ``scope`` (the stack's region) and ``vpc_id`` so
    ``helm_values`` sets both.

    Example::

        aws_load_balancer_controller(cluster_name="prod", scope=stack, vpc_id=vpc.id)
    """
    v.require_cluster_name("aws_load_balancer_controller", "cluster_name", cluster_name)
    if vpc_id is not None:
        v.require_match("aws_load_balancer_controller", "vpc_id", vpc_id, v.VPC_ID, v.ALLOWED_VPC_ID)
    tag = "elbv2.k8s.aws/cluster"
    own = {"StringEquals": {f"aws:ResourceTag/{tag}": cluster_name}}
    creating = {"StringEquals": {f"aws:RequestTag/{tag}": cluster_name}}
    # Tag changes on this cluster's resources that leave the cluster tag alone
    keeping_own = {"Null": {f"aws:RequestTag/{tag}": "true"}, **own}
    values: dict[str, Any] = {"clusterName": cluster_name}
    if scope is not None:
        require_scope("aws_load_balancer_controller", "scope", scope)
        values["region"] = region_name(scope)
    if vpc_id is not None:
        values["vpcId"] = vpc_id
    # Values: https://github.com/aws/eks-charts/blob/master/stable/aws-load-balancer-controller/values.yaml
    # (clusterName, serviceAccount.{create,name,annotations}, region, vpcId).
    chart = HelmChart(
        repository_url="https://aws.github.io/eks-charts", chart_name="aws-load-balancer-controller",
        namespace="kube-system", release_name="aws-load-balancer-controller",
        service_account_values_path="serviceAccount", values=values)
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="aws-load-balancer-controller"),
        helm_chart=chart,
        guardrail_waivers={"EKSG011": LOAD_BALANCER_CONTROLLER_UNSCOPED},
        inline_policies={"aws-load-balancer-controller": _document(
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole"], "Resource": "*",
             "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}},
            {"Effect": "Allow", "Resource": "*", "Action": [
                "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation"]},
            # Certificates, Cognito, and the WAF and Shield settings its annotations ask for
            {"Effect": "Allow", "Resource": "*", "Action": [
                "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
                "iam:ListServerCertificates", "iam:GetServerCertificate",
                "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL", "wafv2:GetWebACL", "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "shield:GetSubscriptionState",
                "shield:DescribeProtection", "shield:CreateProtection", "shield:DeleteProtection"]},
            # Ingress rules on security groups it did not make: the nodes' and the cluster's,
            # which must admit the load balancer's backend security group
            {"Effect": "Allow", "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": ["ec2:CreateSecurityGroup"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": "arn:aws:ec2:*:*:security-group/*",
             "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup",
                                            f"aws:RequestTag/{tag}": cluster_name}}},
            {"Effect": "Allow", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
             "Resource": "arn:aws:ec2:*:*:security-group/*", "Condition": keeping_own},
            {"Effect": "Allow", "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
                                           "ec2:DeleteSecurityGroup"],
             "Resource": "*", "Condition": own},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:CreateLoadBalancer",
                                           "elasticloadbalancing:CreateTargetGroup"],
             "Resource": "*", "Condition": creating},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                                           "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
             "Resource": LOAD_BALANCERS_AND_TARGET_GROUPS, "Condition": keeping_own},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
             "Resource": ["arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
                          "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                          "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                          "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*"]},
            {"Effect": "Allow", "Resource": "*", "Condition": own, "Action": [
                "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools"]},
            # The tags CreateLoadBalancer and CreateTargetGroup carry are authorized as AddTags
            {"Effect": "Allow", "Action": ["elasticloadbalancing:AddTags"], "Resource": LOAD_BALANCERS_AND_TARGET_GROUPS,
             "Condition": {"StringEquals": {
                 "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                 f"aws:RequestTag/{tag}": cluster_name}}},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:RegisterTargets",
                                           "elasticloadbalancing:DeregisterTargets"],
             "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"},
            {"Effect": "Allow", "Resource": "*", "Action": [
                "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"]},
        )})
