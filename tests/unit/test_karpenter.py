"""Issue 11, part 2: Karpenter's AWS side. The controller's policies are upstream's
(aws/karpenter-provider-aws v1.8 cloudformation.yaml), statement by statement, scoped to this
cluster, account and queue; the node role, its access entry, the interruption queue and its
EventBridge rules; and every bad input names the path, the field, the value and what is allowed."""

from __future__ import annotations

import hashlib
import json

import pytest

from eksguard import (
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    CoreAddonsOptions,
    EksClusterProps,
    ManagedNodeGroupOptions,
    NodeRoleProps,
    SecureEksCluster,
    SecureEksClusterProps,
    ValidationError,
)
from eksguard import _validation as v
from eksguard._framework import TerraformOutput, aws
from eksguard.constructs import karpenter as karpenter_module
from eksguard.constructs.cluster import ALLOWED_CLUSTER_NAME
from eksguard.constructs.karpenter import Karpenter, KarpenterProps
from eksguard.constructs.node_role import EcrAccess
from eksguard.guardrails.readiness import check_readiness
from eksguard.guardrails.rules import check_document

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
REGION = "${data.aws_region.eksguard-region.name}"
ACCOUNT = "${data.aws_caller_identity.eksguard-account.account_id}"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"]
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
POLICY_NAMES = ["KarpenterControllerNodeLifecyclePolicy", "KarpenterControllerIAMIntegrationPolicy",
                "KarpenterControllerEKSIntegrationPolicy", "KarpenterControllerInterruptionPolicy",
                "KarpenterControllerResourceDiscoveryPolicy"]


