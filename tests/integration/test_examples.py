"""The documented path is the tested path: each app under examples/ synthesizes with no
guardrail finding and deploys to the emulator as it reads."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from pathlib import Path

import pytest

from eksguard.testing import (
    assert_role_trusts_oidc,
    expect_equal,
    read_access_entries,
    read_role,
)

pytestmark = pytest.mark.eksguard_integration
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
POLICY = "arn:aws:eks::aws:cluster-access-policy/"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name.replace('-', '_')}", EXAMPLES / name / "main.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _existing_roles(iam, settings) -> None:
    """The roles a team's account already has (SSO admin, CI), created as the account would."""
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]})
    for arn in (settings.admin_role_arn, settings.ci_role_arn):
        path, name = arn.split(":role", 1)[1].rsplit("/", 1)
        iam.create_role(RoleName=name, Path=path + "/", AssumeRolePolicyDocument=trust)


def test_team_app_deploys_as_the_readme_teaches(synth_stack, deploy_stack, aws_emulator):
    # GIVEN the team app, its cluster named for this run, and the account's existing roles
    team = _load("team-app")
    suffix = uuid.uuid4().hex[:6]
    settings = team.TeamSettings(
        cluster_name=f"payments-{suffix}",
        admin_role_arn=f"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_{suffix}",
        ci_role_arn=f"arn:aws:iam::123456789012:role/ci-viewer-{suffix}")
    _existing_roles(aws_emulator.client("iam"), settings)

    # WHEN it is synthesized and deployed
    deployment = deploy_stack(synth_stack(lambda app: team.TeamClusterStack(app, "payments", settings=settings)))
    eks, iam, out = deployment.client("eks"), deployment.client("iam"), deployment.outputs

    # THEN everything landed: the cluster on the given subnets, both node groups
    assert deployment.unserved == {}
    cluster = eks.describe_cluster(name=out["cluster_name"])["cluster"]
    assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(settings.private_subnet_ids)
    assert sorted(eks.list_nodegroups(clusterName=out["cluster_name"])["nodegroups"]) == ["batch", "general"]

    # AND the app's role trusts exactly its service account and reads one bucket prefix and one secret
    role = read_role(iam, out["payments_api_role_arn"])
    assert_role_trusts_oidc(role, provider_arn=out["oidc_provider_arn"],
                            subjects=["system:serviceaccount:payments:payments-api"])
    statements = role.inline_policies["receipts-and-api-key"]["Statement"]
    resources = sorted(r for s in statements for r in s["Resource"])
    assert resources == sorted([
        f"arn:aws:s3:::{settings.receipts_bucket}",
        f"arn:aws:s3:::{settings.receipts_bucket}/receipts/*",
        f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{settings.api_key_secret}-??????",
    ])

    # AND exactly the SSO admin (cluster admin) and the CI viewer (payments only) can reach it,
    # besides the node roles EKS entered itself
    entries = read_access_entries(eks, out["cluster_name"])
    people = {arn: (e.type, sorted(e.policies)) for arn, e in entries.items() if e.type == "STANDARD"}
    expect_equal("access entries of people", people, {
        settings.admin_role_arn: ("STANDARD", [(POLICY + "AmazonEKSClusterAdminPolicy", "cluster", ())]),
        settings.ci_role_arn: ("STANDARD", [(POLICY + "AmazonEKSViewPolicy", "namespace", ("payments",))]),
    })
    assert sorted(e.type for e in entries.values() if e.type != "STANDARD") == ["EC2_LINUX", "EC2_LINUX"]

    # AND a second plan is empty with nothing excused
    verdict = deployment.replan()
    assert verdict.ok and verdict.unverified == (), verdict.report()
