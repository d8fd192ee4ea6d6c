"""What a CI role needs to plan and to apply a stack, derived from the stack's own
resource and data-source types.

``RESOURCE_PERMISSIONS`` is one row per Terraform type eksguard's constructs write: the IAM
actions hashicorp/aws (5.x and 6.x) calls to read the type (every plan refreshes it) and to
create, update, tag and delete it. Each row names where that comes from: the provider's
resource implementation (``internal/service/<service>/<file>.go`` of
hashicorp/terraform-provider-aws), the action names as the Service Authorization Reference
spells them, and the AWS guide where a service checks more than its own API (``iam:PassRole``,
service-linked roles, KMS grants). Every row is exercised: the integration test
``test_ci_deploy_permissions`` applies, re-plans and destroys the reference stacks on the
emulator with IAM enforcement on, as a role holding exactly the derived actions.

``deploy_policy_document`` and ``plan_policy_document`` build the documents; the CI role
constructs put them on their roles at synth, when the stack is complete, so a resource added
after the role is still covered. A type without a row is reported by readiness rule EKSR026
rather than silently left out.

Example::

    deploy_policy_document(resource_types={"aws_vpc", "aws_subnet"}, partition="aws",
                           account="111122223333", region="eu-west-1", passed_to=())
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from eksguard.ci_permissions.ec2_tags import STACK_TAG_KEY, ec2_statements, launch_from_stack_templates

POLICY_VERSION = "2012-10-17"

PROVIDER_SOURCE = "hashicorp/terraform-provider-aws internal/service/"
CI_POLICY_PREFIX = "eksguard-stack-"
"""How every policy eksguard derives for a CI role is named."""
DEPLOY_POLICY_NAME = "eksguard-stack-deploy"
"""The managed policies a derived deploy role holds are named ``<this>-...`` (readiness
EKSR027 looks for them)."""
DEPLOY_POLICY_PARTS = 4
"""How many managed policies hold a deploy role's derived document: IAM allows 6,144
characters per managed policy (IAM User Guide, "IAM and AWS STS quotas"), and a stack with
Karpenter and HCP Terraform roles derives about 17,500 with an 80-character cluster name (in
aws-us-gov, every reference at its longest), and no statement is longer than 2,600. They
count against the role's quota of attached managed policies (10 by default)."""
MANAGED_POLICY_LIMIT = 6_144
"""IAM's quota for one managed policy, whitespace not counted."""
PLAN_POLICY_NAME = "eksguard-stack-plan"
"""The inline policy a derived plan role holds."""


class TypePermissions(NamedTuple):
    """The IAM actions one Terraform type needs, and where they come from."""

    read: tuple[str, ...]
    """What a refresh (every plan) calls."""
    write: tuple[str, ...] = ()
    """What create, update, tagging and delete call, beyond ``read``."""
    passes_role: bool = False
    """Create or update passes an IAM role to a service (``iam:PassRole``)."""
    service_linked_roles: tuple[str, ...] = ()
    """Service-linked roles the service creates on first use, by ``iam:AWSServiceName``:
    the caller needs ``iam:CreateServiceLinkedRole`` for them."""
    source: str = ""


def _ec2(noun: str, *extra_read: str, write: tuple[str, ...], file: str) -> TypePermissions:
    return TypePermissions(read=(f"ec2:Describe{noun}", *extra_read),
                           write=(*write, "ec2:CreateTags", "ec2:DeleteTags"),
                           source=f"{PROVIDER_SOURCE}ec2/{file}; EC2 tags on create (ec2:CreateTags)")


TAG_EKS = ("eks:TagResource", "eks:UntagResource")
IAM_ROLE_READ = ("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:GetRolePolicy",
                 "iam:ListInstanceProfilesForRole")

