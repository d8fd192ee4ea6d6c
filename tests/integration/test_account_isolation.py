"""``isolation = "account"``: each deployment lives in an account of its own in the embedded
moto, so a ``reset`` teardown forgets that account alone, beside live deployments; and what
an isolated deployment holds is never invisible to ``read_inventory(aws_emulator.client)``."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from eksguard.testing import read_inventory
from eksguard.testing.deploy import Deployer
from eksguard.testing.emulator import FIRST_ISOLATED_ACCOUNT
from tests.integration.stacks import one_role

pytestmark = pytest.mark.eksguard_integration


def test_isolated_deployments_reset_alone_and_stay_visible_to_the_emulators_inventory(
        request, synth_stack, aws_emulator, eksguard_config, _eksguard_providers, tmp_path):
    # GIVEN two deployments of the same stack shape, each in an account of its own, in reset mode
    isolated = Deployer(dataclasses.replace(eksguard_config, teardown="reset", isolation="account"),
                        aws_emulator, tmp_path / "work")
    names = [f"iso-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("first", "second")]
    first, second = (isolated.prepare(synth_stack(one_role(name, region="eu-west-1", vpc_cidr="10.42.0.0/16"), name=name)) for name in names)
    for deployment in (first, second):
        request.addfinalizer(lambda d=deployment: d.torn_down or isolated.teardown(d, failed=True))
        isolated.apply(deployment)
    accounts = [first.workspace.account, second.workspace.account]

    # THEN each landed in its own account, not the emulator's, as the caller identity says
    assert all(int(a) >= FIRST_ISOLATED_ACCOUNT for a in accounts) and accounts[0] != accounts[1]
    assert [d.client("sts").get_caller_identity()["Account"] for d in (first, second)] == accounts
    assert [d.outputs for d in (first, second)] == [{}, {}]
    assert [[r["RoleName"] for r in d.client("iam").list_roles()["Roles"]] for d in (first, second)] == [
        [names[0]], [names[1]]]
    # (and not the emulator's own account, which a default client reads)
    assert not set(names) & {r["RoleName"] for r in aws_emulator.client("iam").list_roles()["Roles"]}
    # AND the emulator's inventory shows both, by account (and the stack's region)
    seen = read_inventory(aws_emulator.client)
    assert {f"{accounts[0]}/{names[0]}", f"{accounts[1]}/{names[1]}"} <= seen.roles
    vpcs = {v for v in seen.vpcs if v.startswith(tuple(f"{a}/eu-west-1:" for a in accounts))}
    assert len(vpcs) == 2, seen.vpcs

    # WHEN the first is torn down by a reset, the second still deployed
    assert isolated.teardown(first, failed=False) is None

    # THEN its account is empty, and the second's holds what it did
    after = read_inventory(aws_emulator.client)
    assert not {r for r in after.roles if r.startswith(f"{accounts[0]}/")}
    assert not {v for v in after.vpcs if v.startswith(f"{accounts[0]}/")}
    assert f"{accounts[1]}/{names[1]}" in after.roles
    assert [r["RoleName"] for r in second.client("iam").list_roles()["Roles"]] == [names[1]]
    assert len(second.client("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["false"]}])["Vpcs"]) == 1

    # AND the last goes the same way
    assert isolated.teardown(second, failed=False) is None
    assert not {r for r in read_inventory(aws_emulator.client).roles if r.startswith(f"{accounts[1]}/")}
