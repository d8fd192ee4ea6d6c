"""Least-privilege permissions of common cluster add-ons, for workload identities (never
for the node role)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eksguard import _validation as v
from eksguard.constructs.irsa_role import ServiceAccount

HOSTED_ZONE_ARN = re.compile(r"^arn:aws[a-z-]*:route53:::hostedzone/[A-Z0-9]+$")
ALL_HOSTED_ZONES = "arn:aws:route53:::hostedzone/*"
ALLOWED_HOSTED_ZONES = (
    "hosted-zone ARNs such as 'arn:aws:route53:::hostedzone/Z123EXAMPLE'; every zone "
    "('hostedzone/*') only with allow_all_hosted_zones=True"
)


@dataclass(frozen=True, kw_only=True)
class AddonPermissions:
    """What one add-on's service account may do.

    Example::

        cluster_autoscaler(cluster_name="prod").inline_policies
    """

    service_account: ServiceAccount
    addon_name: str | None = None
    """The EKS managed add-on that runs it. Default: None — installed some other way."""
    managed_policies: Sequence[str] = ()
    """AWS managed policy names (path included). Default: () — none."""
    inline_policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Inline policy documents by name. Default: none."""


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


def cluster_autoscaler(*, cluster_name: str) -> AddonPermissions:
    """Scale only the Auto Scaling groups tagged as owned by this cluster."""
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="cluster-autoscaler"),
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
                        "ec2:GetInstanceTypesFromInstanceRequirements", "eks:DescribeNodegroup"],
             "Resource": "*"})})


def _zones(path: str, field_name: str, zone_arns: Sequence[str], allow_all: bool) -> list[str]:
    if not zone_arns:
        v.fail(path, field_name, list(zone_arns), ALLOWED_HOSTED_ZONES)
    for arn in zone_arns:
        if arn == ALL_HOSTED_ZONES and allow_all:
            continue
        v.require_match(path, field_name, arn, HOSTED_ZONE_ARN, ALLOWED_HOSTED_ZONES)
    return list(zone_arns)


def external_dns(*, hosted_zone_arns: Sequence[str], allow_all_hosted_zones: bool = False,
                 path: str = "external_dns") -> AddonPermissions:
    """Change records only in the given zones."""
    zones = _zones(path, "hosted_zone_arns", hosted_zone_arns, allow_all_hosted_zones)
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="external-dns"),
        inline_policies={"external-dns": _document(
            {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": zones},
            {"Effect": "Allow",
             "Action": ["route53:ListHostedZones", "route53:ListResourceRecordSets",
                        "route53:ListTagsForResource"],
             "Resource": "*"})})


def cert_manager(*, hosted_zone_arns: Sequence[str], allow_all_hosted_zones: bool = False,
                 path: str = "cert_manager") -> AddonPermissions:
    """DNS-01 challenges only in the given zones."""
    zones = _zones(path, "hosted_zone_arns", hosted_zone_arns, allow_all_hosted_zones)
    return AddonPermissions(
        service_account=ServiceAccount(namespace="cert-manager", name="cert-manager"),
        inline_policies={"cert-manager": _document(
            {"Effect": "Allow", "Action": ["route53:GetChange"], "Resource": "arn:aws:route53:::change/*"},
            {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
             "Resource": zones},
            {"Effect": "Allow", "Action": ["route53:ListHostedZonesByName"], "Resource": "*"})})


def aws_load_balancer_controller(*, cluster_name: str) -> AddonPermissions:
    """The AWS Load Balancer Controller's permissions, after its published policy, with
    every mutation scoped to resources tagged ``elbv2.k8s.aws/cluster = <this cluster>``
    (the published policy accepts any cluster's tag)."""
    tag = "elbv2.k8s.aws/cluster"
    own = {"StringEquals": {f"aws:ResourceTag/{tag}": cluster_name}}
    creating = {"StringEquals": {f"aws:RequestTag/{tag}": cluster_name}}
    return AddonPermissions(
        service_account=ServiceAccount(namespace="kube-system", name="aws-load-balancer-controller"),
        inline_policies={"aws-load-balancer-controller": _document(
            {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
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
                "elasticloadbalancing:DescribeCapacityReservation",
                "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
                "iam:ListServerCertificates", "iam:GetServerCertificate",
                "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource", "shield:GetSubscriptionState", "shield:DescribeProtection"]},
            {"Effect": "Allow", "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
                                           "ec2:DeleteSecurityGroup"],
             "Resource": "*", "Condition": own},
            {"Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "arn:aws:ec2:*:*:security-group/*",
             "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup",
                                            f"aws:RequestTag/{tag}": cluster_name}}},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:CreateLoadBalancer",
                                           "elasticloadbalancing:CreateTargetGroup"],
             "Resource": "*", "Condition": creating},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                                           "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
             "Resource": ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                          "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                          "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
             "Condition": own},
            {"Effect": "Allow", "Resource": "*", "Condition": own, "Action": [
                "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools"]},
            {"Effect": "Allow", "Action": ["elasticloadbalancing:RegisterTargets",
                                           "elasticloadbalancing:DeregisterTargets"],
             "Resource": "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"},
            {"Effect": "Allow", "Resource": "*", "Action": [
                "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities"]},
        )})
