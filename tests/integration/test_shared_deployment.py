"""Deploy once, assert many: ``shared_deployment`` applies one stack for a module's tests and
destroys it after the last of them; a failed apply errors every test that uses it and is
torn down too. Run as an inner pytest session through the plugin itself."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.eksguard_integration

STACK = '''
from eksguard._framework import TerraformStack, TerraformOutput, aws

TRUST = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
         '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')

class Roles(TerraformStack):
    def __init__(self, scope, id, broken=False):
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(self, "role", name_prefix=f"{id}-", assume_role_policy=TRUST)
        if broken:  # no such managed policy: fails after the role exists
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, "missing", role=role.name, policy_arn="arn:aws:iam::aws:policy/NoSuchPolicy")
        TerraformOutput(self, "role_name", value=role.name)

def roles_named(emulator, prefix):
    return sorted(r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"]
                  if r["RoleName"].startswith(prefix))
'''

SHARED = '''
from eksguard.testing import shared_deployment
from stacks import Roles, roles_named

shared = shared_deployment(lambda app: Roles(app, "shared"), scope="module")
APPLIES = []

def test_first(shared, aws_emulator):
    APPLIES.append(id(shared))
    assert roles_named(aws_emulator, "shared-") == [shared.outputs["role_name"]]

def test_second(shared, aws_emulator):
    APPLIES.append(id(shared))
    assert roles_named(aws_emulator, "shared-") == [shared.outputs["role_name"]]
    assert len(set(APPLIES)) == 1  # the same deployment, applied once
    print("SHARED-ONCE")
'''

BROKEN = '''
from eksguard.testing import shared_deployment
from stacks import Roles

broken = shared_deployment(lambda app: Roles(app, "broken", broken=True), scope="module")

def test_uses_broken(broken):
    pass

def test_uses_broken_too(broken):
    pass
'''

AFTER = '''
from stacks import roles_named

def test_nothing_is_left(aws_emulator):
    assert roles_named(aws_emulator, "shared-") == []
    assert roles_named(aws_emulator, "broken-") == []
    print("NOTHING-LEFT")
'''


def test_one_deployment_serves_a_module_and_is_torn_down_after_it(pytester):
    pytester.makepyfile(stacks=STACK, test_a_shared=SHARED, test_b_broken=BROKEN, test_c_after=AFTER)
    result = pytester.runpytest_subprocess("--eksguard-aws-provider-version=>= 5.0", "-p", "no:cacheprovider",
                                           "-s", timeout=600)
    # THEN the shared tests pass on one apply, both users of the broken stack error with its
    # apply's failure, and after both modules nothing of either stack is left
    result.assert_outcomes(passed=3, errors=2)
    output = result.stdout.str()
    assert "SHARED-ONCE" in output and "NOTHING-LEFT" in output
    assert output.count("NoSuchPolicy") >= 2
