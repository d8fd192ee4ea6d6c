"""Region-honest inventories: a stack whose providers name other regions than the
harness's is read where it lives, so "nothing left" cannot pass by looking elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from eksguard._framework import TerraformStack, aws
from eksguard.testing import read_inventory

pytestmark = pytest.mark.eksguard_integration


class ElsewhereStack(TerraformStack):
    """A VPC and a log group in eu-west-1 (the default provider), and a log group in
    eu-central-1 (an aliased provider)."""

    def __init__(self, scope: Any, id: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="eu-west-1")
        frankfurt = aws.provider.AwsProvider(self, "frankfurt", region="eu-central-1", alias="frankfurt")
        aws.vpc.Vpc(self, "vpc", cidr_block="10.91.0.0/16")
        aws.cloudwatch_log_group.CloudwatchLogGroup(self, "logs", name="/elsewhere/ireland")
        aws.cloudwatch_log_group.CloudwatchLogGroup(self, "logs-frankfurt", name="/elsewhere/frankfurt",
                                                    provider=frankfurt)


def test_an_inventory_through_the_emulator_reads_the_regions_its_stacks_live_in(
        aws_emulator, synth_stack, deploy_stack):
    # GIVEN what the account holds before, read through the harness's own clients
    assert aws_emulator.region == "us-east-1"
    before = read_inventory(aws_emulator.client)
    # WHEN a stack in eu-west-1 (and eu-central-1 by an aliased provider) is applied
    deployment = deploy_stack(synth_stack(lambda app: ElsewhereStack(app, "elsewhere")))
    vpc = deployment.state("aws_vpc.vpc")["id"]
    # THEN the same call sees its VPC and both log groups, each named with its region
    assert read_inventory(aws_emulator.client).minus(before) == {
        "vpcs": frozenset({f"eu-west-1:{vpc}"}),
        "log_groups": frozenset({"eu-west-1:/elsewhere/ireland", "eu-central-1:/elsewhere/frankfurt"})}
    # AND the deployment's own clients read its default region first, unprefixed
    assert deployment.inventory_regions() == ("eu-west-1", "eu-central-1")
    own = read_inventory(deployment.client)
    assert vpc in own.vpcs and {"/elsewhere/ireland", "eu-central-1:/elsewhere/frankfurt"} <= own.log_groups
    # AND after destroy the emulator's inventory is back to what it was: an empty
    # difference that was read in the right places
    deployment.destroy()
    assert read_inventory(aws_emulator.client).minus(before) == {}


def test_a_plain_client_reads_one_region_and_explicit_regions_read_each(aws_emulator):
    # GIVEN a log group in eu-north-1 made through boto3
    logs = aws_emulator.client("logs", region="eu-north-1")
    logs.create_log_group(logGroupName="/elsewhere/stockholm")
    try:
        # WHEN the inventory is read through a client that knows no regions THEN it sees
        # only its region (the class of check that passed vacuously)
        def plain(service: str) -> Any:
            return aws_emulator.client(service)
        assert "/elsewhere/stockholm" not in {g.split(":")[-1] for g in read_inventory(plain).log_groups}
        # AND with regions named it sees the group, prefixed with its region
        assert "eu-north-1:/elsewhere/stockholm" in read_inventory(
            aws_emulator.client, regions=["us-east-1", "eu-north-1"]).log_groups
    finally:
        logs.delete_log_group(logGroupName="/elsewhere/stockholm")
