"""The derived CI permissions are enough: the reference stack with Karpenter (the variant with
the most resource types) and its HCP Terraform workspace roles is applied, re-planned and
destroyed by Terraform running as a role that holds exactly the actions of its apply role's
``eksguard-stack-deploy-...`` policies, with the emulator enforcing IAM on every request, and
with a stack roles boundary, which every role of the stack but the CI roles lands with.

moto evaluates a policy's actions, not its resources or conditions (it authorizes most
requests against ``"*"``), so the role here holds the same actions on ``"*"``, without
conditions: what this proves is that no action the AWS provider calls for these types is
missing. The resources and conditions are asserted statically in
``tests/unit/test_deploy_permissions.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import main
from eksguard.ci_permissions.deploy import DEPLOY_POLICY_NAME
from eksguard.errors import TerraformCommandError
from eksguard.testing import read_inventory
from eksguard.testing.deploy import Deployer

pytestmark = pytest.mark.eksguard_integration

TFC_ENV = {"TF_CLOUD_ORGANIZATION": "acme", "TF_WORKSPACE": "eks-prod"}


@contextmanager
def iam_enforced() -> Iterator[None]:
    """The embedded moto authorizes every request against the caller's IAM policies.

    Its SigV4 re-computation disagrees with the AWS SDK for Go's (boto3's passes): the
    signature is not what this test is about, so only that check is off; the access key
    still names the session, and so the role whose policies are evaluated."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequestBase

    before, check_signature = settings.INITIAL_NO_AUTH_ACTION_COUNT, IAMRequestBase.check_signature
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    IAMRequestBase.check_signature = lambda self: None
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = before
        IAMRequestBase.check_signature = check_signature


