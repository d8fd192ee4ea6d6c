"""The reference app with Karpenter (EKSGUARD_CAPACITY=karpenter) deployed to the embedded
emulator: one managed node group for the controller and the critical add-ons, and
Karpenter's AWS side wired by SecureEksCluster.add_karpenter."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

import main
from eksguard.testing import (
    PodIdentityAssociationSnapshot,
    assert_attached_policies,
    assert_inline_policies,
    assert_node_group,
    assert_role_trusts_service,
    expect_equal,
    read_access_entries,
    read_cluster,
    read_inventory,
    read_node_group,
    read_pod_identity_associations,
    read_role,
)
from tests.unit.test_karpenter import (
    EXPECTED_RULES,
    POLICY_NAMES,
    expected_controller_policies,
    expected_queue_policy,
)

pytestmark = pytest.mark.eksguard_integration

MANAGED = "arn:aws:iam::aws:policy/"
POLICY = "arn:aws:eks::aws:cluster-access-policy/"


def test_karpenter_reference_deploys_verifies_replans_and_destroys_cleanly(synth_stack, deploy_stack, aws_emulator):
    # GIVEN the reference app with Karpenter, with a cluster name no other test uses
    settings = main.ReferenceSettings(cluster_name=f"karp-{uuid.uuid4().hex[:8]}", stack_name="karpenter",
                                      capacity="karpenter")
    before = read_inventory(aws_emulator.client)
    stack = synth_stack(lambda app: main.ReferenceStack(app, settings.stack_name, settings=settings))

    # WHEN it is applied
    deployment = deploy_stack(stack)
    out = deployment.outputs
    iam, eks, sqs = (deployment.client(s) for s in ("iam", "eks", "sqs"))
    account = deployment.client("sts").get_caller_identity()["Account"]
    cluster = read_cluster(eks, out["cluster_name"])

    # THEN one managed node group runs the controller and the critical add-ons only
    system_role = read_role(iam, out["system_node_role_arn"])
    assert_node_group(read_node_group(eks, cluster.name, "system"), role_arn=system_role.arn,
                      subnet_ids=out["private_subnet_ids"], launch_template_id=out["system_launch_template_id"],
                      scaling=(2, 2, 3), capacity_type="ON_DEMAND",
                      taints=[("CriticalAddonsOnly", "true", "NO_SCHEDULE")],
                      labels={"eksguard.io/capacity": "system"})

    # AND the controller role trusts only kube-system/karpenter's Pod Identity sessions and holds
    # upstream's five policies, scoped to this cluster, account, node role and queue
    controller = read_role(iam, out["karpenter_controller_role_arn"])
    expect_equal("controller trust", controller.trust_policy, {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-arn": cluster.arn,
                                       "aws:RequestTag/kubernetes-namespace": "kube-system",
                                       "aws:RequestTag/kubernetes-service-account": "karpenter"}}}]})
    assert_inline_policies(controller, {})
    documents = {}
    for arn in controller.attached_policy_arns:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        # named <upstream name>-<cluster>-<hash of stack and cluster>-<Terraform's suffix>: this cluster's own
        base, rest = policy["PolicyName"].split("-", 1)
        owner = hashlib.sha256(f"{settings.stack_name}/{cluster.name}".encode()).hexdigest()[:8]
        assert rest.rsplit("-", 1)[0] == f"{cluster.name}-{owner}", policy["PolicyName"]
        documents[base] = version["Document"]
    assert sorted(documents) == sorted(POLICY_NAMES)
    queue_arn = f"arn:aws:sqs:us-east-1:{account}:{cluster.name}"
    expect_equal("controller policies", documents, expected_controller_policies(
        partition="aws", region="us-east-1", account=account, cluster=cluster.name,
        node_role_arn=out["karpenter_node_role_arn"], queue_arn=queue_arn))

    # AND Karpenter's nodes get a role without the CNI policy (aws-node has its own IRSA role)
    node_role = read_role(iam, out["karpenter_node_role_arn"])
    assert_role_trusts_service(node_role, "ec2.amazonaws.com")
    assert_attached_policies(node_role, [MANAGED + "AmazonEKSWorkerNodePolicy",
                                         MANAGED + "AmazonEC2ContainerRegistryPullOnly"])
    assert_inline_policies(node_role, {})
    # (its instance profile is what an EC2NodeClass names here: IAM has no VPC endpoint)
    profile = iam.get_instance_profile(InstanceProfileName=out["karpenter_instance_profile"])["InstanceProfile"]
    assert [role["Arn"] for role in profile["Roles"]] == [node_role.arn]

    # AND exactly these principals reach the cluster: the people, and both node roles as EC2_LINUX
    entries = read_access_entries(eks, cluster.name)
    expect_equal("access entries", {arn: (e.type, sorted(e.policies), e.kubernetes_groups)
                                    for arn, e in entries.items()}, {
        out["platform_admins_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSClusterAdminPolicy", "cluster", ())], ()),
        out["shop_viewers_role_arn"]: ("STANDARD", [(POLICY + "AmazonEKSViewPolicy", "namespace", ("shop",))], ()),
        system_role.arn: ("EC2_LINUX", [], ("system:nodes",)),
        node_role.arn: ("EC2_LINUX", [], ("system:nodes",)),
    })
    assert read_pod_identity_associations(eks, cluster.name) == frozenset({
        PodIdentityAssociationSnapshot("shop", "cart", out["cart_role_arn"]),
        PodIdentityAssociationSnapshot("kube-system", "karpenter", controller.arn)})

    # AND the interruption queue keeps five minutes under SSE-SQS, open to this account's EventBridge only
    assert out["karpenter_interruption_queue"] == cluster.name
    attributes = sqs.get_queue_attributes(QueueUrl=out["karpenter_interruption_queue_url"],
                                          AttributeNames=["All"])["Attributes"]
    assert (attributes["QueueArn"], attributes["SqsManagedSseEnabled"], attributes["MessageRetentionPeriod"]) == (
        queue_arn, "true", "300")
    rule_arns = [deployment.state(f"karpenter/eks/karpenter/{rule_id}-rule")["arn"] for rule_id in EXPECTED_RULES]
    assert json.loads(attributes["Policy"]) == expected_queue_policy(queue_arn=queue_arn, account=account,
                                                                     rule_arns=rule_arns)

    # AND everything was deployed, and a second plan is empty with nothing excused
    assert deployment.unserved == {}
    verdict = deployment.replan()
    assert verdict.ok, verdict.report()
    assert verdict.unverified == (), verdict.report()

    # WHEN it is destroyed THEN nothing the run created remains
    deployment.destroy()
    assert deployment.terraform.state_addresses() == []
    assert read_inventory(aws_emulator.client).minus(before) == {}
