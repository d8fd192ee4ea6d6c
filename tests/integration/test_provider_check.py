"""A provider mirror without the version a session needs stops the whole session once,
with one message and before any Terraform command, also under pytest-xdist. Run as inner
pytest sessions through the plugin itself, with a stand-in Terraform that records calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from eksguard.testing.providers import current_platform

pytest_plugins = ["pytester"]

# Two files that deploy, so that both xdist workers reach the check.
DEPLOYS = '''
from eksguard.testing.synth import SynthesizedStack

PINNED = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "6.69.1"}}}}

def test_deploys(deploy_stack, tmp_path):
    deploy_stack(SynthesizedStack(name="pinned", directory=tmp_path, document=PINNED))

def test_deploys_again(deploy_stack, tmp_path):
    deploy_stack(SynthesizedStack(name="pinned", directory=tmp_path, document=PINNED))
'''
# Marked: runs Terraform without deploy_stack, as a Deployer or an inner session would.
MARKED = '''
import subprocess
import pytest

@pytest.mark.eksguard_integration
def test_runs_terraform_itself(eksguard_config):
    subprocess.run([eksguard_config.terraform, "init"], check=False)
'''
UNIT = '''
def test_needs_no_terraform():
    assert True
'''
HEADLINE = "eksguard: Terraform cannot install hashicorp/aws"


@pytest.fixture
def session(pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run an inner session against a mirror that holds only hashicorp/aws 5.100.0."""
    for name in ("EKSGUARD_PROVIDER_MIRROR", "EKSGUARD_AWS_PROVIDER_VERSION", "EKSGUARD_TERRAFORM"):
        monkeypatch.delenv(name, raising=False)
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io/hashicorp/aws/5.100.0" / current_platform()).mkdir(parents=True)
    calls = tmp_path / "terraform-calls.log"
    terraform = tmp_path / "bin" / "terraform"
    terraform.parent.mkdir()
    terraform.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexit 1\n')
    terraform.chmod(0o755)
    pytester.makepyfile(test_deploys_a=DEPLOYS, test_deploys_b=DEPLOYS, test_marked=MARKED, test_unit=UNIT)

    def run(*args: str) -> tuple[pytest.RunResult, Path]:
        result = pytester.runpytest_subprocess(
            f"--eksguard-provider-mirror={mirror}", f"--eksguard-terraform={terraform}",
            "-p", "no:cacheprovider", *args, timeout=300)
        return result, calls
    return run


@pytest.mark.parametrize(("args", "exit_code"), [
    (("-n", "2", "--dist", "loadfile"), pytest.ExitCode.INTERRUPTED),  # xdist's controller stops
    ((), pytest.ExitCode.USAGE_ERROR),
])
def test_a_configured_version_the_mirror_lacks_stops_the_session_once(session, args, exit_code):
    # GIVEN a 5.100.0 mirror and a session that wants '>= 6.0', with two files that deploy
    # and one marked eksguard_integration that runs Terraform itself
    # WHEN the session runs (on two workers, or one process)
    result, calls = session("--eksguard-aws-provider-version=>= 6.0", *args)
    output = result.stdout.str() + result.stderr.str()
    # THEN it stops with one message naming what the mirror has and the settings to use
    assert result.ret == exit_code
    assert output.count(HEADLINE) == 1
    assert (f"'>= 6.0' (set with EKSGUARD_AWS_PROVIDER_VERSION / --eksguard-aws-provider-version / ini "
            f"eksguard_aws_provider_version) for {current_platform()}: the provider mirror") in output
    assert "has 5.100.0" in output and "e.g. '5.100.0'" in output
    # AND no test failed or errored on its own, and Terraform never ran
    assert " failed" not in output and " error" not in output
    assert not calls.exists()


def test_the_stacks_own_pin_is_checked_before_its_first_terraform_command(session):
    # GIVEN the same mirror, no configured constraint, and stacks pinning 6.69.1
    # WHEN the files that deploy run on two workers
    result, calls = session("-n", "2", "--dist", "loadfile", "test_deploys_a.py", "test_deploys_b.py")
    output = result.stdout.str() + result.stderr.str()
    # THEN the first deployment stops it, once, naming the stack's pin; Terraform never ran
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert output.count(HEADLINE) == 1
    assert "hashicorp/aws '6.69.1' (pinned by stack pinned)" in output
    assert not calls.exists()


def test_a_session_that_does_not_deploy_is_not_affected(session):
    # GIVEN the same mirror and a wanted version it lacks / WHEN only tests that do not deploy run
    result, calls = session("--eksguard-aws-provider-version=>= 6.0", "-n", "2", "test_unit.py")
    # THEN they pass and nothing is said about providers
    result.assert_outcomes(passed=1)
    assert HEADLINE not in result.stdout.str() + result.stderr.str()
    assert not calls.exists()


def test_a_marked_test_that_runs_terraform_itself_is_stopped_before_it_starts(session):
    # GIVEN a wanted version the mirror lacks / WHEN only the marked test runs
    result, calls = session("--eksguard-aws-provider-version=>= 6.0", "test_marked.py")
    # THEN the session stops with the one message before the test starts its Terraform
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (result.stdout.str() + result.stderr.str()).count(HEADLINE) == 1
    assert not calls.exists()