RESOURCE_PERMISSIONS: Mapping[str, TypePermissions] = {
    # EC2 and VPC
    "aws_vpc": _ec2("Vpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables",
                    "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
                    write=("ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"), file="vpc_.go"),
    "aws_subnet": _ec2("Subnets", write=("ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"),
                       file="vpc_subnet.go"),
    "aws_route_table": _ec2("RouteTables", write=("ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute",
                                                  "ec2:DeleteRoute", "ec2:ReplaceRoute"),
                            file="vpc_route_table.go"),
    "aws_route_table_association": TypePermissions(
        read=("ec2:DescribeRouteTables",),
        write=("ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"),
        source=f"{PROVIDER_SOURCE}ec2/vpc_route_table_association.go"),
    "aws_route": TypePermissions(
        read=("ec2:DescribeRouteTables",), write=("ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute"),
        source=f"{PROVIDER_SOURCE}ec2/vpc_route.go"),
    "aws_security_group": _ec2("SecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeNetworkInterfaces",
                               write=("ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
                                      "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
                                      "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                                      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
                                      "ec2:UpdateSecurityGroupRuleDescriptionsEgress"),
                               file="vpc_security_group.go (DescribeNetworkInterfaces: ENIs left at delete)"),
    "aws_default_security_group": _ec2("SecurityGroups", "ec2:DescribeSecurityGroupRules",
                                       write=("ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
                                              "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
                                       file="vpc_default_security_group.go"),
    # Private DNS of an interface endpoint associates the VPC with a private hosted zone AWS
    # owns: AWS PrivateLink guide, "Identity and access management", route53 permission.
    "aws_vpc_endpoint": _ec2("VpcEndpoints", "ec2:DescribeVpcEndpointServices", "ec2:DescribePrefixLists",
                             write=("ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
                                    "route53:AssociateVPCWithHostedZone"),
                             file="vpc_endpoint.go; PrivateLink guide: private DNS needs "
                                  "route53:AssociateVPCWithHostedZone"),
    "aws_internet_gateway": _ec2("InternetGateways", write=("ec2:CreateInternetGateway", "ec2:DeleteInternetGateway",
                                                            "ec2:AttachInternetGateway", "ec2:DetachInternetGateway"),
                                 file="vpc_internet_gateway.go"),
    "aws_nat_gateway": _ec2("NatGateways", write=("ec2:CreateNatGateway", "ec2:DeleteNatGateway"),
                            file="vpc_nat_gateway.go"),
    "aws_eip": _ec2("Addresses", "ec2:DescribeAddressesAttribute",
                    write=("ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:AssociateAddress",
                           "ec2:DisassociateAddress"), file="ec2_eip.go"),
    "aws_flow_log": TypePermissions(
        read=("ec2:DescribeFlowLogs",), write=("ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:CreateTags",
                                               "ec2:DeleteTags"),
        passes_role=True,
        source=f"{PROVIDER_SOURCE}ec2/vpc_flow_log.go; VPC guide, 'IAM role for publishing flow logs': "
               "iam:PassRole on the delivery role"),
    "aws_launch_template": _ec2("LaunchTemplates", "ec2:DescribeLaunchTemplateVersions",
                                write=("ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion",
                                       "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate"),
                                file="ec2_launch_template.go"),
    # KMS and CloudWatch Logs
    "aws_kms_key": TypePermissions(
        read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
        write=("kms:CreateKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
               "kms:UpdateKeyDescription", "kms:EnableKey", "kms:DisableKey", "kms:ScheduleKeyDeletion",
               "kms:TagResource", "kms:UntagResource"),
        source=f"{PROVIDER_SOURCE}kms/key.go"),
    "aws_cloudwatch_log_group": TypePermissions(
        read=("logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:ListTagsLogGroup"),
        write=("logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
               "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:TagResource", "logs:UntagResource",
               "logs:TagLogGroup", "logs:UntagLogGroup"),
        source=f"{PROVIDER_SOURCE}logs/group.go (5.x tags through TagLogGroup, 6.x through TagResource)"),
    # IAM
    "aws_iam_role": TypePermissions(
        read=IAM_ROLE_READ,
        write=("iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
               "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:PutRolePermissionsBoundary",
               "iam:DeleteRolePermissionsBoundary"),
        source=f"{PROVIDER_SOURCE}iam/role.go (delete lists the role's instance profiles)"),
    "aws_iam_role_policy": TypePermissions(
        read=("iam:GetRolePolicy",), write=("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
        source=f"{PROVIDER_SOURCE}iam/role_policy.go"),
    "aws_iam_role_policy_attachment": TypePermissions(
        read=("iam:ListAttachedRolePolicies",), write=("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
        source=f"{PROVIDER_SOURCE}iam/role_policy_attachment.go"),
    "aws_iam_policy": TypePermissions(
        read=("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"),
        write=("iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
               "iam:TagPolicy", "iam:UntagPolicy"),
        source=f"{PROVIDER_SOURCE}iam/policy.go (an update deletes the oldest of five versions)"),
    "aws_iam_instance_profile": TypePermissions(
        read=("iam:GetInstanceProfile",),
        write=("iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:AddRoleToInstanceProfile",
               "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile"),
        passes_role=True,
        source=f"{PROVIDER_SOURCE}iam/instance_profile.go; Service Authorization Reference: "
               "AddRoleToInstanceProfile depends on iam:PassRole"),
    "aws_iam_openid_connect_provider": TypePermissions(
        read=("iam:GetOpenIDConnectProvider",),
        write=("iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
               "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
               "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
               "iam:UntagOpenIDConnectProvider"),
        source=f"{PROVIDER_SOURCE}iam/openid_connect_provider.go"),
    # EKS. Secrets encryption: EKS User Guide, "Encrypt Kubernetes secrets with KMS": the
    # principal creating the cluster needs kms:DescribeKey and kms:CreateGrant on the key.
    "aws_eks_cluster": TypePermissions(
        read=("eks:DescribeCluster", "eks:DescribeUpdate", "eks:ListUpdates"),
        write=("eks:CreateCluster", "eks:DeleteCluster", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion",
               "eks:AssociateEncryptionConfig", *TAG_EKS, "kms:DescribeKey", "kms:CreateGrant"),
        passes_role=True, service_linked_roles=("eks.amazonaws.com",),
        source=f"{PROVIDER_SOURCE}eks/cluster.go; EKS User Guide: 'Amazon EKS cluster IAM role' (iam:PassRole), "
               "'Using service-linked roles' (AWSServiceRoleForAmazonEKS), 'Encrypt Kubernetes secrets with KMS'"),
    "aws_eks_node_group": TypePermissions(
        read=("eks:DescribeNodegroup", "eks:DescribeUpdate", "ec2:DescribeLaunchTemplateVersions"),
        write=("eks:CreateNodegroup", "eks:DeleteNodegroup", "eks:UpdateNodegroupConfig",
               "eks:UpdateNodegroupVersion", *TAG_EKS),
        passes_role=True, service_linked_roles=("eks-nodegroup.amazonaws.com",),
        source=f"{PROVIDER_SOURCE}eks/node_group.go; EKS User Guide: 'Amazon EKS node IAM role' (iam:PassRole), "
               "'Using roles for Amazon EKS node groups' (AWSServiceRoleForAmazonEKSNodegroup)"),
    "aws_eks_addon": TypePermissions(
        read=("eks:DescribeAddon", "eks:DescribeAddonVersions", "eks:DescribeUpdate"),
        write=("eks:CreateAddon", "eks:DeleteAddon", "eks:UpdateAddon", *TAG_EKS),
        passes_role=True,
        source=f"{PROVIDER_SOURCE}eks/addon.go; EKS User Guide, 'Amazon EKS add-ons': an add-on's "
               "service_account_role_arn is passed (iam:PassRole)"),
    "aws_eks_access_entry": TypePermissions(
        read=("eks:DescribeAccessEntry",),
        write=("eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", *TAG_EKS),
        source=f"{PROVIDER_SOURCE}eks/access_entry.go"),
    "aws_eks_access_policy_association": TypePermissions(
        read=("eks:ListAssociatedAccessPolicies",),
        write=("eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"),
        source=f"{PROVIDER_SOURCE}eks/access_policy_association.go"),
    "aws_eks_pod_identity_association": TypePermissions(
        read=("eks:DescribePodIdentityAssociation",),
        write=("eks:CreatePodIdentityAssociation", "eks:UpdatePodIdentityAssociation",
               "eks:DeletePodIdentityAssociation", *TAG_EKS),
        passes_role=True,
        source=f"{PROVIDER_SOURCE}eks/pod_identity_association.go; EKS User Guide, 'Assign an IAM role to a "
               "Kubernetes service account': creating the association needs iam:PassRole on the role"),
    # SQS and EventBridge (Karpenter's interruption queue)
    "aws_sqs_queue": TypePermissions(
        read=("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"),
        write=("sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"),
        source=f"{PROVIDER_SOURCE}sqs/queue.go"),
    "aws_sqs_queue_policy": TypePermissions(
        read=("sqs:GetQueueAttributes",), write=("sqs:SetQueueAttributes",),
        source=f"{PROVIDER_SOURCE}sqs/queue_policy.go"),
    "aws_cloudwatch_event_rule": TypePermissions(
        read=("events:DescribeRule", "events:ListTagsForResource"),
        write=("events:PutRule", "events:DeleteRule", "events:EnableRule", "events:DisableRule",
               "events:TagResource", "events:UntagResource"),
        source=f"{PROVIDER_SOURCE}events/rule.go"),
    "aws_cloudwatch_event_target": TypePermissions(
        read=("events:ListTargetsByRule",), write=("events:PutTargets", "events:RemoveTargets"),
        source=f"{PROVIDER_SOURCE}events/target.go"),
}
"""IAM actions per resource type eksguard writes (module docstring)."""

DATA_SOURCE_PERMISSIONS: Mapping[str, TypePermissions] = {
    "aws_availability_zones": TypePermissions(read=("ec2:DescribeAvailabilityZones",),
                                              source=f"{PROVIDER_SOURCE}ec2/ec2_availability_zones_data_source.go"),
    # sts:GetCallerIdentity needs no permission (STS API Reference, GetCallerIdentity).
    "aws_caller_identity": TypePermissions(read=(), source="STS API Reference, GetCallerIdentity"),
    "aws_partition": TypePermissions(read=(), source="no API call: the provider's configured partition"),
    "aws_region": TypePermissions(read=(), source="no API call for the provider's own region"),
    "aws_iam_policy_document": TypePermissions(read=(), source="no API call: rendered by the provider"),
    "aws_eks_addon_version": TypePermissions(read=("eks:DescribeAddonVersions",),
                                             source=f"{PROVIDER_SOURCE}eks/addon_version_data_source.go"),
    "aws_secretsmanager_secret_version": TypePermissions(
        read=("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
        source=f"{PROVIDER_SOURCE}secretsmanager/secret_version_data_source.go"),
}
"""IAM actions per data source eksguard reads (every plan reads them)."""

# Where each service's writes may land: this account's (and region's) ARNs. EC2 and KMS
# writes touch ARNs of other owners (AWS's endpoint services, public prefix lists) or none
# (CreateKey), so they are scoped to the stack's region by aws:RequestedRegion instead.
_SCOPED_SERVICES = {
    "iam": ("arn:{p}:iam::{account}:role/*", "arn:{p}:iam::{account}:policy/*",
            "arn:{p}:iam::{account}:oidc-provider/*", "arn:{p}:iam::{account}:instance-profile/*"),
    "eks": ("arn:{p}:eks:{region}:{account}:*",),
    "logs": ("arn:{p}:logs:{region}:{account}:*",),
    "sqs": ("arn:{p}:sqs:{region}:{account}:*",),
    "events": ("arn:{p}:events:{region}:{account}:*",),
}


_TITLES = {"iam": "IAM", "eks": "EKS", "logs": "Logs", "sqs": "SQS", "events": "EventBridge"}
_OWN_STATEMENT = ("kms:CreateGrant",)
"""Writes with a statement of their own: EKS creates the cluster's grant on the key for
itself (``kms:GrantIsForAWSResource``)."""


def unknown_types(resource_types: Iterable[str], data_types: Iterable[str] = ()) -> list[str]:
    """The types without a row: what a derived policy cannot cover (``data.`` prefixed)."""
    return sorted({t for t in resource_types if t not in RESOURCE_PERMISSIONS}
                  | {f"data.{t}" for t in data_types if t not in DATA_SOURCE_PERMISSIONS})


def read_actions(resource_types: Iterable[str], data_types: Iterable[str] = ()) -> list[str]:
    """Every action a plan of these types calls, sorted."""
    rows = [*(RESOURCE_PERMISSIONS[t] for t in resource_types if t in RESOURCE_PERMISSIONS),
            *(DATA_SOURCE_PERMISSIONS[t] for t in data_types if t in DATA_SOURCE_PERMISSIONS)]
    return sorted({action for row in rows for action in row.read})


UNSCOPED_EKS_READS = ("eks:DescribeAddonVersions",)
"""EKS reads that take no resource (Service Authorization Reference, Amazon EKS)."""


EKS_CHILD_ARNS: Mapping[str, tuple[str, ...]] = {
    "aws_eks_node_group": ("nodegroup",),
    "aws_eks_addon": ("addon",),
    "aws_eks_access_entry": ("access-entry",),
    "aws_eks_access_policy_association": ("access-entry",),
    "aws_eks_pod_identity_association": ("podidentityassociation",),
    "aws_eks_fargate_profile": ("fargateprofile",),
    "aws_eks_identity_provider_config": ("identityproviderconfig",),
}
"""The ARN resource types under a cluster each Terraform type writes: ``<type>/<cluster>/...``
(Service Authorization Reference, Amazon EKS, "Resource types defined by Amazon EKS")."""


def _cluster_resources(cluster_names: Collection[str], partition: str, account: str, region: str,
                       resource_types: Collection[str] = ()) -> list[str]:
    """The clusters' ARNs and, type by type, their children's. Not ``*/<cluster>/*``: that
    also matches a child named like the cluster under another cluster
    (``nodegroup/other/<cluster>/...``)."""
    eks = f"arn:{partition}:eks:{region}:{account}"
    children = sorted({c for t in resource_types for c in EKS_CHILD_ARNS.get(t, ())})
    return [r for n in sorted(cluster_names)
            for r in (f"{eks}:cluster/{n}", *(f"{eks}:{c}/{n}/*" for c in children))]


EVENT_RULE_WRITES = ("events:PutRule", "events:PutTargets")
"""What sets what a rule matches and where it delivers: ``events:source`` and
``events:detail-type`` on PutRule, ``events:TargetArn`` on PutTargets (EventBridge User
Guide, "Using IAM policy conditions in Amazon EventBridge")."""


def _event_rule_statements(actions: Collection[str], rules: list[str],
                           event_rules: Mapping[str, Collection[str]]) -> list[dict[str, Any]]:
    """The stack's rules may match only its events and deliver only to its targets: not the
    region's API activity to another account's bus (the AWS review of this policy)."""
    def one(values: Collection[str]) -> Any:
        ordered = sorted(values)
        return ordered if len(ordered) > 1 else ordered[0]

    resource = rules if len(rules) > 1 else rules[0]
    statements = []
    if "events:PutRule" in actions and event_rules.get("source") and event_rules.get("detail-type"):
        statements.append({"Sid": "MatchStackEventsOnly", "Effect": "Allow", "Action": "events:PutRule",
                           "Resource": resource, "Condition": {"ForAllValues:StringEquals": {
                               "events:source": one(event_rules["source"]),
                               "events:detail-type": one(event_rules["detail-type"])},
                               # (a ForAllValues test passes on an absent key: both must be there)
                               "Null": {"events:source": "false", "events:detail-type": "false"}}})
    if "events:PutTargets" in actions and event_rules.get("target"):
        statements.append({"Sid": "DeliverToStackTargetsOnly", "Effect": "Allow", "Action": "events:PutTargets",
                           "Resource": resource, "Condition": {
                               "ForAllValues:ArnEquals": {"events:TargetArn": one(event_rules["target"])},
                               "Null": {"events:TargetArn": "false"}}})
    return statements


CLUSTER_CONFIG = "eks:UpdateClusterConfig"
"""Takes ``eks:endpointPublicAccess`` and ``eks:endpointPrivateAccess`` on the cluster
(Service Authorization Reference, Amazon EKS): present when the request sets them."""
ACCESS_ENTRY_WRITES = ("eks:CreateAccessEntry", "eks:UpdateAccessEntry")
"""What makes or changes an access entry: both take ``eks:principalArn`` (Service
Authorization Reference, Amazon EKS: CreateAccessEntry on the cluster, UpdateAccessEntry on
the access entry)."""
ASSOCIATE_ACCESS_POLICY = "eks:AssociateAccessPolicy"
"""Takes ``eks:policyArn`` and ``eks:principalArn`` on the access entry (same reference)."""


def _access_statements(actions: Collection[str], cluster_names: Collection[str], partition: str, account: str,
                       region: str, principals: Collection[str] | None,
                       by_policy: Mapping[str, Collection[str]] | None) -> list[dict[str, Any]]:
    """Access entries only for the stack's principals, and each access policy only to the
    principals the stack associates it to (``deploy_policy_document``)."""
    def arns(names: Collection[str]) -> list[str] | str:
        full = sorted(n if n.startswith("arn:") else f"arn:{partition}:iam::{account}:{n}" for n in names)
        return full if len(full) > 1 else full[0]

    eks = f"arn:{partition}:eks:{region}:{account}"
    entries = [f"{eks}:access-entry/{n}/*" for n in sorted(cluster_names)]
    statements: list[dict[str, Any]] = []
    writes = [a for a in ACCESS_ENTRY_WRITES if a in actions]
    if writes and principals:
        resources = [*(f"{eks}:cluster/{n}" for n in sorted(cluster_names)), *entries]
        statements.append({"Sid": "AccessEntriesOfStackPrincipals", "Effect": "Allow", "Action": writes,
                           "Resource": resources, "Condition": {"ArnLike": {"eks:principalArn": arns(principals)}}})
    if ASSOCIATE_ACCESS_POLICY in actions and by_policy:
        for number, policy in enumerate(sorted(by_policy), start=1):
            statements.append({"Sid": f"AssociateStackAccessPolicy{number}", "Effect": "Allow",
                               "Action": [ASSOCIATE_ACCESS_POLICY], "Resource": entries if len(entries) > 1
                               else entries[0],
                               "Condition": {"ArnEquals": {"eks:policyArn": policy},
                                             "ArnLike": {"eks:principalArn": arns(by_policy[policy])}}})
    return statements


READS_BY_ARN: Mapping[str, tuple[str, ...]] = {
    "kms": ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
    "logs": ("logs:ListTagsForResource", "logs:ListTagsLogGroup"),
    "sqs": ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"),
    "events": ("events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule"),
}
"""Reads a refresh calls that take one key, log group, queue or rule (Service Authorization
Reference: KMS ``key``, CloudWatch Logs ``log-group``, SQS ``queue``, EventBridge ``rule``):
named by ARN when the stack's are known. ``logs:DescribeLogGroups`` lists, and stays
regional."""


def read_key_arns(key_arns: Collection[str] | None, cluster_key_arns: Collection[str] | None) -> list[str] | None:
    """The keys a refresh reads: the stack's and the ones its clusters encrypt with (EKS's
    DescribeKey of an external key); None when a cluster's key is known only at apply."""
    if not key_arns:
        return None
    if cluster_key_arns is None:
        return None
    return sorted({*key_arns, *cluster_key_arns})


def _read_arns(partition: str, account: str, region: str, key_arns: Collection[str] | None,
               log_group_names: Collection[str] | None, queue_names: Collection[str] | None,
               event_rule_names: Collection[str] | None) -> dict[str, list[str]]:
    """Per service of ``READS_BY_ARN``, the ARNs of the stack's own (services whose names are
    not all known are left out: their reads stay regional)."""
    arns: dict[str, list[str]] = {}
    if key_arns:
        arns["kms"] = sorted(key_arns)
    if log_group_names:
        logs = f"arn:{partition}:logs:{region}:{account}:log-group:"
        arns["logs"] = [r for n in sorted(log_group_names) for r in (f"{logs}{n}", f"{logs}{n}:*")]
    if queue_names:
        arns["sqs"] = [f"arn:{partition}:sqs:{region}:{account}:{n}" for n in sorted(queue_names)]
    if event_rule_names:
        arns["events"] = [f"arn:{partition}:events:{region}:{account}:rule/{n}" for n in sorted(event_rule_names)]
    return arns


GLOBAL_SERVICES = ("iam", "sts")
"""Services whose requests name no region of the stack (IAM's and STS's global endpoint
sign for us-east-1): their reads are scoped by resource, not by ``aws:RequestedRegion``."""


def plan_policy_document(*, resource_types: Collection[str], data_types: Collection[str] = (),
                         region: str | None = None, partition: str = "aws", account: str = "*",
                         iam_names: Mapping[str, Collection[str]] | None = None,
                         cluster_names: Collection[str] | None = None,
                         key_arns: Collection[str] | None = None, log_group_names: Collection[str] | None = None,
                         queue_names: Collection[str] | None = None,
                         event_rule_names: Collection[str] | None = None) -> dict[str, Any]:
    """What a plan of these types reads, and nothing else. Regional reads take Resource "*"
    (most Describe and List actions allow no narrower resource); with ``region`` they are
    limited to the stack's region by ``aws:RequestedRegion``. With ``iam_names`` (as for
    ``deploy_policy_document``) IAM reads are limited to the stack's own roles, policies,
    instance profiles and OIDC providers: every IAM read a refresh calls takes one. With
    ``cluster_names``, EKS reads are limited to those clusters and what lies under them
    (``DescribeAddonVersions``, which takes no resource, stays regional). With ``key_arns``,
    ``log_group_names``, ``queue_names`` and ``event_rule_names`` (as for
    ``deploy_policy_document``), the reads that take a key, log group, queue or rule
    (``READS_BY_ARN``) name those only (``ReadStackResourcesByArn``): not another team's key
    policy or queue attributes."""
    actions = read_actions(resource_types, data_types)
    if region is None:
        return {"Version": POLICY_VERSION, "Statement": [
            {"Sid": "ReadStackResources", "Effect": "Allow", "Action": actions, "Resource": "*"}]}
    clusters = ([a for a in actions if a.startswith("eks:") and a not in UNSCOPED_EKS_READS]
                if cluster_names else [])
    arns = _read_arns(partition, account, region, key_arns, log_group_names, queue_names, event_rule_names)
    by_arn = [a for a in actions if a.split(":")[0] in arns and a in READS_BY_ARN[a.split(":")[0]]]
    regional = [a for a in actions if a.split(":")[0] not in GLOBAL_SERVICES and a not in clusters
                and a not in by_arn]
    iam = [a for a in actions if a.split(":")[0] == "iam"]
    statements: list[dict[str, Any]] = []
    if regional:
        statements.append({"Sid": "ReadStackResources", "Effect": "Allow", "Action": regional, "Resource": "*",
                           "Condition": {"StringEquals": {"aws:RequestedRegion": region}}})
    if by_arn:
        resources = sorted({r for service in {a.split(":")[0] for a in by_arn} for r in arns[service]})
        statements.append({"Sid": "ReadStackResourcesByArn", "Effect": "Allow", "Action": sorted(by_arn),
                           "Resource": resources if len(resources) > 1 else resources[0]})
    if clusters:
        statements.append({"Sid": "ReadStackClusters", "Effect": "Allow", "Action": clusters,
                           "Resource": _cluster_resources(cluster_names or (), partition, account, region,
                                                                   resource_types)})
    if iam:
        resources = (_iam_resources(iam_names, partition, account) if iam_names is not None
                     else [f"arn:{partition}:iam::{account}:*"])
        statements.append({"Sid": "ReadStackIAM", "Effect": "Allow", "Action": iam,
                           "Resource": resources if len(resources) > 1 else resources[0]})
    return {"Version": POLICY_VERSION, "Statement": statements}


def deploy_policy_document(*, resource_types: Collection[str], data_types: Collection[str] = (), partition: str,
                           account: str, region: str, passed_to: Collection[str],
                           cluster_names: Collection[str] | None = None,
                           log_group_names: Collection[str] | None = None,
                           iam_names: Mapping[str, Collection[str]] | None = None,
                           passed_role_names: Collection[str] | None = None,
                           passed_roles: Mapping[str, Collection[str]] | None = None,
                           attached_policy_arns: Collection[str] | None = None,
                           queue_names: Collection[str] | None = None,
                           event_rule_names: Collection[str] | None = None,
                           key_arns: Collection[str] | None = None,
                           stack_tag: str | None = None, iam_writes: bool = True,
                           role_boundaries: Collection[str] | None = None,
                           vpc_arns: Collection[str] = (), key_tag_keys: Collection[str] | None = None,
                           grant_key_arns: Collection[str] | None = None,
                           private_endpoints: bool = False, endpoint_services: Collection[str] | None = None,
                           event_rules: Mapping[str, Collection[str]] | None = None,
                           access_entry_principals: Collection[str] | None = None,
                           access_policy_principals: Mapping[str, Collection[str]] | None = None) -> dict[str, Any]:
    """What plan, apply and destroy of these types call: the reads, the writes (scoped to
    this account and region where the service has ARNs for them), ``iam:PassRole`` on this
    account's roles to the services in ``passed_to`` only, and the service-linked roles
    the services create on first use. With ``cluster_names`` (the stack's EKS clusters, all
    known at synth) EKS writes are limited to those clusters and what lies under them
    (node groups, add-ons, access entries, Pod Identity associations: their ARNs carry the
    cluster name first); with ``log_group_names``, Logs writes to those log groups; with
    ``iam_names`` (kind -> the ARN resource parts after ``<kind>/`` of the stack's roles,
    policies, instance profiles and OIDC providers: names, ``prefix*`` patterns), IAM writes
    are limited to those, so the role cannot touch any other role of the account; with
    ``passed_role_names`` too, ``iam:PassRole`` is limited to those of its roles (with
    ``passed_roles``, role name -> the services its resources hand it to, each role to its
    own services only, a statement per set of services); with
    ``attached_policy_arns`` (ARNs, or ``policy/<pattern>`` for the stack's own policies),
    attaching and detaching role policies is limited to those (``iam:PolicyARN``), so no
    role of the stack can be given ``AdministratorAccess``; with ``queue_names`` and
    ``event_rule_names`` (names, ``prefix*`` patterns), SQS and EventBridge writes reach
    those queues and rules only; with ``key_arns`` (the stack's KMS keys), what changes or
    deletes a key (its policy, rotation, state, deletion) reaches those keys only; with
    ``iam_writes=False`` no IAM write at all (reads, ``iam:PassRole`` and service-linked
    roles stay: ``StackPermissions.DEPLOY_EXCEPT_IAM``); with ``stack_tag`` (the value of
    the ``eksguard:stack`` tag the stack's IAM resources carry), IAM writes are denied on
    any IAM resource tagged as another stack's
    (``LeaveOtherStacksIAM``): name patterns alone are not unique across stacks
    (``eks-cluster-*`` is every eksguard stack's cluster role); with ``role_boundaries``
    (the permissions boundaries the stack's roles carry, ``CiRoleOptions.stack_roles_boundary_arn``
    and any a role sets itself), creating a role, putting or attaching a role policy and
    setting a boundary are allowed only on a role bounded by one of them
    (``WriteBoundedStackRoles``), no boundary may be deleted, and no boundary may get a new
    version (``KeepStackRolesBoundaries``). With ``stack_tag`` too, EC2 writes reach only
    EC2 resources tagged as the stack's (``eksguard.ci_permissions.ec2_tags``; ``vpc_arns``,
    the stack's VPCs, name the default security groups the stack empties), and a new KMS key
    may be tagged only as the stack's (``TagNewKeysAsThisStack``); with ``grant_key_arns``
    (the keys the stack's clusters encrypt secrets with) EKS's grants are on those only; and, with ``key_tag_keys``
    (the keys of the tags the stack's keys carry), with those keys only. With ``cluster_names`` and
    ``access_entry_principals`` (the principals of the stack's access entries: ARNs, or
    ``role/<pattern>`` for its own roles), access entries may be created and changed only
    for those (``eks:principalArn``); with ``access_policy_principals`` too (per access
    policy ARN, the principals the stack associates it to), each access policy may be
    associated only to those (``eks:policyArn``): the role cannot make another principal,
    its own included, an administrator of the stack's clusters. With ``private_endpoints``
    (every cluster's API endpoint private), a cluster's configuration may change only with
    the endpoint kept private (``eks:endpointPublicAccess``, ``eks:endpointPrivateAccess``);
    with ``endpoint_services`` (the stack's VPC endpoints' service names), VPC endpoints
    only to those services (``ec2:VpceServiceName``); with ``event_rules`` (``source``,
    ``detail-type`` and ``target`` -> what the stack's EventBridge rules match and deliver
    to), rules only with those and targets only those (``events:source``,
    ``events:detail-type``, ``events:TargetArn``)."""
    rows = [RESOURCE_PERMISSIONS[t] for t in sorted(resource_types) if t in RESOURCE_PERMISSIONS]
    reads = set(read_actions(resource_types, data_types))
    writes = sorted({a for row in rows for a in row.write} - reads)
    writes = [a for a in writes if a not in TRUST_CHANGES]
    if not iam_writes:
        writes = [a for a in writes if not a.startswith("iam:")]
    statements: list[dict[str, Any]] = [*plan_policy_document(
        resource_types=resource_types, data_types=data_types, region=region, partition=partition, account=account,
        iam_names=iam_names, cluster_names=cluster_names, key_arns=read_key_arns(key_arns, grant_key_arns),
        log_group_names=log_group_names, queue_names=queue_names, event_rule_names=event_rule_names)["Statement"]]
    scoped = {service: [a for a in writes if a.split(":")[0] == service] for service in _SCOPED_SERVICES}
    unscoped = [a for a in writes if a.split(":")[0] not in _SCOPED_SERVICES and a not in _OWN_STATEMENT]
    # Route 53 is global: its requests name us-east-1 whatever the stack's region (IAM User
    # Guide, aws:RequestedRegion), so its one write is scoped by resource instead.
    route53 = [a for a in unscoped if a.startswith("route53:")]
    # What changes or deletes an existing key, on the stack's own keys only (their ARNs,
    # known after apply): the calls a create makes stay regional (KMS_AT_CREATE).
    keys = [a for a in unscoped if a.startswith("kms:") and a not in KMS_AT_CREATE] if key_arns else []
    # With the stack's tag: EC2 writes on the stack's tagged EC2 only, and a new key's tags
    # only with the stack's (existing keys are tagged through ChangeStackKeysOnly).
    ec2 = [a for a in unscoped if a.startswith("ec2:")] if stack_tag is not None else []
    tag_new_keys = stack_tag is not None and key_arns and KMS_TAG in unscoped
    if tag_new_keys:
        keys = sorted({*keys, KMS_TAG})
    unscoped = [a for a in unscoped if a not in route53 and a not in keys and a not in ec2]
    if unscoped:
        statements.append({"Sid": "WriteStackResourcesInThisRegion", "Effect": "Allow", "Action": unscoped,
                           "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": region}}})
    if route53:
        private_dns: dict[str, Any] = {"Sid": "PrivateDnsOfEndpoints", "Effect": "Allow",
                                       "Action": route53 if len(route53) > 1 else route53[0],
                                       "Resource": f"arn:{partition}:route53:::hostedzone/*"}
        vpc_ids = sorted(a[:-len(".arn}")] + ".id}" for a in vpc_arns if a.startswith("${") and a.endswith(".arn}"))
        if vpc_ids and len(vpc_ids) == len(vpc_arns):
            # Only the stack's VPCs may be associated (route53:VPCs, the VPCs in the request:
            # Route 53 Developer Guide, "VPC permissions"), matched by their ids within the
            # key's value, whatever its exact form; absent, as it may be in the call EC2
            # makes for an endpoint's private DNS, it passes (ForAllValues).
            private_dns["Condition"] = {"ForAllValues:StringLike": {
                "route53:VPCs": [f"*{v}*" for v in vpc_ids] if len(vpc_ids) > 1 else f"*{vpc_ids[0]}*"}}
        statements.append(private_dns)
    if keys:
        arns = sorted(key_arns or ())
        statements.append({"Sid": "ChangeStackKeysOnly", "Effect": "Allow", "Action": keys,
                           "Resource": arns if len(arns) > 1 else arns[0]})
    if tag_new_keys:
        # A new key is not in the ARN list yet; any key of the region could be tagged through
        # this statement, so only with the stack's tag and the keys the stack's keys carry:
        # no other tag can be put on another team's key (tag-based KMS access).
        condition: dict[str, Any] = {"StringEquals": {f"aws:RequestTag/{STACK_TAG_KEY}": stack_tag,
                                                      "aws:RequestedRegion": region}}
        if key_tag_keys is not None:
            keys_allowed = sorted({*key_tag_keys, STACK_TAG_KEY})
            condition["ForAllValues:StringEquals"] = {"aws:TagKeys": keys_allowed if len(keys_allowed) > 1
                                                      else keys_allowed[0]}
        statements.append({"Sid": "TagNewKeysAsThisStack", "Effect": "Allow", "Action": KMS_TAG, "Resource": "*",
                           "Condition": condition})
    launches = {"aws_eks_node_group", "aws_launch_template"} <= set(resource_types)
    if ec2 or (launches and stack_tag is not None):
        statements.extend(ec2_statements(writes=ec2, resource_types=resource_types, partition=partition,
                                         account=account, region=region, stack_tag=stack_tag or "",
                                         vpc_arns=vpc_arns, launches_from_templates=launches,
                                         endpoint_services=endpoint_services))
    if "kms:CreateGrant" in writes:
        # With grant_key_arns (the keys the stack's clusters encrypt with), those keys only.
        grant_keys: Any = sorted(grant_key_arns) if grant_key_arns else "*"
        statements.append({"Sid": "LetServicesUseStackKeys", "Effect": "Allow", "Action": "kms:CreateGrant",
                           "Resource": grant_keys if grant_keys == "*" or len(grant_keys) > 1 else grant_keys[0],
                           "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"},
                                                          "StringEquals": {"aws:RequestedRegion": region}}})
    if launches and stack_tag is None:
        statements.extend(launch_from_stack_templates(partition, account, region))
    bounded: list[str] = []
    if role_boundaries and iam_writes:
        scoped["iam"] = [a for a in scoped["iam"] if a not in BOUNDED_ROLE_WRITES and a != BOUNDARY_DELETE]
        bounded = [a for a in writes if a in BOUNDED_ROLE_WRITES]
    for service, actions in scoped.items():
        if actions and service == "iam" and iam_names is not None:
            statements.append(_stack_iam(statements, actions, iam_names, attached_policy_arns, partition, account))
        elif actions:
            resources = [r.format(p=partition, account=account, region=region) for r in _SCOPED_SERVICES[service]]
            if service == "eks" and cluster_names:
                resources = _cluster_resources(cluster_names, partition, account, region, resource_types)
                access = _access_statements(actions, cluster_names, partition, account, region,
                                            access_entry_principals, access_policy_principals)
                if private_endpoints and CLUSTER_CONFIG in actions:
                    clusters = [f"arn:{partition}:eks:{region}:{account}:cluster/{n}" for n in sorted(cluster_names)]
                    access.append({"Sid": "KeepClusterEndpointsPrivate", "Effect": "Allow",
                                   "Action": [CLUSTER_CONFIG], "Resource": clusters if len(clusters) > 1 else clusters[0],
                                   "Condition": {"BoolIfExists": {"eks:endpointPublicAccess": "false",
                                                                  "eks:endpointPrivateAccess": "true"}}})
                actions = [a for a in actions if not any(a in s["Action"] for s in access)]
                statements.extend(access)
                # the cluster reads name the same ARNs: one statement for both
                reads = next((x for x in statements if x.get("Sid") == "ReadStackClusters"), None)
                if reads is not None:
                    statements.remove(reads)
                    actions = sorted({*reads["Action"], *actions})
            if service == "sqs" and queue_names:
                resources = [f"arn:{partition}:sqs:{region}:{account}:{n}" for n in sorted(queue_names)]
            if service == "events" and event_rule_names:
                resources = [f"arn:{partition}:events:{region}:{account}:rule/{n}" for n in sorted(event_rule_names)]
                if event_rules is not None:
                    # what the rules match and whom they deliver to: the stack's own only
                    statements.extend(_event_rule_statements(actions, resources, event_rules))
                    actions = [a for a in actions if a not in EVENT_RULE_WRITES]
            if service == "logs" and log_group_names:
                logs = f"arn:{partition}:logs:{region}:{account}:log-group:"
                resources = [r for n in sorted(log_group_names) for r in (f"{logs}{n}", f"{logs}{n}:*")]
            statements.append({"Sid": f"Write{_TITLES[service]}InThisAccount", "Effect": "Allow", "Action": actions,
                               "Resource": resources if len(resources) > 1 else resources[0]})
        if service == "iam" and bounded:
            stack_iam = next((x for x in statements if x.get("Sid") == "StackIAM"), {})
            statements.append(_bounded_stack_roles(stack_iam, bounded, iam_names or {"role": ("*",)},
                                                   role_boundaries or (), partition, account))
    if any(row.passes_role for row in rows) and passed_roles and iam_names is not None:
        statements.extend(_pass_roles_to_their_services(passed_roles, partition, account, stack_tag))
    elif any(row.passes_role for row in rows) and passed_to:
        roles = (_iam_resources({"role": passed_role_names}, partition, account)
                 if iam_names is not None and passed_role_names else [f"arn:{partition}:iam::{account}:role/*"])
        statements.append({"Sid": "PassStackRolesToTheirServices", "Effect": "Allow", "Action": "iam:PassRole",
                           "Resource": roles if len(roles) > 1 else roles[0],
                           "Condition": {"StringEquals": {"iam:PassedToService": sorted(passed_to)}}})
    if stack_tag is not None and any(a.startswith("iam:") for a in writes):
        statements.append(leave_other_stacks_iam(stack_tag))
        if "iam:CreatePolicyVersion" in writes or "iam:DeletePolicy" in writes:
            statements.append(change_own_policies_only(stack_tag))
    if bounded:
        arns = sorted(role_boundaries or ())
        statements.append({"Sid": "KeepStackRolesBoundaries", "Effect": "Deny",
                           "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
                           "Resource": arns if len(arns) > 1 else arns[0]})
    linked = sorted({name for row in rows for name in row.service_linked_roles})
    if linked:
        statements.append({"Sid": "CreateServiceLinkedRoles", "Effect": "Allow",
                           "Action": "iam:CreateServiceLinkedRole",
                           "Resource": f"arn:{partition}:iam::{account}:role/aws-service-role/*",
                           "Condition": {"StringEquals": {"iam:AWSServiceName": linked}}})
    return {"Version": POLICY_VERSION, "Statement": statements}


