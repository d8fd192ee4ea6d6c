"""``terraform validate`` on synthesized stacks: the diagnostics message, a stack the
provider rejects, a valid one, the check of many stacks in one command, and the wiring
through the plugin's ``synth_stack`` (an inner pytest session)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eksguard import EksClusterProps, ManagedNodeGroupOptions, SecureEksCluster, SecureEksClusterProps
from eksguard._framework import TerraformStack, aws, core
from eksguard.errors import TerraformValidationError
from eksguard.testing.config import HarnessConfig
from eksguard.testing.synth import STACK_FILE, SynthesizedStack, synthesize
from eksguard.testing.validate import (
    Diagnostic,
    StackValidator,
    ValidationQueue,
    diagnostics,
    rejection,
    validate_stack,
)

pytest_plugins = ["pytester"]

# What `terraform validate -json` printed for a cluster without subnets, plus a warning
# without a source range, in the order Terraform gave them (not source order).
OUTPUT = {
    "format_version": "1.0", "valid": False, "error_count": 1, "warning_count": 1,
    "diagnostics": [
        {"severity": "warning", "summary": "Provider development overrides are in effect",
         "detail": "The following provider development overrides are set:\n\n - hashicorp/aws"},
        {"severity": "error", "summary": "Missing required argument",
         "detail": "The argument \"subnet_ids\" is required, but no definition was found.",
         "range": {"filename": "cdk.tf.json", "start": {"line": 36, "column": 24, "byte": 801},
                   "end": {"line": 36, "column": 25, "byte": 802}},
         "snippet": {"context": "resource.aws_eks_cluster.cluster.vpc_config", "code": '   "vpc_config": {}',
                     "start_line": 36, "highlight_start_offset": 23, "highlight_end_offset": 24, "values": []}},
        {"severity": "error", "summary": "Invalid reference",
         "detail": "A reference to a resource type must be followed by at least one attribute access.",
         "range": {"filename": "cdk.tf.json", "start": {"line": 9, "column": 5, "byte": 120},
                   "end": {"line": 9, "column": 20, "byte": 135}},
         "snippet": {"context": "data.aws_region.here", "code": "", "start_line": 9,
                     "highlight_start_offset": 4, "highlight_end_offset": 19, "values": []}},
    ],
}


def test_every_diagnostic_is_listed_in_source_order_with_address_attribute_position_and_detail():
    # GIVEN the JSON document of a failed `terraform validate`
    # WHEN it is read and put in the message
    message = rejection("demo", diagnostics(OUTPUT), "cd /w && terraform validate")
    # THEN each diagnostic has its severity, summary, block address, attribute, position, detail
    assert message == (
        "terraform validate rejected stack demo:\n"
        "  Warning: Provider development overrides are in effect\n"
        "    The following provider development overrides are set:\n"
        "\n"
        "     - hashicorp/aws\n"
        "  Error: Invalid reference\n"
        "    at data.aws_region.here (cdk.tf.json:9:5)\n"
        "    A reference to a resource type must be followed by at least one attribute access.\n"
        "  Error: Missing required argument\n"
        "    at aws_eks_cluster.cluster, vpc_config (cdk.tf.json:36:24)\n"
        "    The argument \"subnet_ids\" is required, but no definition was found.\n"
        "Repeat: cd /w && terraform validate")


def _stack(tmp_path: Path, name: str, add) -> SynthesizedStack:
    def build(app):
        stack = TerraformStack(app, "test")
        aws.provider.AwsProvider(stack, "aws", region="us-east-1")
        add(stack)

    return synthesize(build, tmp_path / name)["test"]


def _bogus_argument(stack) -> None:
    role = aws.iam_role.IamRole(stack, "role", name="r", assume_role_policy="{}")
    role.add_override("bogus_argument", "x")


def _no_subnets(stack) -> None:
    cluster = aws.eks_cluster.EksCluster(stack, "cluster", name="c", role_arn="arn:aws:iam::123456789012:role/r",
                                         vpc_config=aws.eks_cluster.EksClusterVpcConfig(subnet_ids=["subnet-1"]))
    cluster.add_override("vpc_config.subnet_ids", None)


def _secure_cluster(stack) -> None:
    SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]),
        node_groups={"general": ManagedNodeGroupOptions()}))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """Shared by this module's checks: hashicorp/aws is installed there once."""
    return tmp_path_factory.mktemp("validate")


def _position(message: str, text: str, offset: int) -> tuple[int, int]:
    """Line and column of ``offset`` into the one line holding ``text`` in the copy
    Terraform validated (the folder the message's ``Repeat:`` command enters)."""
    copied = Path(re.search(r"^Repeat: cd (\S+) ", message, re.MULTILINE)[1]) / STACK_FILE
    (found,) = [(number, line.index(text) + offset + 1)
                for number, line in enumerate(copied.read_text().splitlines(), start=1) if text in line]
    return found