def actions_only(document: dict) -> dict:
    """The Allow statements' actions on "*" without conditions: what moto can evaluate."""
    actions = sorted({a for s in document["Statement"] if s["Effect"] == "Allow"
                      for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])})
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def test_apply_role_policy_is_enough_to_apply_replan_and_destroy_the_stack(
        request, monkeypatch, synth_stack, aws_emulator, eksguard_config, _eksguard_providers, tmp_path):
    # GIVEN the Karpenter reference with its workspace roles, and its apply role's derived policy
    for key, value in TFC_ENV.items():
        monkeypatch.setenv(key, value)
    # (the boundary is an administrator's, made before the stack: here, allow everything)
    admin_iam = aws_emulator.client("iam")
    boundary = admin_iam.create_policy(
        PolicyName=f"workloads-{uuid.uuid4().hex[:8]}", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    request.addfinalizer(lambda: admin_iam.delete_policy(PolicyArn=boundary))
    settings = main.ReferenceSettings(
        cluster_name=f"ci-{uuid.uuid4().hex[:8]}", stack_name="ci-permissions", capacity="karpenter",
        tf_cloud_organization="acme", tf_cloud_workspace="eks-prod", tfc_workspace_roles=True,
        tfc_stack_roles_boundary_arn=boundary)
    stack = synth_stack(lambda app: main.ReferenceStack(app, settings.stack_name, settings=settings))
    # (the apply role's four managed policies, cut from one document)
    policies = [body for body in stack.document["resource"]["aws_iam_policy"].values()
                if body["//"]["metadata"]["path"].startswith("ci-permissions/tfc-run/stack-permissions-")]
    assert [b["name_prefix"] for b in policies] == [f"{DEPLOY_POLICY_NAME}-"] * 4
    derived = {"Statement": [s for b in policies for s in json.loads(b["policy"])["Statement"]]}

    # AND Terraform running as a role of the emulator that holds exactly those actions
    before_role = read_inventory(aws_emulator.client)
    deployer, deployment = _deployment_as_role(request, stack, actions_only(derived), aws_emulator,
                                               eksguard_config, _eksguard_providers, tmp_path)

    # WHEN Terraform applies, re-plans and destroys the stack as that role, IAM enforced
    with iam_enforced():
        deployer.apply(deployment)
        plan = deployment.terraform.plan()
    changes = [c["address"] for c in plan.get("resource_changes", []) if c["change"]["actions"] != ["no-op"]]
    applied = deployment.terraform.state_addresses()
    roles = read_inventory(aws_emulator.client).minus(before_role)["roles"] - {deployment.role_name}
    boundaries = {name: admin_iam.get_role(RoleName=name)["Role"].get("PermissionsBoundary", {}).get(
        "PermissionsBoundaryArn") for name in roles}
    with iam_enforced():
        deployment.destroy()

    # THEN every resource was created, the second plan is empty, and nothing is left
    assert sorted(a for a in applied if not a.startswith("data.")) == sorted(stack.addresses)
    assert changes == []
    # AND every role of the stack landed with the boundary, but its two CI roles
    assert len(roles) == len(stack.document["resource"]["aws_iam_role"])
    assert sorted(n for n, b in boundaries.items() if b is None and n.startswith("tfc-run-")) == sorted(
        n for n in roles if n.startswith("tfc-run-")) and len([n for n in roles if n.startswith("tfc-run-")]) == 2
    assert {b for n, b in boundaries.items() if not n.startswith("tfc-run-")} == {boundary}
    assert read_inventory(aws_emulator.client).minus(before_role) == {"roles": frozenset({deployment.role_name})}


def test_a_missing_action_fails_the_apply_naming_it(
        request, synth_stack, aws_emulator, eksguard_config, _eksguard_providers, tmp_path):
    # GIVEN a small stack of a VPC, and a role holding its derived actions less ec2:CreateVpc
    from eksguard._framework import TerraformStack, aws
    from eksguard.ci_permissions.deploy import deploy_policy_document

    def build(app):
        s = TerraformStack(app, "one-vpc")
        aws.provider.AwsProvider(s, "aws", region="us-east-1")
        aws.vpc.Vpc(s, "vpc", cidr_block="10.9.0.0/16")
        return s
    stack = synth_stack(build)
    document = actions_only(deploy_policy_document(resource_types={"aws_vpc"}, partition="aws",
                                                   account="123456789012", region="us-east-1", passed_to=()))
    document["Statement"][0]["Action"].remove("ec2:CreateVpc")
    deployer, deployment = _deployment_as_role(request, stack, document, aws_emulator, eksguard_config,
                                               _eksguard_providers, tmp_path)

    # WHEN it is applied, IAM enforced; THEN the apply fails on exactly that action
    with iam_enforced(), pytest.raises(TerraformCommandError) as failed:
        deployer.apply(deployment)
    assert "is not authorized to perform: ec2:CreateVpc" in str(failed.value)


def _deployment_as_role(request, stack, document, aws_emulator, eksguard_config, providers, tmp_path):
    """A prepared deployment whose Terraform runs as a new role holding ``document``;
    teardown (registered before apply) runs as that role too, IAM enforced."""
    iam, sts = aws_emulator.client("iam"), aws_emulator.client("sts")
    account = sts.get_caller_identity()["Account"]
    role_name = f"ci-deployer-{uuid.uuid4().hex[:8]}"
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{account}:root"}}]}))
    request.addfinalizer(lambda: (iam.delete_role_policy(RoleName=role_name, PolicyName="deploy"),
                                  iam.delete_role(RoleName=role_name)))
    iam.put_role_policy(RoleName=role_name, PolicyName="deploy", PolicyDocument=json.dumps(document))
    session = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role_name}",
                              RoleSessionName="terraform-apply")["Credentials"]

    providers.require_stack(stack.document, stack.name)
    deployer = Deployer(eksguard_config, aws_emulator, tmp_path / "work")
    deployment = deployer.prepare(stack)
    deployment.role_name = role_name
    # The harness's override gives the provider the emulator's static keys: the session's instead.
    override = deployment.workspace.directory / "eksguard_override.tf.json"
    overrides = json.loads(override.read_text())
    for provider in overrides["provider"]["aws"]:
        provider.update(access_key=session["AccessKeyId"], secret_key=session["SecretAccessKey"],
                        token=session["SessionToken"])
    override.write_text(json.dumps(overrides))

    def teardown() -> None:
        if not deployment.torn_down:
            with iam_enforced():
                deployer.teardown(deployment, failed=True)
    request.addfinalizer(teardown)
    return deployer, deployment