def _stack_iam(statements: list[dict[str, Any]], writes: list[str], iam_names: Mapping[str, Collection[str]],
               attached_policy_arns: Collection[str] | None, partition: str, account: str) -> dict[str, Any]:
    """One statement for the stack's own IAM: its reads (taken out of ``ReadStackIAM``, which
    names the same resources) and writes, and, with ``attached_policy_arns``, role policy
    attachments only of those policies (``ArnLikeIfExists``: only attach and detach carry
    ``iam:PolicyARN``). One list of the stack's IAM ARNs rather than three keeps the
    document within IAM's 10,240-character quota for a role's inline policies."""
    resources = _iam_resources(iam_names, partition, account)
    reads: list[str] = []
    for index, statement in enumerate(statements):
        if statement.get("Sid") == "ReadStackIAM":
            reads = list(statement["Action"])
            del statements[index]
            break
    statement: dict[str, Any] = {"Sid": "StackIAM", "Effect": "Allow", "Action": _compact_iam({*reads, *writes}),
                                 "Resource": resources if len(resources) > 1 else resources[0]}
    if attached_policy_arns is not None and any(a in POLICY_ATTACHMENTS for a in writes):
        own = collapse_patterns({a.removeprefix("policy/") for a in attached_policy_arns if not a.startswith("arn:")})
        policies = sorted([*(a for a in attached_policy_arns if a.startswith("arn:")),
                           *(f"arn:{partition}:iam::{account}:policy/{a}" for a in own)])
        statement["Condition"] = {"ArnLikeIfExists": {"iam:PolicyARN": policies if len(policies) > 1 else policies[0]}}
    return statement


