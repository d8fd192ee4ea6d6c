"""The parts LocalStack serves without a licence (IAM roles and trust, the OIDC provider,
launch templates), deployed to localstack-core and read back."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from eksguard import (
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    Imdsv2LaunchTemplate,
    IrsaRole,
    IrsaRoleProps,
    NodeRole,
    NodeRoleProps,
    ServiceAccount,
)
from eksguard._framework import TerraformOutput, TerraformStack, aws
from eksguard.testing import (
    KNOWN_GAPS,
    assert_attached_policies,
    assert_launch_template_requires_imdsv2,
    assert_oidc_provider,
    assert_role_trusts_oidc,
    assert_role_trusts_service,
    read_launch_template,
    read_oidc_provider,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration
MANAGED = "arn:aws:iam::aws:policy/"


class IdentityStack(TerraformStack):
    def __init__(self, scope: Any, id: str, *, issuer_url: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        oidc = ClusterOidcProvider(self, "oidc", props=ClusterOidcProviderProps(issuer_url=issuer_url))
        app = IrsaRole(self, "app", props=IrsaRoleProps(
            oidc_provider=oidc, service_accounts=[ServiceAccount(namespace="shop", name="cart")]))
        nodes = NodeRole(self, "nodes", props=NodeRoleProps(instance_profile=True))
        template = Imdsv2LaunchTemplate(self, "nodes-lt")
        TerraformOutput(self, "oidc_provider_arn", value=oidc.provider_arn)
        TerraformOutput(self, "app_role_arn", value=app.role_arn)
        TerraformOutput(self, "node_role_arn", value=nodes.role_arn)
        TerraformOutput(self, "launch_template_id", value=template.launch_template_id)


def test_localstack_declares_eks_missing_and_serves_iam_sts_ec2(localstack):
    assert localstack.name == "localstack"
    assert {c: localstack.served[c] for c in ("iam", "sts", "ec2", "eks")} == {
        "iam": True, "sts": True, "ec2": True, "eks": False}
    assert localstack.missing("eks") == KNOWN_GAPS["localstack"]["eks"]


def test_identity_constructs_land_on_localstack(localstack, synth_stack, deploy_stack):
    issuer = f"https://oidc.eks.us-east-1.amazonaws.com/id/{uuid.uuid4().hex.upper()}"
    deployment = deploy_stack(synth_stack(lambda app: IdentityStack(app, "identity", issuer_url=issuer)),
                              emulator=localstack)
    out = deployment.outputs
    iam = deployment.client("iam")

    provider = read_oidc_provider(iam, out["oidc_provider_arn"])
    assert_oidc_provider(provider, issuer_url=issuer)
    app = read_role(iam, out["app_role_arn"])
    assert_role_trusts_oidc(app, provider_arn=provider.arn, subjects=["system:serviceaccount:shop:cart"])
    assert_attached_policies(app, [])
    nodes = read_role(iam, out["node_role_arn"])
    assert_role_trusts_service(nodes, "ec2.amazonaws.com")
    assert_attached_policies(nodes, [MANAGED + p for p in (
        "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")])
    profiles = iam.list_instance_profiles_for_role(RoleName=nodes.name)["InstanceProfiles"]
    assert [p["Roles"][0]["RoleName"] for p in profiles] == [nodes.name]
    assert_launch_template_requires_imdsv2(read_launch_template(deployment.client("ec2"), out["launch_template_id"]))

    verdict = deployment.replan()
    assert verdict.ok and verdict.unverified == (), verdict.report()


class AccessStack(TerraformStack):
    """A role and its access entry on a cluster outside the stack: LocalStack (no licence)
    can create the role but not the entry."""

    def __init__(self, scope: Any, id: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(self, "viewer", name_prefix="viewer-", assume_role_policy=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
            '"Principal":{"Service":"ec2.amazonaws.com"}}]}'))
        aws.eks_access_entry.EksAccessEntry(self, "viewer-entry", cluster_name="existing-cluster",
                                            principal_arn=role.arn)
        TerraformOutput(self, "role_arn", value=role.arn)


def test_resources_localstack_cannot_create_are_left_out_and_reported(localstack, synth_stack, deploy_stack):
    # GIVEN a stack with an EKS access entry, which LocalStack without a licence cannot create
    stack = synth_stack(lambda app: AccessStack(app, "access"))
    entry = stack.address("access/viewer-entry")

    # WHEN it is deployed there
    deployment = deploy_stack(stack, emulator=localstack)

    # THEN the entry is left out with the emulator's reason, and everything else landed
    assert deployment.unserved == {entry: f"eks:access-entries: {KNOWN_GAPS['localstack']['eks:access-entries']}"}
    assert deployment.terraform.state_addresses() == [stack.address("access/viewer")]
    assert read_role(deployment.client("iam"), deployment.outputs["role_arn"]).attached_policy_arns == frozenset()
