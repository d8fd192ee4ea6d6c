"""Two stacks deployed at once into one emulator do not interfere."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from eksguard.testing import assert_role_trusts_oidc, read_cluster, read_inventory, read_role
from tests.integration.stacks import SmallClusterStack

pytestmark = pytest.mark.eksguard_integration


def test_two_stacks_deploy_and_destroy_concurrently_without_interference(synth_stack, deploy_stack, aws_emulator):
    # GIVEN two stacks with their own names
    before = read_inventory(aws_emulator.client)
    names = [f"par-{uuid.uuid4().hex[:6]}-{i}" for i in (0, 1)]
    stacks = [synth_stack(lambda app, n=name, i=i: SmallClusterStack(app, f"parallel-{i}", cluster_name=n,
                                                                        cidr=f"10.{30 + i}.0.0/16"),
                          name=f"parallel-{i}")
              for i, name in enumerate(names)]

    # WHEN both are applied at the same time
    with ThreadPoolExecutor(max_workers=2) as pool:
        deployments = list(pool.map(deploy_stack, stacks))

    # THEN each has its own working directory, state and resources
    assert deployments[0].workspace.directory != deployments[1].workspace.directory
    states = [set(d.terraform.state_addresses()) for d in deployments]
    assert states[0] == states[1]  # same shape ...
    outputs = [d.outputs for d in deployments]
    assert [o["cluster_name"] for o in outputs] == names
    assert outputs[0]["app_role_arn"] != outputs[1]["app_role_arn"]  # ... distinct resources
    for deployment, name in zip(deployments, names):
        iam = deployment.client("iam")
        cluster = read_cluster(deployment.client("eks"), name)
        assert cluster.name == name
        assert_role_trusts_oidc(read_role(iam, deployment.outputs["app_role_arn"]),
                                provider_arn=deployment.outputs["oidc_provider_arn"],
                                subjects=[f"system:serviceaccount:app:{name}"])
        assert cluster.oidc_issuer.removeprefix("https://") in deployment.outputs["oidc_provider_arn"]

    # WHEN both are destroyed at the same time THEN nothing of either remains
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda d: d.destroy(), deployments))
    assert read_inventory(aws_emulator.client).minus(before) == {}