BOUNDED_ROLE_WRITES = ("iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
                       "iam:PutRolePolicy")
"""What gives a role permissions: with a roles boundary, allowed only where the role's
boundary (for PutRolePermissionsBoundary, the new one) is the stack's
(``iam:PermissionsBoundary``, which the Service Authorization Reference lists for each)."""
BOUNDARY_DELETE = "iam:DeleteRolePermissionsBoundary"


def _bounded_stack_roles(stack_iam: dict[str, Any], actions: list[str], iam_names: Mapping[str, Collection[str]],
                         boundaries: Collection[str], partition: str, account: str) -> dict[str, Any]:
    """The writes that give a stack role permissions, on the stack's roles, only under one
    of ``boundaries`` (IAM User Guide, "Permissions boundaries for IAM entities": the
    delegation example's ``iam:PermissionsBoundary`` condition), and attachments still only
    of the stack's policies."""
    roles = [r for r in _iam_resources({"role": iam_names.get("role", ())}, partition, account) if ":role/" in r
             or r.startswith("${")] or [f"arn:{partition}:iam::{account}:role/*"]
    arns = sorted(boundaries)
    condition: dict[str, Any] = {"StringEquals": {"iam:PermissionsBoundary": arns if len(arns) > 1 else arns[0]}}
    if "Condition" in stack_iam:
        condition.update(stack_iam["Condition"])
    return {"Sid": "WriteBoundedStackRoles", "Effect": "Allow", "Action": sorted(actions),
            "Resource": roles if len(roles) > 1 else roles[0], "Condition": condition}


