"""Karpenter's AWS side on the embedded emulator: a SecureEksCluster with one node group for
the controller, and Karpenter with its defaults. Everything lands as synthesized, reads back
whole with boto3, and a second plan is empty."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from eksguard import (
    CoreAddonsOptions,
    EksClusterProps,
    ManagedNodeGroupOptions,
    SecureEksCluster,
    SecureEksClusterProps,
)
from eksguard._framework import TerraformOutput, TerraformStack, aws
from eksguard.constructs.karpenter import Karpenter, KarpenterProps
from eksguard.testing import PodIdentityAssociationSnapshot, read_access_entry, read_pod_identity_associations
from tests.unit.test_karpenter import (
    EXPECTED_RULES,
    RULE_PREFIX,
    POLICY_NAMES,
    expected_controller_policies,
    expected_queue_policy,
)

pytestmark = pytest.mark.eksguard_integration
REGION = "us-east-1"
TAGS = {"team": "platform"}


class KarpenterStack(TerraformStack):
    """A VPC, a SecureEksCluster (its Pod Identity agent comes with aws-node's Pod Identity
    role) with one node group for the controller, and Karpenter."""

    def __init__(self, scope: Any, id: str, *, name: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region=REGION)
        vpc = aws.vpc.Vpc(self, "vpc", cidr_block="10.50.0.0/16")
        subnets = [aws.subnet.Subnet(self, f"subnet-{i}", vpc_id=vpc.id, cidr_block=f"10.50.{i}.0/24",
                                     availability_zone=f"{REGION}{'ab'[i]}").id for i in (0, 1)]
        eks = SecureEksCluster(self, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name=name, subnet_ids=subnets),
            core_addons=CoreAddonsOptions(vpc_cni_identity="pod_identity"),
            node_groups={"system": ManagedNodeGroupOptions(
                min_size=1, desired_size=1, max_size=2, desired_size_managed_by_autoscaler=True)}))
        karpenter = Karpenter(self, "karpenter", props=KarpenterProps(cluster_name=eks.cluster_name, tags=TAGS))
        for output in ("controller_role_arn", "controller_role_name", "node_role_arn", "node_role_name",
                       "queue_name", "queue_arn", "queue_url", "controller_policy_arns"):
            TerraformOutput(self, output, value=getattr(karpenter, output))


def test_karpenter_lands_whole_and_replans_empty(synth_stack, deploy_stack):
    # GIVEN a cluster with Karpenter / WHEN it is deployed
    name = f"karp-{uuid.uuid4().hex[:8]}"
    deployment = deploy_stack(synth_stack(lambda app: KarpenterStack(app, "karpenter", name=name)))
    out = deployment.outputs
    iam, sqs, events, eks = (deployment.client(s) for s in ("iam", "sqs", "events", "eks"))
    account = deployment.client("sts").get_caller_identity()["Account"]
    assert deployment.unserved == {}

    # THEN the controller role trusts only kube-system/karpenter's Pod Identity sessions ...
    controller = iam.get_role(RoleName=out["controller_role_name"])["Role"]
    cluster_arn = f"arn:aws:eks:{REGION}:{account}:cluster/{name}"
    assert controller["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-arn": cluster_arn,
                                       "aws:RequestTag/kubernetes-namespace": "kube-system",
                                       "aws:RequestTag/kubernetes-service-account": "karpenter"}}}]}
    assert {t["Key"]: t["Value"] for t in controller.get("Tags", [])} == TAGS

    # ... and has upstream's five policies, scoped to this cluster, account, node role and queue
    assert iam.list_role_policies(RoleName=out["controller_role_name"])["PolicyNames"] == []
    attached = iam.list_attached_role_policies(RoleName=out["controller_role_name"])["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted(out["controller_policy_arns"])
    documents = {}
    for arn in out["controller_policy_arns"]:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        # named <upstream name>-<cluster>-<hash of stack and cluster>-<Terraform's suffix>: this cluster's own
        base, rest = policy["PolicyName"].split("-", 1)
        owner = hashlib.sha256(f"karpenter/{name}".encode()).hexdigest()[:8]
        assert rest.rsplit("-", 1)[0] == f"{name}-{owner}", policy["PolicyName"]
        documents[base] = version["Document"]
    assert list(documents) == POLICY_NAMES
    assert documents == expected_controller_policies(
        partition="aws", region=REGION, account=account, cluster=name, node_role_arn=out["node_role_arn"],
        queue_arn=out["queue_arn"])

    # AND the node role has upstream's policies but SSM, and an EC2_LINUX access entry
    node_role = iam.get_role(RoleName=out["node_role_name"])["Role"]
    assert node_role["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(
        RoleName=out["node_role_name"])["AttachedPolicies"]) == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]
    assert iam.list_role_policies(RoleName=out["node_role_name"])["PolicyNames"] == []
    entry = read_access_entry(eks, name, out["node_role_arn"])
    assert (entry.type, entry.policies) == ("EC2_LINUX", frozenset())
    assert PodIdentityAssociationSnapshot("kube-system", "karpenter", out["controller_role_arn"]) in \
        read_pod_identity_associations(eks, name)

    # AND the queue keeps five minutes under SSE-SQS, open to this account's EventBridge only
    attributes = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
    assert (out["queue_name"], attributes["QueueArn"]) == (name, out["queue_arn"])
    assert (attributes["SqsManagedSseEnabled"], attributes["MessageRetentionPeriod"]) == ("true", "300")
    assert "KmsMasterKeyId" not in attributes
    rule_arns = [deployment.state(f"karpenter/karpenter/{rule_id}-rule")["arn"] for rule_id in EXPECTED_RULES]
    assert json.loads(attributes["Policy"]) == expected_queue_policy(queue_arn=out["queue_arn"], account=account,
                                                                     rule_arns=rule_arns)
    assert sqs.list_queue_tags(QueueUrl=out["queue_url"]).get("Tags") == TAGS

    # AND upstream's four rules send their events to the queue
    rules = {}
    own_prefix = "karpenter-" + hashlib.sha256(name.encode()).hexdigest()[:8] + "-"
    for rule in events.list_rules(NamePrefix="karpenter-")["Rules"]:
        # named karpenter-<8 hex of this cluster's name>-<part>-...
        rule_id = next((r for r, (prefix, _) in EXPECTED_RULES.items()
                        if rule["Name"].startswith(prefix.replace(RULE_PREFIX, own_prefix))), None)
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        if rule_id is not None and {t["Arn"] for t in targets} == {out["queue_arn"]}:
            rules[rule_id] = (json.loads(rule["EventPattern"]), [(t["Id"], t["Arn"]) for t in targets])
    assert rules == {rule_id: (pattern, [("KarpenterInterruptionQueueTarget", out["queue_arn"])])
                     for rule_id, (_, pattern) in EXPECTED_RULES.items()}

    # AND a second plan wants nothing, with nothing left unverified
    again = deployment.replan()
    assert again.ok and again.unverified == (), again.report()
