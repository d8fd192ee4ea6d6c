"""Harness faults, run as an inner pytest session through the plugin itself: a failed
apply is destroyed, a failed destroy keeps and reports state, 'keep' prints the command."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.eksguard_integration

INNER = '''
import shutil

import pytest
from eksguard._framework import TerraformStack, TerraformOutput, aws
from eksguard.errors import TerraformCommandError
from eksguard.testing import read_inventory

class Roles(TerraformStack):
    def __init__(self, scope, id, broken=False):
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(self, "role", name_prefix=f"{id}-", assume_role_policy=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))
        if broken:  # no such managed policy: fails after the role exists
            aws.iam_role_policy_attachment.IamRolePolicyAttachment(
                self, "missing", role=role.name, policy_arn="arn:aws:iam::aws:policy/NoSuchPolicy")
        TerraformOutput(self, "role_name", value=role.name)

@pytest.fixture
def nothing_left(aws_emulator):
    """Set up before deploy_stack, so torn down after the harness teardown."""
    before = read_inventory(aws_emulator.client)
    yield before
    assert read_inventory(aws_emulator.client).minus(before) == {}
    print("NOTHING-LEFT-CHECKED")

def test_failed_apply_is_destroyed(nothing_left, aws_emulator, synth_stack, deploy_stack):
    with pytest.raises(TerraformCommandError):
        deploy_stack(synth_stack(lambda app: Roles(app, "broken", broken=True)))
    assert read_inventory(aws_emulator.client).minus(nothing_left) != {}  # the role was created
    pytest.fail("the apply failed, as it should")

def test_failed_destroy_keeps_state_and_says_how(synth_stack, deploy_stack):
    deployment = deploy_stack(synth_stack(lambda app: Roles(app, "kept")))
    shutil.rmtree(deployment.workspace.directory / ".terraform")  # the destroy will fail

def test_interrupted_apply_is_still_torn_down(nothing_left, synth_stack, deploy_stack, monkeypatch):
    from eksguard.testing.terraform import Terraform
    real_apply = Terraform.apply

    def apply_then_interrupt(self, targets=()):
        real_apply(self, targets)
        raise KeyboardInterrupt  # as if Ctrl-C arrived while Terraform was finishing
    monkeypatch.setattr(Terraform, "apply", apply_then_interrupt)
    deploy_stack(synth_stack(lambda app: Roles(app, "interrupted")))

def test_keep_prints_the_destroy_command(synth_stack, deploy_stack, eksguard_config):
    if eksguard_config.teardown != "keep":
        pytest.skip("run with --eksguard-teardown=keep")
    deploy_stack(synth_stack(lambda app: Roles(app, "keep")))
'''


def _run(pytester, *args):
    pytester.makepyfile(test_inner=INNER)
    env_args = ["--eksguard-aws-provider-version=>= 5.0", "-p", "no:cacheprovider", "-s"]
    return pytester.runpytest_subprocess(*env_args, *args, timeout=600)


def test_failed_apply_is_destroyed_and_failed_destroy_is_reported(pytester):
    result = _run(pytester, "-k", "failed")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    output = result.stdout.str()
    assert "NOTHING-LEFT-CHECKED" in output
    assert "eksguard teardown (destroy) of kept failed; state kept in" in output
    assert "Destroy it with:" in output and "terraform destroy -auto-approve" in output


def test_teardown_keep_prints_the_exact_destroy_command(pytester):
    result = _run(pytester, "-k", "prints", "--eksguard-teardown=keep")
    result.assert_outcomes(passed=1)
    assert "eksguard kept keep; destroy it with:" in result.stdout.str()
    assert "TF_CLI_CONFIG_FILE=" in result.stdout.str() and "terraform destroy -auto-approve" in result.stdout.str()


def test_keyboard_interrupt_during_apply_still_tears_down(pytester):
    result = _run(pytester, "-k", "interrupted")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "NOTHING-LEFT-CHECKED" in result.stdout.str()


def test_emulator_stopping_mid_apply_fails_fast_keeps_state_and_says_how(synth_stack, tmp_path, eksguard_config):
    import dataclasses
    import threading
    import time

    from eksguard.errors import TerraformCommandError
    from eksguard.testing import Deployer, start_moto
    from tests.integration.stacks import SmallClusterStack

    # GIVEN its own emulator, and the provider told to give up after one retry
    emulator = start_moto("us-east-1")
    config = dataclasses.replace(eksguard_config, aws_max_retries=1, command_timeout=300)
    deployer = Deployer(config, emulator, tmp_path)
    deployment = deployer.prepare(synth_stack(lambda app: SmallClusterStack(app, "doomed", cluster_name="doomed")))
    deployment.terraform.init()
    # WHEN the emulator goes away as soon as the apply has created its first role
    iam = emulator.client("iam")

    def stop_after_first_role() -> None:
        deadline = time.monotonic() + 120
        while not iam.list_roles()["Roles"] and time.monotonic() < deadline:
            time.sleep(0.1)
        emulator.stop()

    threading.Thread(target=stop_after_first_role, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(TerraformCommandError) as caught:
        deployment.terraform.apply()
    # THEN the apply fails within a bounded time, naming the connection problem
    assert time.monotonic() - started < 240
    assert "127.0.0.1" in str(caught.value)
    # AND the state of what was created is kept, and the teardown says how to finish
    assert (deployment.workspace.directory / "terraform.tfstate").exists()
    message = deployer.teardown(deployment, failed=True)
    assert message is not None and "state kept in" in message and "destroy -auto-approve" in message