KMS_TAG = "kms:TagResource"
KMS_AT_CREATE = ("kms:CreateKey", "kms:EnableKeyRotation", KMS_TAG)
"""What hashicorp/aws calls for a new key (internal/service/kms/key.go: CreateKey with its
policy and tags, which KMS authorizes as kms:TagResource, then EnableKeyRotation): a key
made in this run is not in the policy's key list yet, so these stay regional (tagging, with
the stack's tag, only with that tag in the request)."""
IAM_WRITE_VERBS = ("Add", "Attach", "Create", "Delete", "Detach", "Put", "Remove", "Set", "Tag", "Untag", "Update")


POLICY_CHANGES = ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                  "iam:SetDefaultPolicyVersion")
"""What changes or deletes an existing managed policy."""


def change_own_policies_only(stack_tag: str) -> dict[str, Any]:
    """Deny changing or deleting a managed policy not tagged as this stack's, untagged ones
    too (a negated operator matches an absent key: IAM User Guide, "Condition operators").

    A name pattern is not an owner: ``KarpenterController*Policy-prod-*`` also matches the
    policies of a cluster named ``prod-eu`` made elsewhere (upstream's CloudFormation), and one
    ``CreatePolicyVersion`` on one of them would make that cluster's controller role an
    administrator (the AWS review of this policy). Every policy the stack makes carries the
    tag from its create, and a new version is written in a later run than the create; not
    ``CreatePolicy`` nor ``TagPolicy`` (a policy being created has no tags yet). A policy
    made before the tag is the stack's own upgrade, an administrator's apply."""
    return {"Sid": "ChangeOwnPoliciesOnly", "Effect": "Deny", "Action": list(POLICY_CHANGES),
            "Resource": "*", "Condition": {"StringNotEquals": {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag}}}