def expected_controller_policies(*, partition: str, region: str, account: str, cluster: str, node_role_arn: str,
                                 queue_arn: str | None, vpc_owner: str | None = None) -> dict[str, dict]:
    """Upstream's five controller policies as eksguard writes them, for given values (also
    used by the integration test with the deployed ones)."""
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = f"kubernetes.io/cluster/{cluster}"
    profiles = f"arn:{partition}:iam::{account}:instance-profile/*"
    networks = [account] + ([vpc_owner] if vpc_owner else [])
    created = [f"{ec2}:{account}:fleet/*", f"{ec2}:{account}:instance/*", f"{ec2}:{account}:volume/*",
               f"{ec2}:{account}:network-interface/*", f"{ec2}:{account}:launch-template/*",
               f"{ec2}:{account}:spot-instances-request/*"]
    nodepool = {"aws:RequestTag/karpenter.sh/nodepool": "*"}
    policies = {
        "KarpenterControllerNodeLifecyclePolicy": [
            {"Sid": "AllowScopedEC2InstanceAccessActions", "Effect": "Allow",
             "Resource": [f"{ec2}::image/*", f"{ec2}::snapshot/*",
                          *[f"{ec2}:{a}:security-group/*" for a in networks],
                          *[f"{ec2}:{a}:subnet/*" for a in networks],
                          f"{ec2}:{account}:capacity-reservation/*"],
             "Action": ["ec2:RunInstances", "ec2:CreateFleet"]},
            {"Sid": "AllowScopedEC2LaunchTemplateAccessActions", "Effect": "Allow",
             "Resource": f"{ec2}:{account}:launch-template/*", "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
            {"Sid": "AllowScopedEC2InstanceActionsWithTags", "Effect": "Allow", "Resource": created,
             "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster},
                           "StringLike": nodepool}},
            {"Sid": "AllowScopedResourceCreationTagging", "Effect": "Allow", "Resource": created,
             "Action": "ec2:CreateTags",
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster,
                                            "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
                           "StringLike": nodepool}},
            {"Sid": "AllowScopedResourceTagging", "Effect": "Allow", "Resource": f"{ec2}:{account}:instance/*",
             "Action": "ec2:CreateTags",
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                           "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                           "ForAllValues:StringEquals": {
                               "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]}}},
            {"Sid": "AllowScopedDeletion", "Effect": "Allow",
             "Resource": [f"{ec2}:{account}:instance/*", f"{ec2}:{account}:launch-template/*"],
             "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                           "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
        ],
        "KarpenterControllerIAMIntegrationPolicy": [
            {"Sid": "AllowPassingInstanceRole", "Effect": "Allow", "Resource": node_role_arn,
             "Action": "iam:PassRole",
             "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}}},
            {"Sid": "AllowScopedInstanceProfileCreationActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:CreateInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster,
                                            "aws:RequestTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileTagActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:TagInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned",
                                            "aws:ResourceTag/topology.kubernetes.io/region": region,
                                            f"aws:RequestTag/{owned}": "owned",
                                            "aws:RequestTag/eks:eks-cluster-name": cluster,
                                            "aws:RequestTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                                          "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileActions", "Effect": "Allow", "Resource": profiles,
             "Action": ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                        "iam:DeleteInstanceProfile"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/{owned}": "owned",
                                            "aws:ResourceTag/topology.kubernetes.io/region": region},
                           "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
        ],
        "KarpenterControllerEKSIntegrationPolicy": [
            {"Sid": "AllowAPIServerEndpointDiscovery", "Effect": "Allow",
             "Resource": f"arn:{partition}:eks:{region}:{account}:cluster/{cluster}",
             "Action": "eks:DescribeCluster"},
        ],
        "KarpenterControllerInterruptionPolicy": [
            {"Sid": "AllowInterruptionQueueActions", "Effect": "Allow", "Resource": queue_arn,
             "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]},
        ],
        "KarpenterControllerResourceDiscoveryPolicy": [
            {"Sid": "AllowRegionalReadActions", "Effect": "Allow", "Resource": "*",
             "Action": ["ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances",
                        "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets"],
             "Condition": {"StringEquals": {"aws:RequestedRegion": region}}},
            {"Sid": "AllowSSMReadActions", "Effect": "Allow",
             "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*", "Action": "ssm:GetParameter"},
            {"Sid": "AllowPricingReadActions", "Effect": "Allow", "Resource": "*", "Action": "pricing:GetProducts"},
            {"Sid": "AllowUnscopedInstanceProfileListAction", "Effect": "Allow",
             "Resource": f"arn:{partition}:iam::{account}:instance-profile/karpenter/{region}/{cluster}/*",
             "Action": "iam:ListInstanceProfiles"},
            {"Sid": "AllowInstanceProfileReadActions", "Effect": "Allow", "Resource": profiles,
             "Action": "iam:GetInstanceProfile"},
        ],
    }
    if queue_arn is None:
        del policies["KarpenterControllerInterruptionPolicy"]
    return {name: {"Version": "2012-10-17", "Statement": statements} for name, statements in policies.items()}


def expected_queue_policy(*, queue_arn: str, account: str, rule_arns: list[str]) -> dict:
    this_account = {"StringEquals": {"aws:SourceAccount": account}}
    return {"Version": "2012-10-17", "Id": "EC2InterruptionPolicy", "Statement": [
        {"Sid": "EventBridgeRulesOfThisQueue", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "sqs:SendMessage", "Resource": queue_arn,
         "Condition": {**this_account, "ArnEquals": {"aws:SourceArn": rule_arns}}},
        {"Sid": "DenyHTTP", "Effect": "Deny", "Action": "sqs:*", "Resource": queue_arn,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}, "Principal": "*"}]}


RULE_PREFIX = "karpenter-" + hashlib.sha256(b"prod").hexdigest()[:8] + "-"
"""The rules' name prefix for cluster ``prod``: 8 hex of its name, so each cluster's rules
are its own (a CI role's EventBridge writes name them)."""
EXPECTED_RULES = {
    "scheduled-change": (RULE_PREFIX + "scheduled-", {"source": ["aws.health"], "detail-type": ["AWS Health Event"]}),
    "spot-interruption": (RULE_PREFIX + "spot-",
                          {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]}),
    "rebalance": (RULE_PREFIX + "rebalance-",
                  {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]}),
    "instance-state-change": (RULE_PREFIX + "state-",
                              {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}),
}


def _karpenter(stack, id="karpenter", **props):
    return Karpenter(stack, id, props=KarpenterProps(**{"cluster_name": "prod", **props}))


def _ref(out, path, attribute):
    return "${" + out.address(path) + "." + attribute + "}"


