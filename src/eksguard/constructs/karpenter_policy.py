"""The Karpenter controller's identity policies, statement by statement after upstream's.

They follow aws/karpenter-provider-aws's five-policy controller template, vendored as
``eksguard/constructs/upstream/karpenter_controller_policies.json`` (a test diffs the two):
``website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml``
at commit 8b5313cae4b8, the docs of the latest release at that commit (the v1.10 template,
as the second AWS review dated it; no later template was in reach to compare) (``NodeLifecyclePolicy``, ``IAMIntegrationPolicy``,
``EKSIntegrationPolicy``, ``InterruptionPolicy``, ``ResourceDiscoveryPolicy``), with the same
Sids, actions and conditions, and these deviations, each narrower than upstream:

- EC2 ARNs name this account where upstream leaves ``*``: Karpenter only launches into, tags
  and deletes this account's resources. Subnets and security groups of a VPC another account
  shares with this one are allowed by naming that account (``vpc_owner_account_id``).
- ``iam:ListInstanceProfiles`` (upstream: ``Resource: *``) is limited to the IAM path
  Karpenter lists, ``/karpenter/<region>/<cluster>/``: its instance-profile garbage
  collection always lists with that path prefix, and IAM authorizes the call against it.
- The other instance-profile statements keep upstream's ``instance-profile/*`` and its tag
  conditions (this cluster, this region, an EC2NodeClass): Karpenter creates profiles under
  ``/karpenter/<region>/<cluster>/<nodeclass-uid>/`` only in some versions and cases (the
  provider's ``usePath``), and an EC2NodeClass may name a profile of any path
  (``spec.instanceProfile``), so a path scope would break those.
- ``iam:PassRole`` names the node role eksguard creates (upstream's too), nothing else.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from eksguard.constructs._private import POLICY_VERSION, account_id, partition, region_name

Statement = dict[str, Any]

UPSTREAM = ("aws/karpenter-provider-aws, website/content/en/docs/getting-started/"
            "getting-started-with-karpenter/cloudformation.yaml @ 8b5313cae4b8 (the v1.10 docs template)")
EC2_SERVICE_PRINCIPALS = ("ec2.amazonaws.com", "ec2.amazonaws.com.cn")
"""What ``iam:PassedToService`` says for EC2: the second in the China partition."""
NODE_LIFECYCLE = "KarpenterControllerNodeLifecyclePolicy"
IAM_INTEGRATION = "KarpenterControllerIAMIntegrationPolicy"
EKS_INTEGRATION = "KarpenterControllerEKSIntegrationPolicy"
INTERRUPTION = "KarpenterControllerInterruptionPolicy"
RESOURCE_DISCOVERY = "KarpenterControllerResourceDiscoveryPolicy"
REGIONAL_READ_ACTIONS = (
    "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances",
    "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets")
QUEUE_ACTIONS = ("sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage")


def controller_policies(scope: Construct, *, cluster_name: str, node_role_arn: str, queue_arn: str | None,
                        vpc_owner_account_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Upstream's controller policies, name -> document, in upstream's order; the
    interruption policy only with a queue (``queue_arn``).

    Example::

        controller_policies(stack, cluster_name="prod", node_role_arn=role.arn, queue_arn=queue.arn)
    """
    p, region, account = partition(scope), region_name(scope), account_id(scope)
    ec2 = f"arn:{p}:ec2:{region}"
    profiles = f"arn:{p}:iam::{account}:instance-profile/*"
    owned = f"kubernetes.io/cluster/{cluster_name}"
    network_accounts = [account] + ([vpc_owner_account_id] if vpc_owner_account_id else [])
    created = [f"{ec2}:{account}:{kind}/*" for kind in
               ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")]
    policies: dict[str, dict[str, Any]] = {
        NODE_LIFECYCLE: _document(
            {"Sid": "AllowScopedEC2InstanceAccessActions", "Effect": "Allow",
             "Resource": [f"{ec2}::image/*", f"{ec2}::snapshot/*",
                          *[f"{ec2}:{a}:security-group/*" for a in network_accounts],
                          *[f"{ec2}:{a}:subnet/*" for a in network_accounts],
                          f"{ec2}:{account}:capacity-reservation/*"],
             "Action": ["ec2:RunInstances", "ec2:CreateFleet"]},
            {"Sid": "AllowScopedEC2LaunchTemplateAccessActions", "Effect": "Allow",
             "Resource": f"{ec2}:{account}:launch-template/*",
             "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
            {"Sid": "AllowScopedEC2InstanceActionsWithTags", "Effect": "Allow", "Resource": created,
             "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster_name},
                           "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
            {"Sid": "AllowScopedResourceCreationTagging", "Effect": "Allow", "Resource": created,
             "Action": "ec2:CreateTags",
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster_name,
                                            "ec2:CreateAction": ["RunInstances", "CreateFleet",
                                                                 "CreateLaunchTemplate"]},
                           "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
            {"Sid": "AllowScopedResourceTagging", "Effect": "Allow", "Resource": f"{ec2}:{account}:instance/*",
             "Action": "ec2:CreateTags",
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                           "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster_name},
                           "ForAllValues:StringEquals": {
                               "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]}}},
            {"Sid": "AllowScopedDeletion", "Effect": "Allow",
             "Resource": [f"{ec2}:{account}:instance/*", f"{ec2}:{account}:launch-template/*"],
             "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
        ),
        IAM_INTEGRATION: _document(
            {"Sid": "AllowPassingInstanceRole", "Effect": "Allow", "Resource": node_role_arn,
             "Action": "iam:PassRole",
             "Condition": {"StringEquals": {"iam:PassedToService": list(EC2_SERVICE_PRINCIPALS)}}},
            {"Sid": "AllowScopedInstanceProfileCreationActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:CreateInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster_name,
                                            "aws:RequestTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileTagActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:TagInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned",
                                            "aws:ResourceTag/topology.kubernetes.io/region": region,
                                            f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster_name,
                                            "aws:RequestTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                                          "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                        "iam:DeleteInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned",
                                            "aws:ResourceTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
        ),
        EKS_INTEGRATION: _document(
            {"Sid": "AllowAPIServerEndpointDiscovery", "Effect": "Allow",
             "Resource": f"arn:{p}:eks:{region}:{account}:cluster/{cluster_name}", "Action": "eks:DescribeCluster"},
        ),
    }
    if queue_arn is not None:
        policies[INTERRUPTION] = _document(
            {"Sid": "AllowInterruptionQueueActions", "Effect": "Allow", "Resource": queue_arn,
             "Action": list(QUEUE_ACTIONS)})
    policies[RESOURCE_DISCOVERY] = _document(
        {"Sid": "AllowRegionalReadActions", "Effect": "Allow", "Resource": "*",
         "Action": list(REGIONAL_READ_ACTIONS),
         "Condition": {"StringEquals": {"aws:RequestedRegion": region}}},
        # AWS's public parameters (AMI IDs): they live outside any account.
        {"Sid": "AllowSSMReadActions", "Effect": "Allow",
         "Resource": f"arn:{p}:ssm:{region}::parameter/aws/service/*", "Action": "ssm:GetParameter"},
        # The Price List API has no resources to name, and serves few regions.
        {"Sid": "AllowPricingReadActions", "Effect": "Allow", "Resource": "*", "Action": "pricing:GetProducts"},
        # Upstream's Sid, kept for tracing; the resource is narrower (module docstring).
        {"Sid": "AllowUnscopedInstanceProfileListAction", "Effect": "Allow",
         "Resource": f"arn:{p}:iam::{account}:instance-profile/karpenter/{region}/{cluster_name}/*",
         "Action": "iam:ListInstanceProfiles"},
        {"Sid": "AllowInstanceProfileReadActions", "Effect": "Allow", "Resource": profiles,
         "Action": "iam:GetInstanceProfile"},
    )
    return policies


def _document(*statements: Statement) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}