def leave_other_stacks_iam(stack_tag: str) -> dict[str, Any]:
    """Deny IAM writes on an IAM resource tagged as another stack's. Not ``iam:PassRole``: a
    stack may hand a service a role another stack made (a variable's, a data source's), and
    passing is already limited to the services the stack's roles trust.

    ``aws:ResourceTag`` is the resource's tags before the request (IAM User Guide,
    "Controlling access to AWS resources using tags"; roles, policies, instance profiles
    and OIDC providers all take it: Service Authorization Reference, IAM). An untagged
    resource is not denied (``Null``): the stack's own resources made before the tag
    existed get it at their next apply, and a resource being created has no tags yet."""
    return {"Sid": "LeaveOtherStacksIAM", "Effect": "Deny",
            "Action": [f"iam:{verb}*" for verb in IAM_WRITE_VERBS], "Resource": "*",
            "Condition": {"Null": {f"aws:ResourceTag/{STACK_TAG_KEY}": "false"},
                          "StringNotEquals": {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag}}}


def _pass_roles_to_their_services(passed_roles: Mapping[str, Collection[str]], partition: str,
                                  account: str, stack_tag: str | None = None) -> list[dict[str, Any]]:
    """``iam:PassRole`` of each role to the services the stack hands it to, and to no other:
    not a node role to EKS Pod Identity, nor the flow logs' role to EKS (the AWS reviews of
    the policy: a role passable to EC2 runs an instance with its credentials). One statement
    per set of services, their roles together. With ``stack_tag``, the stack's own roles
    (named by prefix, which another eksguard stack of the same construct ids shares) only
    when not tagged as another stack's (``StringEqualsIfExists`` on ``aws:ResourceTag``: a
    role made in this run may not show its tag yet): not another stack's node role into an
    instance of this one (the AWS review of this policy). A role of elsewhere (``*``) keeps
    no tag condition."""
    groups: dict[tuple[str, ...], set[str]] = {}
    for role, services in passed_roles.items():
        key = tuple(sorted(services)) + (("*",) if role == "*" else ())
        groups.setdefault(key, set()).add(role)
    statements = []
    for number, key in enumerate(sorted(groups), start=1):
        foreign = key[-1] == "*"
        services = key[:-1] if foreign else key
        roles = _iam_resources({"role": groups[key]}, partition, account)
        condition: dict[str, Any] = {"StringEquals": {"iam:PassedToService": list(services) if len(services) > 1
                                                      else services[0]}}
        if stack_tag is not None and not foreign:
            condition["StringEqualsIfExists"] = {f"aws:ResourceTag/{STACK_TAG_KEY}": stack_tag}
        statements.append({"Sid": "PassStackRolesToTheirServices" + (str(number) if len(groups) > 1 else ""),
                           "Effect": "Allow", "Action": "iam:PassRole",
                           "Resource": roles if len(roles) > 1 else roles[0], "Condition": condition})
    return statements