def test_controller_policies_are_upstreams_scoped_to_this_cluster_account_node_role_and_queue(synth_one):
    # GIVEN Karpenter with its defaults / WHEN synthesized
    out = synth_one(lambda s: _karpenter(s))
    # THEN the five policies are upstream's, every ARN in this account
    policies = out.of_type("aws_iam_policy")
    assert sorted(policies) == sorted(f"test/karpenter/{name}" for name in POLICY_NAMES)
    expected = expected_controller_policies(
        partition=PARTITION, region=REGION, account=ACCOUNT, cluster="prod",
        node_role_arn=_ref(out, "test/karpenter/node-role/role", "arn"),
        queue_arn=_ref(out, "test/karpenter/interruption-queue", "arn"))
    assert {path.rsplit("/", 1)[1]: json.loads(body["policy"]) for path, body in policies.items()} == expected
    assert {path: {k: body[k] for k in ("name_prefix", "description", "tags")}
            for path, body in policies.items()} == {
        # (named after upstream's, the cluster's name and a hash of the stack and cluster)
        f"test/karpenter/{name}": {"name_prefix": f"{name}-prod-{hashlib.sha256(b'test/prod').hexdigest()[:8]}-",
                                   "description": f"Karpenter controller: {name}",
                                   "tags": {}} for name in POLICY_NAMES}
    # AND they are attached to the controller role, and only to it
    attachments = {path: body for path, body in out.of_type("aws_iam_role_policy_attachment").items()
                   if path.startswith("test/karpenter/controller/")}
    assert sorted(body["policy_arn"] for body in attachments.values()) == sorted(
        _ref(out, f"test/karpenter/{name}", "arn") for name in POLICY_NAMES)
    assert {body["role"] for body in attachments.values()} == {_ref(out, "test/karpenter/controller/role", "name")}


def test_pod_identity_trust_and_association_of_kube_system_karpenter_without_an_agent(synth_one):
    out = synth_one(lambda s: _karpenter(s))
    cluster_arn = f"arn:{PARTITION}:eks:{REGION}:{ACCOUNT}:cluster/prod"
    assert json.loads(out.resource("test/karpenter/controller/role")["assume_role_policy"]) == {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-arn": cluster_arn,
                                           "aws:RequestTag/kubernetes-namespace": "kube-system",
                                           "aws:RequestTag/kubernetes-service-account": "karpenter"}}}]}
    association = out.resource("test/karpenter/controller/association-kube-system-karpenter")
    assert {k: association[k] for k in ("cluster_name", "namespace", "service_account", "role_arn")} == {
        "cluster_name": "prod", "namespace": "kube-system", "service_account": "karpenter",
        "role_arn": _ref(out, "test/karpenter/controller/role", "arn")}
    # the association waits for the policies, and the agent add-on is the cluster owner's
    assert len(association["depends_on"]) == len(POLICY_NAMES)
    assert "aws_eks_addon" not in out.document["resource"]


