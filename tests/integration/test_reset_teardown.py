"""Teardown ``reset`` forgets everything the embedded moto holds, so it runs only where no
other deployment is live; beside one (a shared deployment still in use, another test's)
the harness destroys the deployment instead and says so in the report."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from eksguard.testing.deploy import Deployer
from tests.integration.stacks import one_role

pytestmark = pytest.mark.eksguard_integration


def test_reset_beside_a_live_deployment_destroys_instead_and_keeps_the_other(
        request, synth_stack, aws_emulator, eksguard_config, _eksguard_providers, tmp_path):
    # GIVEN a deployment still in use (as a shared one is) and a second one, in reset mode
    reset = Deployer(dataclasses.replace(eksguard_config, teardown="reset"), aws_emulator, tmp_path / "work")
    names = [f"reset-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("shared", "own")]
    shared, own = (reset.prepare(synth_stack(one_role(name), name=name)) for name in names)
    for deployment in (shared, own):
        request.addfinalizer(lambda d=deployment: d.torn_down or d.destroy())
        reset.apply(deployment)
    iam = aws_emulator.client("iam")
    others = sorted(n for k, n in aws_emulator.live.items() if k not in (id(shared), id(own)))

    # WHEN the second is torn down
    note = reset.teardown(own, failed=False)

    # THEN it was destroyed, not reset: its role is gone, the live one's is still there
    assert note == (f"eksguard destroyed {names[1]} instead of resetting the emulator: "
                    f"{', '.join(sorted([names[0], *others]))} still deployed there")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"] in names] == [names[0]]
    assert id(own) not in aws_emulator.live and aws_emulator.live[id(shared)] == names[0]

    # AND WHEN the last one goes, its role goes with it (a reset when it is alone)
    note = reset.teardown(shared, failed=False)
    assert [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"] in names] == []
    assert id(shared) not in aws_emulator.live
    assert (note is None) == (not others)