TRUST_CHANGES = ("iam:UpdateAssumeRolePolicy",)
"""What no derived deploy role may call: a role's trust says who may be it, and the call
takes no ``iam:PermissionsBoundary`` (Service Authorization Reference, IAM), so with it the
role could re-trust a role of the account that matches a stack prefix without being the
stack's (made by hand, privileged) after tagging it as the stack's, and then be it (the
second AWS review of this policy). A stack role's new trust comes with its CreateRole; a
changed trust (a service account added to an IRSA role, a replaced cluster's issuer) is an
administrator's apply."""


COMPACT_IAM_PREFIXES = ("iam:Get", "iam:List", "iam:Tag", "iam:Untag")


def _compact_iam(actions: Collection[str]) -> list[str]:
    """The actions with every ``Get``, ``List``, ``Tag`` and ``Untag`` one as a wildcard:
    on the stack's own IAM ARNs these only read or label what the stack owns, and the
    document stays within IAM's inline quota."""
    kept = {a for a in actions if not a.startswith(COMPACT_IAM_PREFIXES)}
    wild = {f"{prefix}*" for prefix in COMPACT_IAM_PREFIXES for a in actions if a.startswith(prefix)}
    return sorted(kept | wild)


IAM_KINDS = ("role", "policy", "oidc-provider", "instance-profile")
POLICY_ATTACHMENTS = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")


