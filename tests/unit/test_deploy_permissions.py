"""The permissions CI roles derive from their stack (``eksguard.ci_permissions``): a row for
every type eksguard writes and every type of each reference variant, the exact documents
for small stacks, the data-read denies and what they spare, the refused choices, and a
policy that fits IAM's inline limit."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

import main
from eksguard import (
    GitHubActionsOidcProvider,
    GitHubActionsOidcProviderProps,
    GitHubActionsRole,
    GitHubActionsRoleProps,
    StackPermissions,
    TerraformCloudOidcProvider,
    TerraformCloudPlanRoleOptions,
    TerraformCloudWorkspaceRole,
    TerraformCloudWorkspaceRoleProps,
    ValidationError,
)
from eksguard import _validation as v
from eksguard._framework import PROVIDER_PACKAGES, aws
from eksguard.ci_permissions import (
    DATA_READ_ACTIONS,
    DATA_SOURCE_PERMISSIONS,
    RESOURCE_PERMISSIONS,
    data_read_deny_document,
    deploy_policy_document,
    unknown_types,
)
from eksguard.ci_permissions.deploy import MANAGED_POLICY_LIMIT
from eksguard.ci_permissions.data_reads import NEEDED_BY, PARAMETER_VALUE_ACTIONS, allowed_by
from eksguard.constructs import ci_identity as ci
from eksguard.constructs.network import ClusterNetwork, ClusterNetworkProps
from eksguard.guardrails.readiness import check_readiness

SOURCE = Path(__file__).resolve().parents[2] / "src" / "eksguard"
PARTITION = "${data.aws_partition.eksguard-partition.partition}"
ACCOUNT = "${data.aws_caller_identity.eksguard-account.account_id}"
REGION = "${data.aws_region.eksguard-region.name}"
INLINE_POLICY_LIMIT = 10_240
"""IAM quota: a role's inline policies together, whitespace not counted (IAM User Guide,
IAM and AWS STS quotas)."""
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")

IAM_READS = ["iam:GetOpenIDConnectProvider", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
             "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies"]
VPC_READS = ["ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules",
             "ec2:DescribeSecurityGroups", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcs"]


POLICY_READS = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions"]


def _reads(role_prefix, oidc_host, *, deploy_policies=False):
    """The read statements of a VPC and one CI role of ``role_prefix`` trusting ``oidc_host``:
    regional reads in the stack's region, IAM reads of the stack's role and provider (and,
    with ``deploy_policies``, of a deploy role's derived managed policies)."""
    policies = [f"arn:{PARTITION}:iam::{ACCOUNT}:policy/eksguard-stack-deploy-*"] if deploy_policies else []
    return [{"Sid": "ReadStackResources", "Effect": "Allow", "Action": VPC_READS, "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}},
            {"Sid": "ReadStackIAM", "Effect": "Allow",
             "Action": sorted(IAM_READS + (POLICY_READS if deploy_policies else [])),
             "Resource": [f"arn:{PARTITION}:iam::{ACCOUNT}:role/{role_prefix}", *policies,
                          f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/{oidc_host}"]}]


def _policies(out):
    """The inline policies by path, and each deploy role's derived managed policies joined
    in order under ``<role construct>/stack-permissions`` (their parts are cut from one
    document, packed: their statements are returned in Sid order)."""
    policies = {path: json.loads(body["policy"]) for path, body in out.of_type("aws_iam_role_policy").items()}
    parts = sorted((path, json.loads(body["policy"])) for path, body in out.of_type("aws_iam_policy").items()
                   if body.get("name_prefix", "").startswith("eksguard-stack-deploy-"))
    for path, document in parts:
        joined = policies.setdefault(path.rsplit("-", 1)[0], {"Version": "2012-10-17", "Statement": []})
        joined["Statement"] = _by_sid([*joined["Statement"], *document["Statement"]])
    return policies


def _by_sid(statements):
    """Statements in Sid order: the parts of a derived document are packed, not cut in order
    (test_the_deploy_document_is_packed_into_parts_the_longest_first)."""
    return sorted(statements, key=lambda s: s.get("Sid", ""))


def _deploy_parts(document):
    """A synthesized stack's derived deploy policies, in order: (body, policy document)."""
    bodies = sorted(((b["//"]["metadata"]["path"], b) for b in document["resource"].get("aws_iam_policy", {}).values()
                     if b.get("name_prefix", "").startswith("eksguard-stack-deploy-")), key=lambda x: x[0])
    return [(b, json.loads(b["policy"])) for _, b in bodies]


def _github_role(stack, **props):
    return GitHubActionsRole(stack, "deploy", props=GitHubActionsRoleProps(**{
        "oidc_provider": GitHubActionsOidcProvider(stack, "github"), "repository": "acme/infra", **props}))


def _vpc_and(role):
    def build(stack):
        aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
        role(stack)
    return build


# The rows ---------------------------------------------------------------------------------

def _provider_types_written_by_eksguard() -> set[str]:
    """Every ``aws.<submodule>.`` the package's constructs use that is a provider submodule."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(re.findall(r"\baws\.([a-z0-9_]+)", path.read_text()))
    package = PROVIDER_PACKAGES["cdktn"]
    return {name for name in names if importlib.util.find_spec(f"{package}.{name}") is not None
            and name not in ("provider",)}


def test_every_type_eksguard_writes_or_reads_has_a_row():
    found = _provider_types_written_by_eksguard()
    resources = {f"aws_{n}" for n in found if not n.startswith("data_aws_")}
    data = {n.removeprefix("data_aws_") for n in found if n.startswith("data_aws_")}
    # the scan must find what eksguard is known to write, or it proves nothing
    assert {"aws_eks_cluster", "aws_launch_template", "aws_nat_gateway", "aws_sqs_queue"} <= resources
    assert {"aws_availability_zones", "aws_eks_addon_version"} <= {f"aws_{d}" for d in data}
    assert unknown_types(resources, {f"aws_{d}" for d in data}) == []


@pytest.mark.parametrize("row", sorted({**RESOURCE_PERMISSIONS, **{
    f"data.{k}": v for k, v in DATA_SOURCE_PERMISSIONS.items()}}.items()), ids=lambda r: r[0])
def test_every_row_names_its_source_and_spells_actions_as_iam_does(row):
    name, permissions = row
    assert permissions.source, f"{name} has no source"
    for action in (*permissions.read, *permissions.write):
        assert ACTION.match(action), f"{name}: {action!r} is not service:Action"
    assert not set(permissions.read) & set(permissions.write), f"{name} lists an action as read and write"
    assert all(ACTION.match(f"iam:{n}") is None for n in permissions.service_linked_roles)
    assert all(n.endswith(".amazonaws.com") for n in permissions.service_linked_roles)


def _reference(tmp_path, **settings):
    app = main.build_app(main.ReferenceSettings(cluster_name="ref", stack_name="ref", **settings),
                         outdir=str(tmp_path))
    app.synth()
    return json.loads((tmp_path / "stacks/ref/cdk.tf.json").read_text())


LONGEST = {"${data.aws_partition.eksguard-partition.partition}": "aws-us-gov",
           "${data.aws_caller_identity.eksguard-account.account_id}": "123456789012",
           "${data.aws_region.eksguard-region.name}": "ap-southeast-7"}
"""The stack-wide references, and the longest value each takes (an account id is 12 digits;
no partition is longer than aws-us-gov, no region than ap-southeast-7)."""
LONGEST_ARNS = {
    r"\$\{aws_iam_role\.[^}]+\.arn\}": "arn:aws-us-gov:iam::123456789012:role/" + "r" * 64,
    r"\$\{aws_iam_openid_connect_provider\.[^}]+\.arn\}":
        "arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.ap-southeast-7.amazonaws.com/id/" + "F" * 32,
}
"""References to a role's or an EKS OIDC provider's ARN, and the longest each can be (a role
name is at most 64 characters; an EKS issuer id 32)."""


def _longest(policy: str) -> str:
    for reference, value in LONGEST.items():
        policy = policy.replace(reference, value)
    for reference, value in LONGEST_ARNS.items():
        policy = re.sub(reference, value, policy)
    # any other reference (a KMS key's ARN, at most 82 characters) as a hundred
    return re.sub(r"\$\{[^}]+\}", "x" * 100, policy)


TFC = {"tf_cloud_organization": "acme", "tf_cloud_workspace": "eks-ref", "tfc_workspace_roles": True}


@pytest.mark.parametrize("capacity", main.CAPACITIES)
def test_every_reference_variant_is_covered_and_its_roles_fit_the_inline_limit(tmp_path, capacity):
    # GIVEN the reference with its HCP Terraform roles, in each capacity variant
    document = _reference(tmp_path, capacity=capacity, **TFC)
    # THEN every type it holds has a row, so the derived policy misses nothing
    assert unknown_types(document["resource"], document.get("data", {})) == []
    assert [f for f in check_readiness(document) if f.rule.id in ("EKSR026", "EKSR027")] == []
    # AND each role's inline policies fit IAM's quota, with the stack's partition, account
    # and region at their longest (other references left unresolved, which is longer)
    policies = {}
    for body in document["resource"]["aws_iam_role_policy"].values():
        policies.setdefault(body["role"], []).append(_longest(re.sub(r"\s", "", body["policy"])))
    sizes = {role: sum(map(len, texts)) for role, texts in policies.items()}
    assert max(sizes.values()) < INLINE_POLICY_LIMIT, sizes
    # AND the apply role passes the stack's roles to exactly the services they trust (and
    # EKS, which receives node roles trusting EC2), and lets EKS make its service-linked roles
    # AND its derived deploy policies, four managed ones, each fit IAM's quota for one
    parts = _deploy_parts(document)
    assert [b["name_prefix"] for b, _ in parts] == ["eksguard-stack-deploy-"] * 4
    assert max(len(_longest(re.sub(r"\s", "", b["policy"]))) for b, _ in parts) < MANAGED_POLICY_LIMIT
    statements = {s["Sid"]: s for _, d in parts for s in d["Statement"]}
    # AND the plan role reads exactly what the apply role reads, and writes nothing
    plan = next(json.loads(b["policy"]) for b in document["resource"]["aws_iam_role_policy"].values()
                if b["name"] == "eksguard-stack-plan")
    plan_statements = {s["Sid"]: s for s in plan["Statement"]}
    assert list(plan_statements) == ["ReadStackResources", "ReadStackResourcesByArn", "ReadStackClusters",
                                     "ReadStackIAM"]
    assert plan_statements["ReadStackResources"] == statements["ReadStackResources"]
    assert plan_statements["ReadStackResourcesByArn"] == statements["ReadStackResourcesByArn"]
    # AND the reads that take a key, log group, queue or rule name the stack's: not another team's
    # key policy or queue attributes (the AWS review of this policy)
    by_arn = plan_statements["ReadStackResourcesByArn"]
    assert {"kms:GetKeyPolicy", "kms:DescribeKey", "logs:ListTagsForResource"} <= set(by_arn["Action"])
    assert not {"kms:GetKeyPolicy", "logs:ListTagsForResource", "sqs:GetQueueAttributes"} & set(
        plan_statements["ReadStackResources"]["Action"])
    assert "${aws_kms_key.eks_cluster_secrets-key_9600DCE2.arn}" in by_arn["Resource"]
    assert f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:/aws/eks/ref/cluster" in by_arn["Resource"]
    if capacity == "karpenter":
        assert f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:ref" in by_arn["Resource"]
        assert "sqs:GetQueueAttributes" in by_arn["Action"] and "events:DescribeRule" in by_arn["Action"]
    # AND its EKS reads reach the stack's cluster only (the apply role's share its writes' statement)
    # and the children each type writes under it, type by type (not */ref/*, which also
    # matches a node group named ref of another cluster)
    eks = f"arn:{PARTITION}:eks:{REGION}:{ACCOUNT}"
    children = (["access-entry", "podidentityassociation"] if capacity == "auto-mode"
                else ["access-entry", "addon", "nodegroup", "podidentityassociation"])
    eks_arns = [f"{eks}:cluster/ref", *(f"{eks}:{child}/ref/*" for child in children)]
    assert plan_statements["ReadStackClusters"]["Resource"] == eks_arns
    assert "eks:DescribeCluster" in plan_statements["ReadStackClusters"]["Action"]
    assert set(plan_statements["ReadStackClusters"]["Action"]) <= set(statements["WriteEKSInThisAccount"]["Action"])
    assert {a for a in plan_statements["ReadStackResources"]["Action"] if a.startswith("eks:")} <= {
        "eks:DescribeAddonVersions"}  # it takes no resource
    assert [a for a in plan_statements["ReadStackIAM"]["Action"]
            if not any(fnmatchcase(a, allowed) for allowed in statements["StackIAM"]["Action"])] == []
    assert not any(a.startswith("iam:") and not a.startswith(("iam:Get", "iam:List"))
                   for a in plan_statements["ReadStackIAM"]["Action"])
    # AND its reads are of the stack's region, and IAM reads of the stack's own IAM only
    assert statements["ReadStackResources"]["Condition"] == {"StringEquals": {"aws:RequestedRegion": REGION}}
    assert not any(a.startswith("iam:") for a in statements["ReadStackResources"]["Action"])
    iam = f"arn:{PARTITION}:iam::{ACCOUNT}"
    assert plan_statements["ReadStackIAM"]["Resource"] == statements["StackIAM"]["Resource"]
    assert f"{iam}:role/tfc-run-*" in statements["StackIAM"]["Resource"]
    assert not [r for r in statements["StackIAM"]["Resource"] if r.endswith(":role/*")]
    # AND no role of the stack can be given a policy the stack does not attach
    attachable = statements["StackIAM"]["Condition"]["ArnLikeIfExists"]["iam:PolicyARN"]
    assert f"arn:{PARTITION}:iam::aws:policy/AmazonEKSClusterPolicy" in attachable
    assert not [p for p in statements["StackIAM"]["Condition"]["ArnLikeIfExists"]["iam:PolicyARN"]
                if "AdministratorAccess" in p or p.endswith("/*")]
    # AND the apply role may neither widen itself (detaching the policy that holds these
    # denies included) nor the plan role
    roles = {b["//"]["metadata"]["path"]: f"${{aws_iam_role.{name}.arn}}"
             for name, b in document["resource"]["aws_iam_role"].items()}
    assert statements["KeepOwnPermissions"] == {
        "Sid": "KeepOwnPermissions", "Effect": "Deny", "Action": [
            "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
        "Resource": sorted([roles["ref/tfc-run/role"], roles["ref/tfc-run/plan/role"]])}
    # AND it changes no role's trust: a new role's comes with CreateRole (TRUST_CHANGES)
    assert "RetrustOwnRolesOnly" not in statements
    assert not [s["Sid"] for s in statements.values() if s["Effect"] == "Allow" and any(
        fnmatchcase("iam:UpdateAssumeRolePolicy", a) for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                                else s["Action"]))]
    # AND no deploy role may write a new version of a derived CI policy, its own included
    assert statements["KeepCiPolicies"] == {
        "Sid": "KeepCiPolicies", "Effect": "Deny", "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
        "Resource": f"{iam}:policy/eksguard-stack-*"}
    # AND its IAM reaches the cluster's own OIDC provider (by its ARN), not every EKS one
    oidc = [r for r in statements["StackIAM"]["Resource"] if "oidc" in r]
    assert oidc == ["${aws_iam_openid_connect_provider.eks_oidc-provider_C99E5797.arn}",
                    f"{iam}:oidc-provider/app.terraform.io"]
    # AND Karpenter's SQS and EventBridge writes reach its queue and its rules only
    if capacity == "karpenter":
        assert statements["WriteSQSInThisAccount"]["Resource"] == f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:ref"
        rules = "karpenter-" + hashlib.sha256(b"ref").hexdigest()[:8]
        assert statements["WriteEventBridgeInThisAccount"]["Resource"] == [
            f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/{rules}-{part}-*"
            for part in ("rebalance", "scheduled", "spot", "state")]
        # (their names carry a hash of the stack and cluster: upstream's prod-eu names do not match)
        owner = hashlib.sha256(b"ref/ref").hexdigest()[:8]
        assert f"{iam}:policy/KarpenterController*Policy-ref-{owner}-*" in statements["StackIAM"]["Resource"]
        # (its rules may match only Karpenter's events and deliver only to its queue: not the
        # region's API activity to someone else's bus)
        rule_arns = statements["WriteEventBridgeInThisAccount"]["Resource"]
        queue = "${aws_sqs_queue.eks_karpenter_interruption-queue_0786CA06.arn}"
        assert statements["MatchStackEventsOnly"] == {
            "Sid": "MatchStackEventsOnly", "Effect": "Allow", "Action": "events:PutRule", "Resource": rule_arns,
            "Condition": {"ForAllValues:StringEquals": {"events:source": ["aws.ec2", "aws.health"], "events:detail-type": [
                "AWS Health Event", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification",
                "EC2 Spot Instance Interruption Warning"]},
                # (a pattern of a source alone, every EC2 event of the region, is refused: both keys must be there)
                "Null": {"events:source": "false", "events:detail-type": "false"}}}
        assert statements["DeliverToStackTargetsOnly"] == {
            "Sid": "DeliverToStackTargetsOnly", "Effect": "Allow", "Action": "events:PutTargets", "Resource": rule_arns,
            "Condition": {"ForAllValues:ArnEquals": {"events:TargetArn": queue}, "Null": {"events:TargetArn": "false"}}}
        assert not {"events:PutRule", "events:PutTargets"} & set(statements["WriteEventBridgeInThisAccount"]["Action"])
    # AND what changes or deletes a KMS key reaches the stack's two keys only; a new key's
    # calls stay regional
    assert statements["ChangeStackKeysOnly"] == {
        "Sid": "ChangeStackKeysOnly", "Effect": "Allow", "Action": [
            "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
            "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription"],
        "Resource": ["${aws_kms_key.eks_cluster_secrets-key_9600DCE2.arn}",
                     "${aws_kms_key.network_flow-logs_key_89F218E6.arn}"]}
    assert {a for a in statements["WriteStackResourcesInThisRegion"]["Action"] if a.startswith("kms:")} == {
        "kms:CreateKey", "kms:EnableKeyRotation"}
    # (a new key, not in that list yet, may be tagged only as the stack's, in its region)
    assert statements["TagNewKeysAsThisStack"] == {
        "Sid": "TagNewKeysAsThisStack", "Effect": "Allow", "Action": "kms:TagResource", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/eksguard:stack": f"{REGION}/ref/ref",
                                       "aws:RequestedRegion": REGION},
                      # (with no tag but those the stack's keys carry: no other team's key gets one)
                      "ForAllValues:StringEquals": {"aws:TagKeys": ["eksguard:cluster", "eksguard:stack"]}}}
    # (EKS's grant for secrets encryption only on the cluster's own key)
    assert statements["LetServicesUseStackKeys"]["Resource"] == "${aws_kms_key.eks_cluster_secrets-key_9600DCE2.arn}"
    assert statements["KeepEC2Tags"] == {"Sid": "KeepEC2Tags", "Effect": "Deny", "Action": "ec2:DeleteTags",
                                         "Resource": "*", "Condition": {"Null": {"aws:TagKeys": "true"}}}
    # AND its EC2 writes reach only EC2 tagged as the stack's: a create only tagging the new
    # resource so, in three groups none of whose creates names another type of its group
    ec2 = f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}"
    made = {"Condition": {"StringEquals": {"aws:RequestTag/eksguard:stack": f"{REGION}/ref/ref"}}}
    launch = capacity != "auto-mode"
    assert statements["CreateEC2TaggedAsThisStack1"] == {
        "Sid": "CreateEC2TaggedAsThisStack1", "Effect": "Allow",
        "Action": ["ec2:CreateLaunchTemplate", "ec2:CreateVpc"] if launch else "ec2:CreateVpc",
        "Resource": [f"{ec2}:launch-template/*", f"{ec2}:vpc/*"] if launch else f"{ec2}:vpc/*", **made}
    assert statements["CreateEC2TaggedAsThisStack2"] == {
        "Sid": "CreateEC2TaggedAsThisStack2", "Effect": "Allow",
        "Action": ["ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet"],
        "Resource": [f"{ec2}:route-table/*", f"{ec2}:security-group/*", f"{ec2}:subnet/*"], **made}
    # (VPC endpoints only to the services the stack's endpoints name: no channel to someone's PrivateLink)
    services = sorted(b["service_name"] for b in document["resource"]["aws_vpc_endpoint"].values())
    assert statements["CreateEC2TaggedAsThisStack3"] == {
        "Sid": "CreateEC2TaggedAsThisStack3", "Effect": "Allow",
        "Action": ["ec2:CreateFlowLogs", "ec2:CreateVpcEndpoint"],
        "Resource": [f"{ec2}:vpc-endpoint/*", f"{ec2}:vpc-flow-log/*"],
        "Condition": {**made["Condition"], "StringEqualsIfExists": {"ec2:VpceServiceName": services}}}
    assert f"com.amazonaws.{REGION}.ecr.dkr" in services
    # AND a cluster's configuration changes only with its endpoint kept private (as the stack has it)
    assert statements["KeepClusterEndpointsPrivate"] == {
        "Sid": "KeepClusterEndpointsPrivate", "Effect": "Allow", "Action": ["eks:UpdateClusterConfig"],
        "Resource": f"arn:{PARTITION}:eks:{REGION}:{ACCOUNT}:cluster/ref",
        "Condition": {"BoolIfExists": {"eks:endpointPublicAccess": "false", "eks:endpointPrivateAccess": "true"}}}
    assert "eks:UpdateClusterConfig" not in statements["WriteEKSInThisAccount"]["Action"]
    assert statements["TagEC2OnCreate"] == {
        "Sid": "TagEC2OnCreate", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": f"{ec2}:*/*",
        "Condition": {"StringEquals": {"ec2:CreateAction": sorted([
            "CreateFlowLogs", "CreateRouteTable", "CreateSecurityGroup", "CreateSubnet", "CreateVpc",
            "CreateVpcEndpoint", *(["CreateLaunchTemplate", "RunInstances"] if launch else [])])}}}
    # (everything else on the stack's own tagged EC2, the creates' parents included)
    assert statements["ChangeThisStacksEC2"]["Condition"] == {
        "StringEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/ref/ref"}}
    assert statements["ChangeThisStacksEC2"]["Resource"] == "*"
    assert {"ec2:CreateSubnet", "ec2:DeleteVpc", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags",
            "ec2:DeleteVpcEndpoints"} <= set(statements["ChangeThisStacksEC2"]["Action"])
    assert "ec2:CreateVpc" not in statements["ChangeThisStacksEC2"]["Action"]
    vpc = "${aws_vpc.network_vpc_4E8F0223.arn}"
    # (a route table's disassociation, whose request may name no resource, in the stack's VPC)
    assert statements["ChangeEC2NotOtherStacks"] == {
        "Sid": "ChangeEC2NotOtherStacks", "Effect": "Allow", "Action": ["ec2:DisassociateRouteTable"],
        "Resource": "*", "Condition": {
            "StringEqualsIfExists": {"aws:ResourceTag/eksguard:stack": f"{REGION}/ref/ref"},
            "StringEquals": {"aws:RequestedRegion": REGION}, "ArnEqualsIfExists": {"ec2:Vpc": vpc}}}
    # (the default security group, untagged by AWS, adopted by its VPC: DeleteTags takes no ec2:Vpc)
    assert statements["EmptyStackVpcsDefaultSecurityGroups"] == {
        "Sid": "EmptyStackVpcsDefaultSecurityGroups", "Effect": "Allow", "Action": [
            "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateTags",
            "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"],
        # (the default group itself: not EKS's cluster group nor GuardDuty's in the same VPC)
        "Resource": f"{ec2}:security-group/${{aws_vpc.network_vpc_4E8F0223.default_security_group_id}}",
        "Condition": {"ArnEquals": {"ec2:Vpc": vpc}}}
    # (and the tag never moves: not added, changed or removed but at create, or in the stack's VPC)
    assert statements["KeepEC2StackTags"] == {
        "Sid": "KeepEC2StackTags", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:DeleteTags"], "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "eksguard:stack"},
                      "Null": {"ec2:CreateAction": "true"}, "ArnNotEqualsIfExists": {"ec2:Vpc": vpc}}}
    # (nor, in the VPC, the tag of what already carries it: the stack's subnets stay its own)
    assert statements["KeepTaggedEC2StackTags"] == {
        "Sid": "KeepTaggedEC2StackTags", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
        "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "eksguard:stack"},
                                       "Null": {"ec2:CreateAction": "true", "aws:ResourceTag/eksguard:stack": "false"}}}
    assert "WriteStackResourcesInThisRegion" not in statements or not [
        a for a in statements["WriteStackResourcesInThisRegion"]["Action"] if a.startswith("ec2:")]
    # AND every EC2 resource and KMS key it makes or adopts carries the tag
    tagged = {f"{t}.{k}": body.get("tags", {}).get("eksguard:stack") for t in (
        "aws_vpc", "aws_subnet", "aws_route_table", "aws_security_group", "aws_vpc_endpoint", "aws_flow_log",
        "aws_launch_template", "aws_kms_key", "aws_default_security_group")
        for k, body in document["resource"].get(t, {}).items()}
    assert set(tagged.values()) == {f"{REGION}/ref/ref"}, tagged
    # AND it may not write to, tag or pass an IAM resource of another stack (tagged so)
    assert statements["LeaveOtherStacksIAM"] == {
        "Sid": "LeaveOtherStacksIAM", "Effect": "Deny", "Action": [
            "iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Remove*",
            "iam:Set*", "iam:Tag*", "iam:Untag*", "iam:Update*"], "Resource": "*",
        "Condition": {"Null": {"aws:ResourceTag/eksguard:stack": "false"},
                      "StringNotEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/ref/ref"}}}
    # AND every IAM resource of the stack carries that tag
    iam_resources = {f"{t}.{k}": body.get("tags", {}).get("eksguard:stack") for t in (
        "aws_iam_role", "aws_iam_policy", "aws_iam_instance_profile", "aws_iam_openid_connect_provider")
        for k, body in document["resource"].get(t, {}).items()}
    assert set(iam_resources.values()) == {f"{REGION}/ref/ref"}, iam_resources
    # AND node groups with launch templates may launch from this account's templates only
    # (the template tagged as the stack's, everything else of the launch from a template)
    if capacity != "auto-mode":
        templates = f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:launch-template/*"
        assert statements["LaunchFromThisStacksTemplates"] == {
            "Sid": "LaunchFromThisStacksTemplates", "Effect": "Allow", "Action": "ec2:RunInstances",
            "Resource": templates,
            "Condition": {"StringEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/ref/ref"}}}
        assert statements["LaunchOnlyFromATemplate"] == {
            "Sid": "LaunchOnlyFromATemplate", "Effect": "Allow", "Action": "ec2:RunInstances",
            "NotResource": templates, "Condition": {
                "ArnLike": {"ec2:LaunchTemplate": templates}, "StringEquals": {"aws:RequestedRegion": REGION},
                # (subnets, security groups and network interfaces in the stack's VPC)
                "ArnEqualsIfExists": {"ec2:Vpc": "${aws_vpc.network_vpc_4E8F0223.arn}"}}}
    else:
        assert "LaunchFromThisStacksTemplates" not in statements and "LaunchOnlyFromATemplate" not in statements
    # AND it passes only the roles its resources hand to a service: not the people's or CI's
    # AND each to the services the stack hands it to, and no other (not the flow logs' role to EKS)
    passes = {}
    for statement in statements.values():
        if statement["Sid"].startswith("PassStackRolesToTheirServices"):
            services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
            for role in [statement["Resource"]] if isinstance(statement["Resource"], str) else statement["Resource"]:
                passes[role.rsplit("/", 1)[-1]] = services
    assert not [r for r in passes if "tfc-run" in r or "platform-admins" in r or "shop-viewers" in r
                or "orders-api" in r]
    assert passes["network-flow-logs-*"] == "vpc-flow-logs.amazonaws.com"
    assert passes["eks-cluster-*"] == "eks.amazonaws.com"
    if capacity == "auto-mode":  # (its node role: to EKS, and to EC2 for its access entry of type EC2)
        assert passes["eks-cluster-auto-mode-node-role-*"] == ["ec2.amazonaws.com", "eks.amazonaws.com"]
    if capacity != "auto-mode":  # an add-on's role: to EKS, and to Pod Identity for its associations
        assert passes["eks-vpc-cni-irsa-*"] == ["eks.amazonaws.com", "pods.eks.amazonaws.com"]
    if capacity == "managed-node-groups":
        assert passes["eks-on-demand-node-role-*"] == ["ec2.amazonaws.com", "eks.amazonaws.com"]
    if capacity == "karpenter":
        assert passes["eks-karpenter-node-role-*"] == "ec2.amazonaws.com"  # its instance profile and EC2 entry
    # AND it may make access entries only for the stack's principals (not itself nor any
    # role of the account) and associate each access policy only to the principals the
    # stack associates it to: the viewers cannot be made cluster admins
    # (with Auto Mode, the node role's, which EKS makes itself: a dependent action of CreateCluster)
    principals = [f"{iam}:role/{n}" for n in (
        *(["eks-cluster-auto-mode-node-role-*"] if capacity == "auto-mode" else []),
        *(["eks-karpenter-node-role-*"] if capacity == "karpenter" else []),
        "ref-platform-admins-*", "ref-shop-viewers-*")]
    assert statements["AccessEntriesOfStackPrincipals"] == {
        "Sid": "AccessEntriesOfStackPrincipals", "Effect": "Allow",
        "Action": ["eks:CreateAccessEntry", "eks:UpdateAccessEntry"],
        "Resource": [f"{eks}:cluster/ref", f"{eks}:access-entry/ref/*"],
        "Condition": {"ArnLike": {"eks:principalArn": principals}}}
    access_policy = f"arn:{PARTITION}:eks::aws:cluster-access-policy/"
    assert [statements[f"AssociateStackAccessPolicy{n}"] for n in (1, 2)] == [
        {"Sid": f"AssociateStackAccessPolicy{n}", "Effect": "Allow", "Action": ["eks:AssociateAccessPolicy"],
         "Resource": f"{eks}:access-entry/ref/*",
         "Condition": {"ArnEquals": {"eks:policyArn": access_policy + policy},
                       "ArnLike": {"eks:principalArn": f"{iam}:role/{who}"}}}
        for n, policy, who in ((1, "AmazonEKSClusterAdminPolicy", "ref-platform-admins-*"),
                               (2, "AmazonEKSViewPolicy", "ref-shop-viewers-*"))]
    assert not {"eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:AssociateAccessPolicy"} & set(
        statements["WriteEKSInThisAccount"]["Action"])
    # AND its EKS and Logs writes reach only this stack's cluster and log groups
    assert statements["WriteEKSInThisAccount"]["Resource"] == eks_arns
    logs = f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:"
    assert statements["WriteLogsInThisAccount"]["Resource"] == [
        f"{logs}/aws/eks/ref/cluster", f"{logs}/aws/eks/ref/cluster:*",
        f"{logs}/aws/vpc/ref/flow-logs", f"{logs}/aws/vpc/ref/flow-logs:*"]
    linked = ["eks.amazonaws.com"] if capacity == "auto-mode" else ["eks-nodegroup.amazonaws.com", "eks.amazonaws.com"]
    assert statements["CreateServiceLinkedRoles"]["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": linked}}


@pytest.mark.parametrize(("capacity", "length"), [("managed-node-groups", 100), ("auto-mode", 100), ("karpenter", 80)])
def test_the_longest_cluster_names_fit_each_managed_policy(tmp_path, capacity, length):
    # GIVEN the reference with its HCP Terraform roles and EKS's longest cluster name (100
    # characters; with Karpenter 80, the longest its default queue name takes)
    app = main.build_app(main.ReferenceSettings(cluster_name="c" * length, stack_name="ref", capacity=capacity, **TFC),
                         outdir=str(tmp_path))
    app.synth()
    document = json.loads((tmp_path / "stacks/ref/cdk.tf.json").read_text())
    # THEN each of the four derived deploy policies fits IAM's quota for a managed policy,
    # every reference at its longest
    sizes = [len(_longest(re.sub(r"\s", "", b["policy"]))) for b, _ in _deploy_parts(document)]
    assert len(sizes) == 4 and max(sizes) < MANAGED_POLICY_LIMIT, sizes
    # AND every role's inline policies fit the role's quota
    inline: dict[str, int] = {}
    for body in document["resource"]["aws_iam_role_policy"].values():
        inline[body["role"]] = inline.get(body["role"], 0) + len(_longest(re.sub(r"\s", "", body["policy"])))
    assert max(inline.values()) < INLINE_POLICY_LIMIT, inline


def test_the_deploy_document_is_packed_into_parts_the_longest_first():
    from eksguard.ci_permissions.deploy import compact, deploy_policy_part

    def document(sizes):
        return {"Version": "2012-10-17", "Statement": [
            {"Sid": f"S{i}", "Effect": "Allow", "Action": "ec2:" + "X" * size, "Resource": "*"}
            for i, size in enumerate(sizes)]}

    # GIVEN two long statements and two short ones, the short ones last
    four = document([500, 500, 100, 100])
    parts = [deploy_policy_part(four, n, 2) for n in (1, 2)]
    # THEN each part takes a long one and a short one (consecutive runs could do no better
    # than 500 + 100 + 100), in the document's order within each part
    assert [[s["Sid"] for s in p["Statement"]] for p in parts] == [["S0", "S2"], ["S1", "S3"]]
    assert sorted(s["Sid"] for p in parts for s in p["Statement"]) == [s["Sid"] for s in four["Statement"]]
    assert all(p["Version"] == "2012-10-17" for p in parts)
    assert max(len(compact(p)) for p in parts) < len(compact({"Statement": four["Statement"][1:]}))
    # AND a statement longer than the rest together gets a part of its own
    seven = document([900, 100, 100, 100, 800, 50, 50])
    assert [[s["Sid"] for s in deploy_policy_part(seven, n, 3)["Statement"]] for n in (1, 2, 3)] == [
        ["S0"], ["S4"], ["S1", "S2", "S3", "S5", "S6"]]
    # AND a document of fewer statements than parts is refused rather than left with an empty policy
    with pytest.raises(ValueError):
        deploy_policy_part({"Statement": seven["Statement"][:2]}, 1, 3)


# The documents of small stacks ---------------------------------------------------------------

def test_an_environment_role_may_deploy_exactly_its_stacks_types(synth_one):
    # GIVEN a stack of a VPC and a GitHub environment's role (an OIDC provider, a role)
    out = synth_one(_vpc_and(lambda s: _github_role(s, environment="prod")))
    # THEN the role's derived policy reads both, writes EC2 in this region and IAM in this account
    assert _policies(out) == {"test/deploy/stack-permissions": {"Version": "2012-10-17", "Statement": _by_sid([
        _reads("deploy-*", "token.actions.githubusercontent.com")[0],
        # (EC2: a VPC only tagged as the stack's, tags only at its create, changes only to the stack's)
        {"Sid": "CreateEC2TaggedAsThisStack1", "Effect": "Allow", "Action": "ec2:CreateVpc",
         "Resource": f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:vpc/*",
         "Condition": {"StringEquals": {"aws:RequestTag/eksguard:stack": f"{REGION}/test"}}},
        {"Sid": "TagEC2OnCreate", "Effect": "Allow", "Action": "ec2:CreateTags",
         "Resource": f"arn:{PARTITION}:ec2:{REGION}:{ACCOUNT}:*/*",
         "Condition": {"StringEquals": {"ec2:CreateAction": "CreateVpc"}}},
        {"Sid": "ChangeThisStacksEC2", "Effect": "Allow",
         "Action": ["ec2:CreateTags", "ec2:DeleteTags", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/test"}}},
        {"Sid": "KeepEC2StackTags", "Effect": "Deny", "Action": ["ec2:CreateTags", "ec2:DeleteTags"], "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "eksguard:stack"},
                       "Null": {"ec2:CreateAction": "true"}}},
        # (nor every tag at once: DeleteTags without keys removes them all, the stack's too)
        {"Sid": "KeepEC2Tags", "Effect": "Deny", "Action": "ec2:DeleteTags", "Resource": "*",
         "Condition": {"Null": {"aws:TagKeys": "true"}}},
        # (reads and tagging as Get*, List*, Tag*, Untag*: on the stack's own ARNs only)
        {"Sid": "StackIAM", "Effect": "Allow", "Action": [
            "iam:AddClientIDToOpenIDConnectProvider", "iam:AttachRolePolicy", "iam:CreateOpenIDConnectProvider",
            "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeleteOpenIDConnectProvider",
            "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
            "iam:DetachRolePolicy", "iam:Get*", "iam:List*", "iam:PutRolePermissionsBoundary",
            "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:Tag*", "iam:Untag*",
            "iam:UpdateOpenIDConnectProviderThumbprint", "iam:UpdateRole", "iam:UpdateRoleDescription"],
         # only the stack's own role (by its name prefix), its derived policies and OIDC provider
         "Resource": [f"arn:{PARTITION}:iam::{ACCOUNT}:role/deploy-*",
                      f"arn:{PARTITION}:iam::{ACCOUNT}:policy/eksguard-stack-deploy-*",
                      f"arn:{PARTITION}:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"],
         # and of policies, only those the stack attaches
         "Condition": {"ArnLikeIfExists": {"iam:PolicyARN": f"arn:{PARTITION}:iam::{ACCOUNT}:policy/eksguard-stack-deploy-*"}}},
        # AND none of another stack's, by the tag each stack's IAM carries
        {"Sid": "LeaveOtherStacksIAM", "Effect": "Deny", "Action": [
            "iam:Add*", "iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Remove*",
            "iam:Set*", "iam:Tag*", "iam:Untag*", "iam:Update*"], "Resource": "*",
         "Condition": {"Null": {"aws:ResourceTag/eksguard:stack": "false"},
                       "StringNotEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/test"}}},
        # AND no managed policy but its own stack's may get a version or go (a name pattern is not an owner)
        {"Sid": "ChangeOwnPoliciesOnly", "Effect": "Deny", "Action": [
            "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceTag/eksguard:stack": f"{REGION}/test"}}},
        # AND it may not widen itself
        {"Sid": "KeepOwnPermissions", "Effect": "Deny", "Action": [
            "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
         "Resource": "${" + out.address("test/deploy/role") + ".arn}"},
        # nor its derived policies (nor another CI role's)
        {"Sid": "KeepCiPolicies", "Effect": "Deny", "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
         "Resource": f"arn:{PARTITION}:iam::{ACCOUNT}:policy/eksguard-stack-*"}])}}
    # AND the document is packed into four managed policies attached to the role, each with
    # a statement at least
    parts = [out.resource(f"test/deploy/stack-permissions-{n}") for n in (1, 2, 3, 4)]
    assert [(p["name_prefix"], len(json.loads(p["policy"])["Statement"])) for p in parts] == [
        ("eksguard-stack-deploy-", 1), ("eksguard-stack-deploy-", 4), ("eksguard-stack-deploy-", 3),
        ("eksguard-stack-deploy-", 3)]
    assert [out.resource(f"test/deploy/stack-permissions-{n}-attachment") for n in (1, 2, 3, 4)] == [
        {"role": "${" + out.address("test/deploy/role") + ".name}",
         "policy_arn": "${" + out.address(f"test/deploy/stack-permissions-{n}") + ".arn}"} for n in (1, 2, 3, 4)]


WORKLOADS = "arn:aws:iam::111122223333:policy/workloads"


def _bounded_stack(stack):
    # an environment role with a stack roles boundary, a role of the stack without a
    # boundary (and an inline policy), and one with a boundary of its own
    _github_role(stack, environment="prod", stack_roles_boundary_arn=WORKLOADS)
    app = aws.iam_role.IamRole(stack, "app", name_prefix="app-", assume_role_policy="{}")
    aws.iam_role_policy.IamRolePolicy(stack, "app-policy", role=app.id, policy="{}")
    aws.iam_role.IamRole(stack, "own", name="own", assume_role_policy="{}",
                         permissions_boundary="arn:aws:iam::111122223333:policy/own")


def test_with_a_stack_roles_boundary_every_role_the_apply_role_can_empower_is_bounded(synth_one):
    out = synth_one(_bounded_stack)
    # THEN every role of the stack but the CI role carries a boundary: the stack's, or its own
    assert {path: body.get("permissions_boundary") for path, body in out.of_type("aws_iam_role").items()} == {
        "test/deploy/role": None, "test/app": WORKLOADS, "test/own": "arn:aws:iam::111122223333:policy/own"}
    statements = {s["Sid"]: s for s in _policies(out)["test/deploy/stack-permissions"]["Statement"]}
    iam = f"arn:{PARTITION}:iam::{ACCOUNT}"
    # AND what gives a role permissions is allowed only on a role under one of those two
    # boundaries (for PutRolePermissionsBoundary, the new one), attachments still only of
    # the stack's policies
    assert statements["WriteBoundedStackRoles"] == {
        "Sid": "WriteBoundedStackRoles", "Effect": "Allow",
        "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"],
        "Resource": [f"{iam}:role/app-*", f"{iam}:role/deploy-*", f"{iam}:role/own"],
        "Condition": {"StringEquals": {"iam:PermissionsBoundary": ["arn:aws:iam::111122223333:policy/own", WORKLOADS]},
                      "ArnLikeIfExists": {"iam:PolicyARN": f"{iam}:policy/eksguard-stack-deploy-*"}}}
    # AND the stack's IAM statement allows none of them unbounded, nor deleting a boundary
    assert not {"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
                "iam:DeleteRolePermissionsBoundary"} & set(statements["StackIAM"]["Action"])
    assert {"iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"} <= set(statements["StackIAM"]["Action"])
    # AND no boundary may get a new version
    assert statements["KeepStackRolesBoundaries"] == {
        "Sid": "KeepStackRolesBoundaries", "Effect": "Deny",
        "Action": ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
        "Resource": ["arn:aws:iam::111122223333:policy/own", WORKLOADS]}


def test_without_a_stack_roles_boundary_roles_stay_unbounded(synth_one):
    out = synth_one(_vpc_and(lambda s: _github_role(s, environment="prod")))
    statements = {s["Sid"]: s for s in _policies(out)["test/deploy/stack-permissions"]["Statement"]}
    assert "WriteBoundedStackRoles" not in statements and "KeepStackRolesBoundaries" not in statements
    assert "iam:CreateRole" in statements["StackIAM"]["Action"]


@pytest.mark.parametrize(("props", "value", "allowed"), [
    ({"environment": "prod", "stack_roles_boundary_arn": "workloads"}, "workloads", v.ALLOWED_BOUNDARY_ARN),
    ({"pull_request": True, "stack_roles_boundary_arn": WORKLOADS}, WORKLOADS, ci.ALLOWED_STACK_ROLES_BOUNDARY),
    ({"environment": "prod", "stack_roles_boundary_arn": WORKLOADS,
      "stack_permissions": StackPermissions.DEPLOY_EXCEPT_IAM}, WORKLOADS, ci.ALLOWED_STACK_ROLES_BOUNDARY),
])
def test_a_stack_roles_boundary_is_an_arn_for_a_deploy_role(stack, props, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _github_role(stack, **props)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/deploy", "stack_roles_boundary_arn", value, allowed)


def test_a_stack_has_one_roles_boundary(stack):
    _github_role(stack, environment="prod", stack_roles_boundary_arn=WORKLOADS)
    other = "arn:aws:iam::111122223333:policy/other"
    with pytest.raises(ValidationError) as caught:
        GitHubActionsRole(stack, "staging", props=GitHubActionsRoleProps(
            oidc_provider=GitHubActionsOidcProvider(stack, "github-2", props=GitHubActionsOidcProviderProps(
                provider_arn="arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")),
            repository="acme/infra", environment="staging", stack_roles_boundary_arn=other))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/staging", "stack_roles_boundary_arn", other, ci.ALLOWED_ONE_STACK_ROLES_BOUNDARY)


def test_name_patterns_sharing_a_long_prefix_and_suffix_are_written_as_one():
    from eksguard.ci_permissions.deploy import collapse_patterns

    karpenter = {f"KarpenterController{p}Policy-prod-*" for p in ("EKSIntegration", "NodeLifecycle", "Interruption")}
    # a covered pattern goes; three sharing a prefix of 12 or more and a suffix of 8 become one
    assert collapse_patterns({"eks-cluster-*", "eks-cluster-autoscaler-*"}) == {"eks-cluster-*"}
    assert collapse_patterns(karpenter | {"app.terraform.io"}) == {
        "KarpenterController*Policy-prod-*", "app.terraform.io"}
    # short shared parts, two patterns, or a whole name are left as they are
    assert collapse_patterns({"eks-cart-*", "eks-orders-api-*", "eks-vpc-cni-irsa-*"}) == {
        "eks-cart-*", "eks-orders-api-*", "eks-vpc-cni-irsa-*"}
    two = set(sorted(karpenter)[:2])
    assert collapse_patterns(two) == two


def test_the_stack_tag_is_unique_per_region_stack_and_clusters_and_always_a_valid_iam_tag_value():
    from eksguard.constructs._private import stack_tag_value

    class Stack:  # what stack_tag_value reads of a stack: its id
        class node:
            id = "platform"
    # GIVEN two clusters, and GIVEN three hundred
    two = stack_tag_value(Stack, "eu-west-1", {"prod-b", "prod-a"})
    many = stack_tag_value(Stack, "eu-west-1", {f"cluster-{i:03d}" for i in range(300)})
    # THEN the names are sorted and spaced; a list too long for a tag is hashed
    assert two == "eu-west-1/platform/prod-a prod-b"
    assert many.startswith("eu-west-1/platform/") and len(many) == len("eu-west-1/platform/") + 16
    # AND each is a valid IAM tag value (IAM User Guide, "Tagging IAM resources")
    for value in (two, many, stack_tag_value(Stack, "eu-west-1", None)):
        assert len(value) <= 256 and re.fullmatch(r"[\w\s.:/=+\-@]*", value), value


def test_a_pull_request_role_may_only_read_its_stack(synth_one):
    out = synth_one(_vpc_and(lambda s: _github_role(s, pull_request=True)))
    assert _policies(out) == {"test/deploy/stack-permissions": {"Version": "2012-10-17", "Statement":
                              _reads("deploy-*", "token.actions.githubusercontent.com")}}
    assert out.resource("test/deploy/stack-permissions")["name"] == "eksguard-stack-plan"


def test_a_resource_added_after_the_role_is_covered_too(synth_one):
    # GIVEN the role made first WHEN NAT egress is added after it
    def build(stack):
        _github_role(stack, environment="prod")
        ClusterNetwork(stack, "network", props=ClusterNetworkProps(cluster_name="prod", nat_gateways=True,
                                                                   interface_endpoints=()))
    out = synth_one(build)
    statements = {s["Sid"]: s for s in _policies(out)["test/deploy/stack-permissions"]["Statement"]}
    # THEN its NAT gateways, addresses and internet gateway are in the policy
    writes = {a for sid in ("CreateEC2TaggedAsThisStack1", "CreateEC2TaggedAsThisStack3", "ChangeThisStacksEC2",
                            "ChangeEC2NotOtherStacks") for a in statements[sid]["Action"]}
    assert {"ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:AllocateAddress", "ec2:ReleaseAddress",
            "ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway",
            "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints"} <= writes
    assert {"ec2:DescribeNatGateways", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones"} <= set(
        statements["ReadStackResources"]["Action"])
    # AND the only role it passes is the flow logs' own, to the flow-logs service
    # (and not another stack's role of the same name prefix: one tagged as another stack's)
    assert statements["PassStackRolesToTheirServices"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"},
        "StringEqualsIfExists": {"aws:ResourceTag/eksguard:stack": f"{REGION}/test"}}


def test_pass_role_names_only_the_services_the_stacks_roles_trust():
    document = deploy_policy_document(
        resource_types={"aws_eks_cluster", "aws_iam_role", "aws_eks_node_group"}, partition="aws",
        account="111122223333", region="eu-west-1", passed_to={"eks.amazonaws.com", "ec2.amazonaws.com"})
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert statements["PassStackRolesToTheirServices"] == {
        "Sid": "PassStackRolesToTheirServices", "Effect": "Allow", "Action": "iam:PassRole",
        "Resource": "arn:aws:iam::111122223333:role/*",
        "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "eks.amazonaws.com"]}}}
    assert statements["CreateServiceLinkedRoles"] == {
        "Sid": "CreateServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
        "Resource": "arn:aws:iam::111122223333:role/aws-service-role/*",
        "Condition": {"StringEquals": {"iam:AWSServiceName": ["eks-nodegroup.amazonaws.com", "eks.amazonaws.com"]}}}
    assert statements["WriteEKSInThisAccount"]["Resource"] == "arn:aws:eks:eu-west-1:111122223333:*"


# The plan role's denies ----------------------------------------------------------------------

def test_the_plan_role_denies_every_data_read_of_a_stack_that_needs_none(synth_one):
    out = synth_one(_vpc_and(lambda s: TerraformCloudWorkspaceRole(s, "ws", props=TerraformCloudWorkspaceRoleProps(
        oidc_provider=TerraformCloudOidcProvider(s, "tfc"), organization="acme", project="platform", workspace="eks",
        plan_role=TerraformCloudPlanRoleOptions()))))
    # THEN it reads its stack's types and nothing more (no ReadOnlyAccess)
    # (the stack's IAM: its roles, the apply role's derived policies, its OIDC provider)
    assert _policies(out)["test/ws/plan/stack-permissions"] == {"Version": "2012-10-17", "Statement":
                                                                _reads("ws-*", "app.terraform.io", deploy_policies=True)}
    assert sorted(out.of_type("aws_iam_role_policy_attachment")) == [
        f"test/ws/stack-permissions-{n}-attachment" for n in (1, 2, 3, 4)]
    # AND it denies the data reads whatever else it may be given
    assert _policies(out)["test/ws/plan/deny-data-reads"] == {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyDataReads", "Effect": "Deny", "Action": sorted(DATA_READ_ACTIONS), "Resource": "*"},
        {"Sid": "DenyParameterValues", "Effect": "Deny", "Action": list(PARAMETER_VALUE_ACTIONS),
         "NotResource": f"arn:{PARTITION}:ssm:*::parameter/aws/service/*"}]}
    assert out.resource("test/ws/plan/deny-data-reads")["name"] == "eksguard-deny-data-reads"
    # AND the denied list reads what a review names as data (the finding's four, at least)
    assert {"s3:GetObject", "dynamodb:GetItem", "dynamodb:Scan", "logs:GetLogEvents",
            "secretsmanager:GetSecretValue"} <= set(DATA_READ_ACTIONS)
    assert "ssm:GetParameter" in PARAMETER_VALUE_ACTIONS


def test_a_stack_whose_types_refresh_through_a_denied_action_keeps_it():
    document = data_read_deny_document(resource_types={"aws_ssm_parameter", "aws_vpc"},
                                       data_types={"aws_secretsmanager_secret_version"}, partition="aws")
    denied, parameters = document["Statement"][0]["Action"], document["Statement"][1]["Action"]
    assert "secretsmanager:GetSecretValue" not in denied and "s3:GetObject" in denied
    assert parameters == ["ssm:GetParametersByPath", "ssm:GetParameterHistory"]
    assert set(NEEDED_BY) <= {*DATA_READ_ACTIONS, *PARAMETER_VALUE_ACTIONS}


def test_a_role_keeps_the_data_reads_its_own_policies_allow_by_name_but_not_by_star():
    state = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject*", "kms:Decrypt"], "Resource": "arn:aws:s3:::state/*"}]}
    star = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    denied = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sqs:ReceiveMessage",
                                                      "Resource": "*"}]}
    assert allowed_by([state, star, denied]) == ["s3:GetObject", "s3:GetObjectVersion"]


# Refused choices ------------------------------------------------------------------------------

@pytest.mark.parametrize(("props", "value", "allowed"), [
    ({"environment": "prod", "stack_permissions": "deploy"}, "deploy", ci.ALLOWED_STACK_PERMISSIONS),
    ({"environment": "prod", "stack_permissions": StackPermissions.NONE}, StackPermissions.NONE,
     ci.ALLOWED_SOME_PERMISSIONS),
    ({"pull_request": True, "stack_permissions": StackPermissions.DEPLOY}, StackPermissions.DEPLOY,
     ci.ALLOWED_PULL_REQUEST_PERMISSIONS),
])
def test_a_github_role_refuses_permissions_that_cannot_work_or_are_unsafe(stack, props, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _github_role(stack, **props)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/deploy", "stack_permissions", value, allowed)


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({"stack_permissions": StackPermissions.NONE}, "stack_permissions", StackPermissions.NONE,
     ci.ALLOWED_SOME_PERMISSIONS),
    ({"plan_role": TerraformCloudPlanRoleOptions(stack_permissions=StackPermissions.NONE)},
     "plan_role.stack_permissions", StackPermissions.NONE, ci.ALLOWED_SOME_PLAN_PERMISSIONS),
    ({"plan_role": TerraformCloudPlanRoleOptions(stack_permissions=StackPermissions.DEPLOY)},
     "plan_role.stack_permissions", StackPermissions.DEPLOY, ci.ALLOWED_PLAN_STACK_PERMISSIONS),
])
def test_a_workspace_role_refuses_a_role_with_no_permissions(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        TerraformCloudWorkspaceRole(stack, "ws", props=TerraformCloudWorkspaceRoleProps(
            oidc_provider=TerraformCloudOidcProvider(stack, "tfc"), organization="acme", project="platform", workspace="eks", **props))
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/ws", field, value, allowed)
    assert ("AccessDenied" in str(caught.value)) is (allowed != ci.ALLOWED_PLAN_STACK_PERMISSIONS)


def test_none_with_its_own_policies_writes_no_derived_policy(synth_one):
    out = synth_one(_vpc_and(lambda s: _github_role(
        s, environment="prod", stack_permissions=StackPermissions.NONE,
        managed_policy_arns=["arn:aws:iam::111122223333:policy/deploy-eks"])))
    assert "aws_iam_role_policy" not in out.document["resource"]
    assert [b["policy_arn"] for b in out.of_type("aws_iam_role_policy_attachment").values()] == [
        "arn:aws:iam::111122223333:policy/deploy-eks"]


def test_a_read_a_stack_type_refreshes_through_is_never_denied():
    # GIVEN the secrets-bearing reads the second review found ReadOnlyAccess still allowed
    # (helpers A and 7)
    assert {"ec2:DescribeInstanceAttribute", "ec2:DescribeLaunchTemplateVersions", "lambda:GetFunctionConfiguration",
            "ecs:DescribeTaskDefinition", "glue:GetConnection", "ssm:GetCommandInvocation",
            "es:ESHttpGet", "lambda:ListFunctions", "lambda:ListVersionsByFunction", "lambda:GetLayerVersion",
            "autoscaling:DescribeLaunchConfigurations", "ec2:DescribeSpotInstanceRequests",
            "ec2:DescribeSpotFleetRequests", "apigateway:GET", "cognito-idp:DescribeUserPoolClient",
            "states:DescribeExecution", "states:GetExecutionHistory", "ssm:ListCommandInvocations",
            "ecs:DescribeTasks", "dax:GetItem", "dax:Query", "dax:Scan", "codebuild:BatchGetProjects",
            "elasticbeanstalk:DescribeConfigurationSettings", "amplify:GetApp", "glue:GetJob"} <= set(DATA_READ_ACTIONS)
    # WHEN a stack holds none of the types that read them THEN all are denied
    denied = data_read_deny_document(resource_types={"aws_vpc"}, data_types=(), partition="aws")
    assert "ec2:DescribeLaunchTemplateVersions" in denied["Statement"][0]["Action"]
    # WHEN it holds launch templates (whose refresh reads their versions) THEN that one is kept
    kept = data_read_deny_document(resource_types={"aws_vpc", "aws_launch_template"}, data_types=(),
                                   partition="aws")
    assert set(denied["Statement"][0]["Action"]) - set(kept["Statement"][0]["Action"]) == {
        "ec2:DescribeLaunchTemplateVersions"}
    # AND a family of types matches by pattern: any API Gateway type keeps apigateway:GET
    gateway = data_read_deny_document(resource_types={"aws_api_gateway_rest_api"}, data_types={"aws_apigatewayv2_api"},
                                      partition="aws")
    assert set(denied["Statement"][0]["Action"]) - set(gateway["Statement"][0]["Action"]) == {"apigateway:GET"}
    # AND no denied action is a read of any row the stack may hold
    for name, row in RESOURCE_PERMISSIONS.items():
        actions = data_read_deny_document(resource_types={name}, data_types=(), partition="aws")["Statement"][0]
        assert not set(row.read) & set(actions["Action"]), name


def test_a_bounded_deploy_role_may_neither_lift_its_own_boundary_nor_widen_itself(synth_one):
    # GIVEN an environment role with a permissions boundary
    boundary = "arn:aws:iam::111122223333:policy/ci-boundary"
    out = synth_one(_vpc_and(lambda s: _github_role(s, environment="prod", permissions_boundary_arn=boundary)))
    # THEN its derived policy denies removing or replacing the boundary on the role itself
    statements = {x["Sid"]: x for x in _policies(out)["test/deploy/stack-permissions"]["Statement"]}
    assert statements["KeepOwnPermissions"] == {"Sid": "KeepOwnPermissions", "Effect": "Deny", "Action": [
        "iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
        "Resource": "${" + out.address("test/deploy/role") + ".arn}"}
    assert out.resource("test/deploy/role")["permissions_boundary"] == boundary


# IAM writes reach the stack's own IAM only ----------------------------------------------------

def _iam_writes(out):
    statements = {s["Sid"]: s for s in _policies(out)["test/deploy/stack-permissions"]["Statement"]}
    resources = statements["StackIAM"]["Resource"]
    return [r.split(":", 5)[-1] for r in ([resources] if isinstance(resources, str) else resources)]


@pytest.mark.parametrize(("role_args", "expected"), [
    ({"name": "orders"}, "role/orders"),
    ({"name_prefix": "orders-"}, "role/orders-*"),
    ({}, "role/terraform-*"),  # the name Terraform generates
    ({"name": "orders", "path": "/apps/"}, "role/apps/orders"),
])
def test_iam_writes_name_each_role_of_the_stack_as_its_arn_will(synth_one, role_args, expected):
    # GIVEN a stack with a deploy role and one more role named as given
    def build(stack):
        _github_role(stack, environment="prod")
        aws.iam_role.IamRole(stack, "app", assume_role_policy="{}", **role_args)
    # THEN the apply role's IAM writes reach that role's ARN, its own, its derived policies
    # and its OIDC provider
    assert _iam_writes(synth_one(build)) == sorted(["role/deploy-*", expected]) + [
        "policy/eksguard-stack-deploy-*", "oidc-provider/token.actions.githubusercontent.com"]


def test_a_role_the_stack_does_not_hold_widens_iam_writes_to_every_role(synth_one):
    # GIVEN a stack that attaches a policy to a role it reads from a data source
    def build(stack):
        _github_role(stack, environment="prod")
        existing = aws.data_aws_iam_role.DataAwsIamRole(stack, "existing", name="legacy")
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            stack, "attach", role=existing.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    # THEN the writes cannot name it by pattern: every role of the account, said as such
    assert _iam_writes(synth_one(build)) == [
        "role/*", "policy/eksguard-stack-deploy-*", "oidc-provider/token.actions.githubusercontent.com"]


def test_pass_role_reaches_only_the_roles_the_stacks_resources_hand_to_a_service(synth_one):
    # GIVEN a stack whose flow log is given its delivery role, beside the deploy role
    def build(stack):
        _github_role(stack, environment="prod")
        ClusterNetwork(stack, "network", props=ClusterNetworkProps(cluster_name="prod", interface_endpoints=()))
    statements = {s["Sid"]: s for s in _policies(synth_one(build))["test/deploy/stack-permissions"]["Statement"]}
    # THEN iam:PassRole names the flow-logs role only, never the deploy role itself
    assert statements["PassStackRolesToTheirServices"]["Resource"] == (
        f"arn:{PARTITION}:iam::{ACCOUNT}:role/network-flow-logs-*")


def test_an_attachment_of_a_policy_known_only_at_apply_drops_the_attachment_condition(synth_one):
    # GIVEN a stack attaching a policy whose ARN comes from a data source
    def build(stack):
        _github_role(stack, environment="prod")
        role = aws.iam_role.IamRole(stack, "app", name="app", assume_role_policy="{}")
        found = aws.data_aws_iam_policy.DataAwsIamPolicy(stack, "found", name="team-policy")
        aws.iam_role_policy_attachment.IamRolePolicyAttachment(stack, "attach", role=role.name, policy_arn=found.arn)
    statements = {s["Sid"]: s for s in _policies(synth_one(build))["test/deploy/stack-permissions"]["Statement"]}
    # THEN the attachment cannot be named, so it is not conditioned (rather than refused on AWS)
    assert "Condition" not in statements["StackIAM"]
    assert "iam:AttachRolePolicy" in statements["StackIAM"]["Action"]


def test_private_dns_of_endpoints_is_not_region_conditioned():
    # Route 53 requests name us-east-1 whatever the stack's region
    document = deploy_policy_document(resource_types={"aws_vpc_endpoint"}, partition="aws", account="111122223333",
                                      region="eu-west-1", passed_to=())
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert statements["PrivateDnsOfEndpoints"] == {
        "Sid": "PrivateDnsOfEndpoints", "Effect": "Allow", "Action": "route53:AssociateVPCWithHostedZone",
        "Resource": "arn:aws:route53:::hostedzone/*"}
    assert "route53:AssociateVPCWithHostedZone" not in statements["WriteStackResourcesInThisRegion"]["Action"]
    # AND with the stack's VPCs known, only they may be associated where the request names them
    with_vpc = {s["Sid"]: s for s in deploy_policy_document(
        resource_types={"aws_vpc", "aws_vpc_endpoint"}, partition="aws", account="111122223333",
        region="eu-west-1", passed_to=(), vpc_arns={"${aws_vpc.main.arn}"})["Statement"]}
    assert with_vpc["PrivateDnsOfEndpoints"]["Condition"] == {
        "ForAllValues:StringLike": {"route53:VPCs": "*${aws_vpc.main.id}*"}}


def test_deploy_except_iam_writes_no_iam_but_still_passes_and_reads_the_stacks_roles():
    from eksguard.ci_permissions.deploy import deploy_policy_document
    from eksguard.constructs._private import StackTypes

    # GIVEN the Karpenter reference's types, derived with and without IAM writes
    app = main.build_app(main.ReferenceSettings(cluster_name="ref", stack_name="ref", capacity="karpenter", **TFC))
    types = StackTypes(next(s for s in app.node.children if s.node.id == "ref"))
    kwargs = dict(resource_types=types.resource_types, data_types=types.data_types, partition="aws",
                  account="111122223333", region="eu-west-1", passed_to={"ec2.amazonaws.com", "eks.amazonaws.com"},
                  cluster_names=types.cluster_names, iam_names=types.iam_names,
                  passed_role_names=types.passed_role_names, stack_tag="eu-west-1/ref/ref")
    full, except_iam = deploy_policy_document(**kwargs), deploy_policy_document(**kwargs, iam_writes=False)

    def allowed(document):
        return {a for s in document["Statement"] if s["Effect"] == "Allow"
                for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    # THEN it allows no IAM action but reads, PassRole and the service-linked roles
    iam = sorted(a for a in allowed(except_iam) if a.startswith("iam:"))
    assert [a for a in iam if not a.startswith(("iam:Get", "iam:List"))] == [
        "iam:CreateServiceLinkedRole", "iam:PassRole"]
    # AND all the rest the full policy allows
    assert {a for a in allowed(full) if not a.startswith("iam:")} == {
        a for a in allowed(except_iam) if not a.startswith("iam:")}
    sids = [s["Sid"] for s in except_iam["Statement"]]
    assert "StackIAM" not in sids and {"ReadStackIAM", "PassStackRolesToTheirServices"} <= set(sids)


def test_a_pull_request_role_may_not_deploy_even_without_iam(stack):
    with pytest.raises(ValidationError) as refused:
        _github_role(stack, pull_request=True, stack_permissions=StackPermissions.DEPLOY_EXCEPT_IAM)
    assert refused.value.field == "stack_permissions"


def test_access_entries_are_limited_to_known_principals_and_left_whole_for_unknown_ones():
    # GIVEN a stack of a cluster with an access entry and an association
    kwargs = dict(resource_types={"aws_eks_cluster", "aws_eks_access_entry", "aws_eks_access_policy_association"},
                  partition="aws", account="111122223333", region="eu-west-1", passed_to=(), cluster_names={"c"})
    view = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    # WHEN its principal is a literal ARN THEN entries and the association name it, not the account
    known = {s["Sid"]: s for s in deploy_policy_document(
        **kwargs, access_entry_principals={"arn:aws:iam::444455556666:role/ops"},
        access_policy_principals={view: {"arn:aws:iam::444455556666:role/ops"}})["Statement"]}
    assert known["AccessEntriesOfStackPrincipals"]["Condition"] == {
        "ArnLike": {"eks:principalArn": "arn:aws:iam::444455556666:role/ops"}}
    assert known["AssociateStackAccessPolicy1"]["Condition"] == {
        "ArnEquals": {"eks:policyArn": view}, "ArnLike": {"eks:principalArn": "arn:aws:iam::444455556666:role/ops"}}
    # AND a stack role's name pattern is completed with the account
    own = {s["Sid"]: s for s in deploy_policy_document(
        **kwargs, access_entry_principals={"role/ops-*"}, access_policy_principals={view: {"role/ops-*"}})["Statement"]}
    assert own["AccessEntriesOfStackPrincipals"]["Condition"] == {
        "ArnLike": {"eks:principalArn": "arn:aws:iam::111122223333:role/ops-*"}}
    # WHEN a principal is known only at apply THEN the writes stay on the cluster, unconditioned
    unknown = {s["Sid"]: s for s in deploy_policy_document(**kwargs)["Statement"]}
    assert "AccessEntriesOfStackPrincipals" not in unknown and "AssociateStackAccessPolicy1" not in unknown
    assert {"eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:AssociateAccessPolicy"} <= set(
        unknown["WriteEKSInThisAccount"]["Action"])


def test_stack_types_read_access_principals_from_the_stack(synth_one):
    from eksguard.constructs._private import StackTypes

    seen = {}

    def build(stack):
        role = aws.iam_role.IamRole(stack, "ops", name_prefix="ops-", assume_role_policy="{}")
        cluster = aws.eks_cluster.EksCluster(stack, "c", name="c", role_arn=role.arn,
                                             vpc_config={"subnet_ids": ["subnet-1"]})
        entry = aws.eks_access_entry.EksAccessEntry(stack, "e", cluster_name=cluster.name, principal_arn=role.arn)
        aws.eks_access_policy_association.EksAccessPolicyAssociation(
            stack, "a", cluster_name=cluster.name, principal_arn=entry.principal_arn,
            policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", access_scope={"type": "cluster"})
        aws.eks_access_entry.EksAccessEntry(stack, "lit", cluster_name=cluster.name,
                                            principal_arn="arn:aws:iam::444455556666:role/x")
        types = StackTypes(stack)
        seen.update(entries=types.access_entry_principals, policies=types.access_policy_principals)
    synth_one(build)
    assert seen == {"entries": {"role/ops-*", "arn:aws:iam::444455556666:role/x"},
                    "policies": {"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy": {"role/ops-*"}}}


def test_new_keys_may_carry_only_the_tag_keys_the_stacks_keys_and_providers_give(synth_one):
    from eksguard.constructs._private import StackTypes

    seen = {}

    def build(stack):
        aws.provider.AwsProvider(stack, "eu", region="eu-west-1", alias="eu",
                                 default_tags=[{"tags": {"team": "shop"}}])
        aws.kms_key.KmsKey(stack, "key", tags={"cost-center": "42"})
        seen["keys"] = StackTypes(stack).key_tag_keys
    synth_one(build)
    # THEN its keys' own tag keys, every AWS provider's default tags' keys and the stack's tag
    assert seen["keys"] == {"cost-center", "team", "eksguard:stack"}
    document = {s["Sid"]: s for s in deploy_policy_document(
        resource_types={"aws_kms_key"}, partition="aws", account="111122223333", region="eu-west-1",
        passed_to=(), key_arns={"${aws_kms_key.key.arn}"}, stack_tag="eu-west-1/test",
        key_tag_keys=seen["keys"])["Statement"]}
    assert document["TagNewKeysAsThisStack"]["Condition"]["ForAllValues:StringEquals"] == {
        "aws:TagKeys": ["cost-center", "eksguard:stack", "team"]}
    # AND a key whose tags are known only at apply leaves the keys unlimited
    assert "ForAllValues:StringEquals" not in {s["Sid"]: s for s in deploy_policy_document(
        resource_types={"aws_kms_key"}, partition="aws", account="111122223333", region="eu-west-1",
        passed_to=(), key_arns={"${aws_kms_key.key.arn}"}, stack_tag="eu-west-1/test")["Statement"]}[
        "TagNewKeysAsThisStack"]["Condition"]


def test_stack_types_see_public_endpoints_and_endpoint_services_known_only_at_apply(synth_one):
    from eksguard.constructs._private import StackTypes

    seen = {}

    def build(stack):
        role = aws.iam_role.IamRole(stack, "r", name_prefix="r-", assume_role_policy="{}")
        aws.eks_cluster.EksCluster(stack, "c", name="c", role_arn=role.arn, vpc_config={
            "subnet_ids": ["subnet-1"], "endpoint_public_access": True, "endpoint_private_access": True})
        vpc = aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
        aws.vpc_endpoint.VpcEndpoint(stack, "own", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3")
        types = StackTypes(stack)
        seen.update(private=types.private_endpoints, services=types.endpoint_services)
        aws.vpc_endpoint.VpcEndpoint(stack, "theirs", vpc_id=vpc.id, service_name=vpc.id)
        seen["later"] = StackTypes(stack).endpoint_services
    synth_one(build)
    # THEN a public endpoint leaves cluster changes unconditioned; a literal service name is named
    assert seen == {"private": False, "services": {"com.amazonaws.eu-west-1.s3"}, "later": None}
    document = {s["Sid"]: s for s in deploy_policy_document(
        resource_types={"aws_eks_cluster"}, partition="aws", account="111122223333", region="eu-west-1",
        passed_to=(), cluster_names={"c"})["Statement"]}
    assert "KeepClusterEndpointsPrivate" not in document
    assert "eks:UpdateClusterConfig" in document["WriteEKSInThisAccount"]["Action"]