@pytest.mark.eksguard_integration
@pytest.mark.parametrize(("add", "path", "at", "attribute", "summary", "detail"), [
    (_bogus_argument, "test/role", ('"bogus_argument": ', 0), None, "Extraneous JSON object property",
     'No argument or block type is named "bogus_argument".'),
    # Terraform points at the end of the block that lacks the argument
    (_no_subnets, "test/cluster", ('"vpc_config": {}', 15), "vpc_config", "Missing required argument",
     'The argument "subnet_ids" is required, but no definition was found.'),
], ids=["unknown-argument", "missing-required-argument"])
def test_a_stack_the_provider_rejects_fails_with_terraforms_diagnostic(
        tmp_path, workdir, eksguard_config, add, path, at, attribute, summary, detail):
    # GIVEN a stack with an argument the AWS provider's schema rejects
    stack = _stack(tmp_path, "out", add)
    # WHEN it is validated
    with pytest.raises(TerraformValidationError) as raised:
        validate_stack(stack, eksguard_config, workdir)
    # THEN the error carries exactly Terraform's diagnostic, at the resource's address
    line, column = _position(str(raised.value), *at)
    expected = Diagnostic(severity="error", summary=summary, detail=detail, address=stack.address(path),
                          attribute=attribute, filename=STACK_FILE, line=line, column=column)
    assert raised.value.diagnostics == {"test": (expected,)}
    assert str(raised.value).startswith(f"terraform validate rejected stack test:\n{expected}\nRepeat: cd ")


@pytest.mark.eksguard_integration
def test_a_stack_the_provider_accepts_passes(tmp_path, workdir, eksguard_config):
    # GIVEN the secure cluster with a node group / WHEN validated / THEN nothing is raised
    validate_stack(_stack(tmp_path, "out", _secure_cluster), eksguard_config, workdir)


def _aliased_provider_and_variable(stack) -> None:
    west = aws.provider.AwsProvider(stack, "west", region="us-west-2", alias="west")
    name = core.TerraformVariable(stack, "role_name", type="string")
    aws.iam_role.IamRole(stack, "role", name=name.string_value, assume_role_policy="{}", provider=west)


@pytest.mark.eksguard_integration
def test_many_stacks_are_checked_in_one_command_and_only_the_rejected_one_is_reported(tmp_path, eksguard_config):
    # GIVEN three stacks, one with an argument the provider does not know, one with an
    # aliased provider configuration and a variable
    stacks = {"valid": _stack(tmp_path, "a", _secure_cluster), "invalid": _stack(tmp_path, "b", _bogus_argument),
              "aliased": _stack(tmp_path, "c", _aliased_provider_and_variable)}
    validator = StackValidator(eksguard_config, tmp_path / "validate")
    queue = ValidationQueue(validator)
    for origin, stack in stacks.items():
        queue.add(stack, origin=f"test_{origin}")
    # WHEN the queue is checked
    with pytest.raises(TerraformValidationError) as raised:
        queue.check()
    # THEN only the invalid stack is named, with its origin and Terraform's diagnostic
    label = "test, synthesized by test_invalid"
    (diagnostic,) = raised.value.diagnostics[label]
    assert list(raised.value.diagnostics) == [label]
    assert (diagnostic.summary, diagnostic.address) == ("Extraneous JSON object property",
                                                        stacks["invalid"].address("test/role"))
    assert str(raised.value).startswith(
        "terraform validate rejected 1 of 3 stacks (checked together when the test session ended):\n\n"
        f"terraform validate rejected stack {label}:\n{diagnostic}\nRepeat: cd ")
    # AND the three were validated in one command; only the rejected one again on its own
    assert len(list(validator.root.glob("together-*"))) == 1
    assert len(list(validator.root.glob("test-*"))) == 1


INNER = '''
from eksguard._framework import TerraformStack, aws

def _app(bogus):
    def build(app):
        stack = TerraformStack(app, "demo")
        aws.provider.AwsProvider(stack, "aws", region="us-east-1")
        role = aws.iam_role.IamRole(stack, "role", name="r", assume_role_policy="{}")
        if bogus:
            role.add_override("bogus_argument", "x")
    return build

def test_bad(synth_stack):
    assert synth_stack(_app(True)).name == "demo"

def test_good(synth_stack):
    assert synth_stack(_app(False)).name == "demo"
'''


@pytest.mark.eksguard_integration
def test_synth_stack_validates_with_the_setting_and_names_the_test_that_synthesized(
        pytester, eksguard_config, monkeypatch):
    # GIVEN an inner session whose two tests synthesize through synth_stack, one stack invalid
    for name in ("EKSGUARD_VALIDATE", "EKSGUARD_AWS_PROVIDER_VERSION", "EKSGUARD_PROVIDER_MIRROR"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_inner=INNER)
    settings = [f"--eksguard-{name.replace('_', '-')}={value}" for name, value in (
        ("provider_mirror", eksguard_config.provider_mirror),
        ("aws_provider_version", eksguard_config.aws_provider_version)) if value]
    # WHEN it runs with --eksguard-validate=true
    result = pytester.runpytest_inprocess("--eksguard-validate=true", *settings, "-p", "no:cacheprovider")
    # THEN both tests pass, and the session ends with one error naming test_bad's stack
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines([
        "*terraform validate rejected 1 of 2 stacks (checked together when the test session ended):",
        "*terraform validate rejected stack demo, synthesized by test_inner.py::test_bad:",
        "*  Error: Extraneous JSON object property",
        "*    at aws_iam_role.role (cdk.tf.json:*)",
        '*    No argument or block type is named "bogus_argument".',
    ])


def test_validation_is_off_unless_set():
    assert HarnessConfig.resolve({}.get, lambda key: "", {}).validate is False
    assert HarnessConfig.resolve({}.get, lambda key: "", {"EKSGUARD_VALIDATE": "true"}).validate is True
    assert HarnessConfig.resolve({"--eksguard-validate": "false"}.get, {"eksguard_validate": "true"}.get,
                                 {}).validate is False