COLLAPSE_MIN_PREFIX, COLLAPSE_MIN_SUFFIX = 12, 8
"""How long the prefix and the suffix that name patterns share must be before they are
written as one (``collapse_patterns``)."""


def collapse_patterns(names: set[str]) -> set[str]:
    """``names`` with what another pattern covers left out (``eks-cluster-*`` covers
    ``eks-cluster-autoscaler-*``), and prefix patterns that share a long prefix and suffix
    (12 and 8 characters) written as one: ``KarpenterControllerEKSIntegrationPolicy-ref-*`` and four like it as
    ``KarpenterController*Policy-ref-*``, which matches this cluster's policies only as
    much as the five did (patterns are grouped by their first 12 characters first). For
    IAM's size quotas."""
    names = {n for n in names if not any(o != n and o.endswith("*") and fnmatchcase(n, o) for o in names)}
    groups: dict[str, list[str]] = {}
    for n in sorted(names):
        if n.endswith("*") and "*" not in n[:-1] and not n.startswith("${"):
            groups.setdefault(n[:COLLAPSE_MIN_PREFIX], []).append(n[:-1])
    for stems in groups.values():
        if len(stems) < 3:
            continue
        prefix = os.path.commonprefix(stems)
        suffix = os.path.commonprefix([s[::-1] for s in stems])[::-1]
        if len(prefix) >= COLLAPSE_MIN_PREFIX and len(suffix) >= COLLAPSE_MIN_SUFFIX and all(
                len(s) >= len(prefix) + len(suffix) for s in stems):
            names = {n for n in names if n[:-1] not in stems} | {f"{prefix}*{suffix}*"}
    return names


def _iam_resources(iam_names: Mapping[str, Collection[str]], partition: str, account: str) -> list[str]:
    """The IAM ARNs of ``iam_names``, kind by kind; a kind with a ``*`` is the whole kind."""
    resources = []
    for kind in IAM_KINDS:
        names = collapse_patterns(set(iam_names.get(kind, ())))
        for name in (["*"] if "*" in names else sorted(names)):
            # A whole ARN known only at apply (``${...arn}``, an EKS cluster's OIDC provider) as it is.
            resources.append(name if name.startswith("${") else f"arn:{partition}:iam::{account}:{kind}/{name}")
    return resources or [f"arn:{partition}:iam::{account}:{kind}/*" for kind in IAM_KINDS]


def deploy_policy_part(document: Mapping[str, Any], part: int, parts: int = DEPLOY_POLICY_PARTS) -> dict[str, Any]:
    """Part ``part`` (from 1) of ``document`` cut into ``parts`` documents, each with one
    statement at least, the statements packed so that the longest part is short (the
    largest statement first into the part shortest so far; in each part the document's
    order): together the parts hold every statement once. Allows and denies may fall in
    different parts; IAM evaluates the policies of a role together (IAM User Guide,
    "Policy evaluation logic"), so their order and grouping do not matter."""
    statements = list(document["Statement"])
    bins = _packed_parts([len(compact(s)) for s in statements], parts)
    return {"Version": document.get("Version", POLICY_VERSION),
            "Statement": [statements[i] for i in bins[part - 1]]}


def _packed_parts(sizes: list[int], parts: int) -> list[list[int]]:
    """The statement indices of each of ``parts`` parts: longest-first, each into the part
    with the smallest total so far (ties: the lower part), indices in order within a part."""
    if len(sizes) < parts:
        raise ValueError(f"{len(sizes)} statements cannot fill {parts} policies")
    bins: list[list[int]] = [[] for _ in range(parts)]
    totals = [0] * parts
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        target = min(range(parts), key=lambda b: (totals[b], b))
        bins[target].append(index)
        totals[target] += sizes[index]
    return [sorted(b) for b in bins]


def compact(document: Mapping[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))
