"""A test says what it did not verify: per test, in its own report, and — with the strict
setting — as a failure. Run as inner pytest sessions through the plugin itself."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.eksguard_integration

INNER = '''
from eksguard._framework import TerraformStack, aws
from eksguard.testing import Emulator

class RoleAndEntry(TerraformStack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(self, "viewer", name_prefix="viewer-", assume_role_policy=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))
        aws.eks_access_entry.EksAccessEntry(self, "entry", cluster_name="elsewhere", principal_arn=role.arn)

def test_partly_deployed(aws_emulator, synth_stack, deploy_stack):
    # An emulator that, like LocalStack without a licence, cannot create access entries
    limited = Emulator(name="limited", endpoint=aws_emulator.endpoint, region=aws_emulator.region,
                       served={**aws_emulator.served, "eks:access-entries": False})
    deployment = deploy_stack(synth_stack(lambda app: RoleAndEntry(app, "partial")), emulator=limited)
    assert list(deployment.unserved) == [deployment.address("partial/entry")]
'''
UNSERVED = "not deployed on limited: aws_eks_access_entry.entry (eks:access-entries: limited at http"


def _run(pytester, *args):
    pytester.makepyfile(test_inner=INNER)
    return pytester.runpytest_subprocess("--eksguard-aws-provider-version=>= 5.0", "-p", "no:cacheprovider",
                                         "-rP", *args, timeout=600)


def test_a_partly_verified_test_passes_and_says_so_in_its_own_report(pytester):
    # WHEN a test's stack is only partly deployed, without the strict setting
    result = _run(pytester)

    # THEN it passes, and its own report section and the summary name what was left out
    result.assert_outcomes(passed=1)
    output = result.stdout.str()
    assert "eksguard: not verified by this test" in output
    assert UNSERVED in output
    assert f"test_inner.py::test_partly_deployed: {UNSERVED}" in output


@pytest.mark.parametrize("strict", [["--eksguard-strict=true"], ["-o", "eksguard_strict=true"]],
                         ids=["option", "ini"])
def test_the_strict_setting_fails_a_partly_verified_test(pytester, strict):
    # WHEN the same test runs with the strict setting
    result = _run(pytester, *strict)

    # THEN it fails, saying what it did not verify and how to choose otherwise
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "eksguard strict: this test verified only part of its stack:" in output
    assert UNSERVED in output