def test_irsa_trust_of_the_service_account_given(synth_one):
    def build(s):
        oidc = ClusterOidcProvider(s, "oidc", props=ClusterOidcProviderProps(issuer_url=f"https://{ISSUER}"))
        _karpenter(s, identity="irsa", oidc_provider=oidc, namespace="karpenter", service_account="controller")

    out = synth_one(build)
    [local_name] = out.document["locals"]  # the issuer host, computed from the provider's URL
    issuer = "${local." + local_name + "}"
    assert json.loads(out.resource("test/karpenter/controller/role")["assume_role_policy"]) == {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": _ref(out, "test/oidc/provider", "arn")},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                           f"{issuer}:sub": "system:serviceaccount:karpenter:controller"}}}]}
    assert "aws_eks_pod_identity_association" not in out.document["resource"]


def test_node_role_gets_upstreams_policies_without_ssm_and_an_ec2_linux_access_entry(synth_one):
    out = synth_one(lambda s: _karpenter(s))
    role = out.resource("test/karpenter/node-role/role")
    assert json.loads(role["assume_role_policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    attached = {body["policy_arn"] for path, body in out.of_type("aws_iam_role_policy_attachment").items()
                if path.startswith("test/karpenter/node-role/")}
    assert attached == {f"arn:{PARTITION}:iam::aws:policy/{name}" for name in
                        ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")}
    # AND an instance profile for spec.instanceProfile (a private VPC has no IAM endpoint)
    assert out.resource("test/karpenter/node-role/instance-profile") == {
        "name_prefix": "karpenter-node-role-", "role": _ref(out, "test/karpenter/node-role/role", "name"),
        "tags": {}}
    assert out.resource("test/karpenter/node-access-entry/entry") == {
        "cluster_name": "prod", "principal_arn": _ref(out, "test/karpenter/node-role/role", "arn"),
        "type": "EC2_LINUX"}


def test_instance_profile_can_be_left_to_karpenter(synth_one):
    out = synth_one(lambda s: _karpenter(s, instance_profile=False))
    assert "aws_iam_instance_profile" not in out.document["resource"]


def test_ssm_is_opt_in_and_node_role_props_are_kept(synth_one):
    out = synth_one(lambda s: _karpenter(s, attach_ssm_policy=True, tags={"team": "platform"}, node_role=NodeRoleProps(
        attach_vpc_cni_policy=False, ecr_access=EcrAccess.READ_ONLY, tags={"tier": "nodes"})))
    attached = {body["policy_arn"] for path, body in out.of_type("aws_iam_role_policy_attachment").items()
                if path.startswith("test/karpenter/node-role/")}
    assert attached == {f"arn:{PARTITION}:iam::aws:policy/{name}" for name in
                        ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly",
                         "AmazonSSMManagedInstanceCore")}
    assert out.resource("test/karpenter/node-role/role")["tags"] == {"team": "platform", "tier": "nodes"}


def test_interruption_queue_sse_sqs_five_minutes_and_only_eventbridge_of_this_account(synth_one):
    out = synth_one(lambda s: _karpenter(s, tags={"team": "platform"}))
    assert out.resource("test/karpenter/interruption-queue") == {
        "name": "prod", "message_retention_seconds": 300, "sqs_managed_sse_enabled": True,
        "tags": {"team": "platform"}}
    policy = out.resource("test/karpenter/interruption-queue-policy")
    assert policy["queue_url"] == _ref(out, "test/karpenter/interruption-queue", "url")
    assert json.loads(policy["policy"]) == expected_queue_policy(
        queue_arn=_ref(out, "test/karpenter/interruption-queue", "arn"), account=ACCOUNT,
        rule_arns=[_ref(out, f"test/karpenter/{rule_id}-rule", "arn") for rule_id in EXPECTED_RULES])


def test_eventbridge_rules_and_targets_are_upstreams_four(synth_one):
    out = synth_one(lambda s: _karpenter(s, queue_name="prod-interruptions"))
    rules = out.of_type("aws_cloudwatch_event_rule")
    assert {path: (body["name_prefix"], json.loads(body["event_pattern"]), body["tags"])
            for path, body in rules.items()} == {
        f"test/karpenter/{rule_id}-rule": (prefix, pattern, {}) for rule_id, (prefix, pattern) in EXPECTED_RULES.items()}
    assert out.of_type("aws_cloudwatch_event_target") == {
        f"test/karpenter/{rule_id}-target": {
            "rule": _ref(out, f"test/karpenter/{rule_id}-rule", "name"),
            "target_id": "KarpenterInterruptionQueueTarget",
            "arn": _ref(out, "test/karpenter/interruption-queue", "arn")} for rule_id in EXPECTED_RULES}
    assert out.resource("test/karpenter/interruption-queue")["name"] == "prod-interruptions"


def test_without_a_queue_there_is_no_queue_rule_or_queue_policy(synth_one):
    karpenters = []
    out = synth_one(lambda s: karpenters.append(_karpenter(s, interruption_queue=False)))
    resources = out.document["resource"]
    assert not {"aws_sqs_queue", "aws_sqs_queue_policy", "aws_cloudwatch_event_rule",
                "aws_cloudwatch_event_target"} & set(resources)
    assert sorted(out.of_type("aws_iam_policy")) == sorted(
        f"test/karpenter/{name}" for name in POLICY_NAMES if name != "KarpenterControllerInterruptionPolicy")
    (karpenter,) = karpenters
    assert (karpenter.queue_name, karpenter.queue_arn, karpenter.queue_url) == (None, None, None)


def test_a_shared_vpc_owner_may_lend_subnets_and_security_groups(synth_one):
    out = synth_one(lambda s: _karpenter(s, vpc_owner_account_id="444455556666"))
    document = json.loads(out.resource("test/karpenter/KarpenterControllerNodeLifecyclePolicy")["policy"])
    assert document == expected_controller_policies(
        partition=PARTITION, region=REGION, account=ACCOUNT, cluster="prod",
        node_role_arn=_ref(out, "test/karpenter/node-role/role", "arn"),
        queue_arn=None, vpc_owner="444455556666")["KarpenterControllerNodeLifecyclePolicy"]


def test_properties_are_the_references_to_give_the_chart_and_the_nodeclass(synth_one):
    # GIVEN outputs built from Karpenter's properties / WHEN synthesized
    names = ("controller_role_arn", "controller_role_name", "node_role_arn", "node_role_name", "queue_name",
             "queue_arn", "queue_url")

    def build(s):
        k = _karpenter(s)
        for name in names:
            TerraformOutput(s, name, value=getattr(k, name))
        TerraformOutput(s, "controller_policy_arns", value=k.controller_policy_arns)

    out = synth_one(build)
    # THEN each output references the resource attribute its property names
    assert {name: body["value"] for name, body in out.document["output"].items()} == {
        "controller_role_arn": _ref(out, "test/karpenter/controller/role", "arn"),
        "controller_role_name": _ref(out, "test/karpenter/controller/role", "name"),
        "node_role_arn": _ref(out, "test/karpenter/node-role/role", "arn"),
        "node_role_name": _ref(out, "test/karpenter/node-role/role", "name"),
        "queue_name": _ref(out, "test/karpenter/interruption-queue", "name"),
        "queue_arn": _ref(out, "test/karpenter/interruption-queue", "arn"),
        "queue_url": _ref(out, "test/karpenter/interruption-queue", "url"),
        "controller_policy_arns": [_ref(out, f"test/karpenter/{name}", "arn") for name in POLICY_NAMES],
    }


def test_guardrails_find_nothing_on_a_secure_cluster_with_karpenter(synth_one):
    # GIVEN a SecureEksCluster (its Pod Identity agent comes with aws-node's Pod Identity role)
    # with one node group for the controller, and Karpenter both ways
    def build(s):
        eks = SecureEksCluster(s, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
            core_addons=CoreAddonsOptions(vpc_cni_identity="pod_identity"),
            node_groups={"system": ManagedNodeGroupOptions(
                min_size=2, desired_size=2, max_size=2, desired_size_managed_by_autoscaler=True)}))
        Karpenter(s, "karpenter", props=KarpenterProps(cluster_name=eks.cluster_name))
        Karpenter(s, "karpenter-irsa", props=KarpenterProps(
            cluster_name=eks.cluster_name, identity="irsa", oidc_provider=eks.oidc_provider,
            queue_name="prod-irsa", vpc_owner_account_id="444455556666", attach_ssm_policy=True))

    # WHEN synthesized (SecureEksCluster's guardrails would fail synth on a finding)
    out = synth_one(build)
    # THEN no security or readiness rule finds anything
    assert [str(f) for f in check_document(out.document, 2)] == []
    assert [str(f) for f in check_readiness(out.document)] == []


LONG_CLUSTER = "c" * 81
# (props, field, value as given, allowed)
BAD_PROPS = [
    pytest.param({"identity": "irsa-and-pod-identity"}, "identity", "irsa-and-pod-identity",
                 "one of 'pod_identity', 'irsa'", id="identity"),
    pytest.param({"identity": "irsa"}, "oidc_provider", None, karpenter_module.ALLOWED_OIDC, id="irsa without OIDC"),
    pytest.param({"namespace": "Kube_System"}, "namespace", "Kube_System", v.ALLOWED_DNS1123_LABEL, id="namespace"),
    pytest.param({"service_account": "karpenter!"}, "service_account", "karpenter!", v.ALLOWED_DNS1123_SUBDOMAIN,
                 id="service account"),
    pytest.param({"cluster_name": "-prod"}, "cluster_name", "-prod", ALLOWED_CLUSTER_NAME, id="cluster name"),
    pytest.param({"queue_name": "prod.fifo"}, "queue_name", "prod.fifo", karpenter_module.ALLOWED_QUEUE_NAME,
                 id="queue name with a dot"),
    pytest.param({"queue_name": "q" * 81}, "queue_name", "q" * 81, karpenter_module.ALLOWED_QUEUE_NAME,
                 id="queue name too long"),
    pytest.param({"cluster_name": LONG_CLUSTER}, "queue_name", LONG_CLUSTER,
                 karpenter_module.ALLOWED_DERIVED_QUEUE_NAME, id="cluster name too long for a queue"),
    pytest.param({"interruption_queue": False, "queue_name": "prod"}, "queue_name", "prod",
                 karpenter_module.ALLOWED_QUEUE_NAME_WITHOUT_QUEUE, id="queue name without a queue"),
    pytest.param({"vpc_owner_account_id": "4444-5555-6666"}, "vpc_owner_account_id", "4444-5555-6666",
                 karpenter_module.ALLOWED_ACCOUNT_ID, id="VPC owner account"),
    pytest.param({"tags": ["team"]}, "tags", ["team"], v.ALLOWED_MAPPING, id="tags list"),
    pytest.param({"interruption_queue": "yes"}, "interruption_queue", "yes", v.ALLOWED_BOOL, id="queue flag string"),
    pytest.param({"node_role": {"attach_vpc_cni_policy": False}}, "node_role", {"attach_vpc_cni_policy": False},
                 "a NodeRoleProps", id="node role dict"),
    pytest.param({"oidc_provider": "arn:aws:iam::111122223333:oidc-provider/x", "identity": "irsa"},
                 "oidc_provider", "arn:aws:iam::111122223333:oidc-provider/x", "a ClusterOidcProvider",
                 id="OIDC provider ARN"),
]


@pytest.mark.parametrize(("props", "field", "value", "allowed"), BAD_PROPS)
def test_bad_karpenter_props(stack, props, field, value, allowed):
    # GIVEN a bad prop / WHEN Karpenter is built
    with pytest.raises(ValidationError) as caught:
        _karpenter(stack, **props)
    # THEN the error names the path, the field, the value as given and what is allowed
    error = caught.value
    assert (error.path, error.field, error.value, error.allowed) == ("test/karpenter", field, value, allowed)
    assert str(error) == f"test/karpenter: field '{field}' got {value!r}: {allowed}"
    # and the stack fixture asserts that nothing was written


def test_props_that_are_not_karpenter_props_are_refused(stack):
    with pytest.raises(ValidationError) as caught:
        Karpenter(stack, "karpenter", props={"cluster_name": "prod"})
    assert (caught.value.path, caught.value.field, caught.value.allowed) == (
        "test/karpenter", "props", "a KarpenterProps")


def test_a_bad_node_role_prop_names_the_node_role_path(stack):
    with pytest.raises(ValidationError) as caught:
        _karpenter(stack, node_role=NodeRoleProps(role_name="karpenter nodes"))
    assert (caught.value.path, caught.value.field, caught.value.value) == (
        "test/karpenter/node-role", "role_name", "karpenter nodes")


def test_references_pass_where_literals_are_checked(stack):
    # A cluster name read from Terraform is known only at apply: it is not checked, and the
    # queue takes it as its name.
    existing = aws.data_aws_eks_cluster.DataAwsEksCluster(stack, "existing", name="prod")
    k = _karpenter(stack, cluster_name=existing.name)
    assert k.queue is not None and k.node_access_entry is not None


def test_a_cluster_reference_too_long_for_a_queue_name_is_refused(stack):
    # GIVEN a cluster of the stack named with 81 characters (EKS allows 100, SQS 80), given
    # to Karpenter as a reference, with no queue_name
    cluster = aws.eks_cluster.EksCluster(stack, "eks", name=LONG_CLUSTER, role_arn="arn:aws:iam::1:role/r",
                                         vpc_config={"subnet_ids": SUBNETS})
    # WHEN Karpenter is built / THEN the queue name it would derive is refused at construction
    with pytest.raises(ValidationError) as caught:
        _karpenter(stack, cluster_name=cluster.name)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/karpenter", "queue_name", LONG_CLUSTER, karpenter_module.ALLOWED_DERIVED_QUEUE_NAME)
    # AND a queue_name given instead is taken
    assert _karpenter(stack, id="karpenter-named", cluster_name=cluster.name, queue_name="prod").queue is not None


def test_policy_names_cut_a_long_cluster_name_not_their_trailing_dash():
    from eksguard.ci_permissions.deploy import collapse_patterns
    from eksguard.constructs.karpenter import POLICY_NAME_PREFIX_MAX, policy_name_prefix

    # GIVEN EKS's longest cluster name (100 characters)
    cluster = "c" * 100
    prefixes = [policy_name_prefix(name, cluster, "app") for name in POLICY_NAMES]
    owner = hashlib.sha256(f"app/{cluster}".encode()).hexdigest()[:8]
    # THEN each fits IAM's name_prefix limit and ends "-<cut cluster name>-<hash of stack and cluster>-"
    assert all(len(p) <= POLICY_NAME_PREFIX_MAX and p.endswith(f"c-{owner}-") for p in prefixes), prefixes
    # AND no other cluster's upstream name (<policy>-<cluster>) matches the pattern
    from fnmatch import fnmatchcase
    pattern = next(iter(collapse_patterns({p + "*" for p in prefixes})))
    assert not fnmatchcase(f"KarpenterControllerNodeLifecyclePolicy-{cluster[:40]}-eu", pattern)
    # AND the five still collapse to one pattern in a CI role's policy
    assert len(collapse_patterns({p + "*" for p in prefixes})) == 1
    # AND a name known only at apply keeps upstream's name alone
    assert policy_name_prefix("KarpenterControllerInterruptionPolicy", None) == "KarpenterControllerInterruptionPolicy-"
