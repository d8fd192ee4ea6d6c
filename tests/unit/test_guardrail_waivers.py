"""One reasoned decision loosens a rule, and a guardrail failure reaches the user as a typed
error naming the code that would accept each finding.

- ``allow_public_endpoint_from_internet`` / ``allow_hop_limit_above_two`` take the reason,
  which both passes construction and is the waiver of EKSG008 / EKSG002, listed in the
  synth summary; ``True`` still works, with a DeprecationWarning and a "no reason" waiver.
- ``app.synth()`` and ``eksguard.synth(app)`` raise ``GuardrailViolation``, not jsii's
  ``RuntimeError``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import eksguard
from eksguard import (
    EksCluster,
    EksClusterProps,
    EksguardError,
    GuardrailViolation,
    Guardrails,
    Imdsv2LaunchTemplate,
    Imdsv2LaunchTemplateProps,
    SecureEksCluster,
    SecureEksClusterProps,
    ValidationError,
    Waiver,
    AddonIdentityOptions,
    aws_load_balancer_controller,
)
from eksguard._framework import App, Aspects, TerraformStack, aws
from eksguard.constructs import addon_permissions
from eksguard.constructs import cluster as cluster_module
from eksguard.constructs import launch_template as lt_module
from eksguard.guardrails.aspect import ALLOWED_ALLOW_REASON

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
REASON = "CI runners without VPN; reviewed by SecOps 2026-11"
HOP_REASON = "vendor agent in a container reads IMDS until v5"
IMDS_FIX = 'use Imdsv2LaunchTemplate, or set metadata_options.http_tokens = "required"'


def _app(tmp_path: Path) -> tuple[App, TerraformStack]:
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "test")
    aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    return app, stack


def _open_cluster(stack: TerraformStack, allow: bool | str) -> SecureEksCluster:
    return SecureEksCluster(stack, "eks", props=SecureEksClusterProps(cluster=EksClusterProps(
        name="prod", subnet_ids=SUBNETS, public_access_cidrs=["0.0.0.0/0"],
        allow_public_endpoint_from_internet=allow)))


def _legacy_template(stack: TerraformStack) -> None:
    aws.launch_template.LaunchTemplate(stack, "legacy", metadata_options={"http_tokens": "optional"})


def _violation_text(stack: str, *findings: tuple[str, str]) -> str:
    count = f"{len(findings)} finding{'' if len(findings) == 1 else 's'}"
    lines = [f"eksguard guardrails failed synth of stack {stack!r}: {count} without a waiver"]
    for finding, accept in findings:
        lines += [f"  {finding}", f"    To accept it instead: {accept}"]
    return "\n".join(lines)


LEGACY_FINDING = (f"test/legacy: EKSG001 launch template does not require IMDSv2 (http_tokens = 'optional'). "
                  f"Fix: {IMDS_FIX}")
LEGACY_WAIVE = 'Guardrails.of(stack).waive(rule="EKSG001", path="test/legacy", reason="…")'


def test_a_reason_opens_the_endpoint_and_is_the_waiver_the_summary_lists(tmp_path):
    # GIVEN a cluster open to the internet for a written reason, and nothing else
    app, stack = _app(tmp_path)
    _open_cluster(stack, REASON)
    # WHEN synthesized
    summary = eksguard.synth(app)
    # THEN no error, and the summary lists the waiver with its reason and the prop that gave it
    assert summary.stacks[0].waivers == (
        f"waived EKSG008 at test/eks/cluster/cluster: {REASON} (EksClusterProps.allow_public_endpoint_from_internet)",)
    assert str(summary).splitlines()[2:] == [
        "  test: guardrails passed, 1 waiver(s)",
        f"    waived EKSG008 at test/eks/cluster/cluster: {REASON} (EksClusterProps.allow_public_endpoint_from_internet)"]
    assert summary.waivers == [f"test: {summary.stacks[0].waivers[0]}"]


def test_true_still_opens_the_endpoint_with_a_deprecation_warning_and_a_waiver_without_reason(tmp_path):
    app, stack = _app(tmp_path)
    with pytest.warns(DeprecationWarning, match=r'give the reason instead, EksClusterProps\('
                                                r'allow_public_endpoint_from_internet="\.\.\."\)') as caught:
        _open_cluster(stack, True)
    assert caught[0].filename == __file__  # it points at the user's line, not at eksguard or jsii
    assert eksguard.synth(app).stacks[0].waivers == (
        "waived EKSG008 at test/eks/cluster/cluster: allowed by allow_public_endpoint_from_internet=True "
        "(no reason given) (EksClusterProps.allow_public_endpoint_from_internet)",)


def test_a_reason_for_a_hop_limit_above_two_is_the_eksg002_waiver(tmp_path):
    # GIVEN a launch template with hop limit 3 for a written reason, in a stack with guardrails
    app, stack = _app(tmp_path)
    Guardrails.of(stack)
    Imdsv2LaunchTemplate(stack, "legacy-lt", props=Imdsv2LaunchTemplateProps(
        http_put_response_hop_limit=3, allow_hop_limit_above_two=HOP_REASON))
    # WHEN synthesized / THEN it passes, and the waiver is listed
    assert eksguard.synth(app).stacks[0].waivers == (
        f"waived EKSG002 at test/legacy-lt/launch-template: {HOP_REASON} "
        "(Imdsv2LaunchTemplateProps.allow_hop_limit_above_two)",)


@pytest.mark.parametrize(("build", "field", "value", "allowed"), [
    (lambda s: EksCluster(s, "eks", props=EksClusterProps(name="prod", subnet_ids=SUBNETS,
                                                          public_access_cidrs=["0.0.0.0/0"])),
     "public_access_cidrs", ["0.0.0.0/0"], cluster_module.ALLOWED_INTERNET_ENDPOINT),
    (lambda s: EksCluster(s, "eks", props=EksClusterProps(name="prod", subnet_ids=SUBNETS,
                                                          public_access_cidrs=["0.0.0.0/0"],
                                                          allow_public_endpoint_from_internet="because")),
     "allow_public_endpoint_from_internet", "because", ALLOWED_ALLOW_REASON),
    (lambda s: Imdsv2LaunchTemplate(s, "eks", props=Imdsv2LaunchTemplateProps(http_put_response_hop_limit=3)),
     "http_put_response_hop_limit", 3, lt_module.ALLOWED_HOP_LIMIT_ABOVE_TWO),
    (lambda s: Imdsv2LaunchTemplate(s, "eks", props=Imdsv2LaunchTemplateProps(
        http_put_response_hop_limit=3, allow_hop_limit_above_two="   ")),
     "allow_hop_limit_above_two", "   ", ALLOWED_ALLOW_REASON),
])
def test_loosening_without_a_reason_fails_construction_naming_the_prop_that_takes_one(
        stack, build, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        build(stack)
    assert (caught.value.path, caught.value.field, caught.value.value, caught.value.allowed) == (
        "test/eks", field, value, allowed)


@pytest.mark.parametrize(("allowed", "prop"), [
    (cluster_module.ALLOWED_INTERNET_ENDPOINT, 'allow_public_endpoint_from_internet="<why, at least 10 characters>"'),
    (lt_module.ALLOWED_HOP_LIMIT_ABOVE_TWO, 'allow_hop_limit_above_two="<why, at least 10 characters>"'),
])
def test_the_construction_errors_name_the_prop_its_reason_and_the_waiver(allowed, prop):
    assert prop in allowed and "waiver of guardrail EKSG00" in allowed


def test_the_prop_waiver_waits_for_guardrails_added_later(stack):
    # GIVEN a bare EksCluster opened for a reason, in a stack without guardrails
    EksCluster(stack, "eks", props=EksClusterProps(name="prod", subnet_ids=SUBNETS, public_access_cidrs=["0.0.0.0/0"],
                                                   allow_public_endpoint_from_internet=REASON))
    # THEN the construct added no guardrails, and the waiver is there once they are added
    assert Aspects.of(stack).all == []
    assert Guardrails.of(stack).waivers == [Waiver(rule="EKSG008", path="test/eks", reason=REASON,
                                                   prop="EksClusterProps.allow_public_endpoint_from_internet")]


def test_a_finding_reaches_app_synth_as_a_typed_error_with_the_code_that_waives_it(tmp_path):
    # GIVEN a launch template eksguard did not make, in a stack with guardrails
    app, stack = _app(tmp_path)
    _legacy_template(stack)
    Guardrails.of(stack)
    # WHEN synthesized / THEN GuardrailViolation, an EksguardError, with the finding and the waiver code
    with pytest.raises(GuardrailViolation) as caught:
        app.synth()
    assert str(caught.value) == _violation_text("test", (LEGACY_FINDING, LEGACY_WAIVE))
    assert isinstance(caught.value, EksguardError)
    assert caught.value.stack == "test"
    assert [(f.rule.id, f.path) for f in caught.value.findings] == [("EKSG001", "test/legacy")]
    # AND eksguard.synth raises the same; nothing was written
    with pytest.raises(GuardrailViolation):
        eksguard.synth(app)
    assert not (tmp_path / "out/stacks/test/cdk.tf.json").exists()


def test_pasting_the_printed_waiver_code_as_is_is_refused_until_a_reason_is_written(stack):
    with pytest.raises(ValidationError) as caught:
        Guardrails.of(stack).waive(rule="EKSG001", path="test/legacy", reason="…")
    assert caught.value.field == "reason"


def test_a_finding_under_a_construct_with_an_allow_prop_names_the_prop(tmp_path):
    # GIVEN an EksCluster opened to the internet behind its validation's back (an escape hatch)
    app, stack = _app(tmp_path)
    Guardrails.of(stack)
    cluster = EksCluster(stack, "eks", props=EksClusterProps(name="prod", subnet_ids=SUBNETS))
    cluster.cluster.add_override("vpc_config.endpoint_public_access", True)
    # WHEN synthesized / THEN the way to accept it is the construct's prop
    with pytest.raises(GuardrailViolation) as caught:
        app.synth()
    assert str(caught.value) == _violation_text("test", (
        "test/eks/cluster: EKSG008 cluster API endpoint open to the internet (public endpoint with 0.0.0.0/0). "
        "Fix: keep the endpoint private, or list the CIDRs that need it in public_access_cidrs",
        'EksClusterProps(allow_public_endpoint_from_internet="…") for test/eks'))


def test_guardrails_added_by_hand_still_give_the_typed_error_through_eksguard_synth(tmp_path):
    # GIVEN guardrails added as a plain Aspect, so App.synth is jsii's own
    app, stack = _app(tmp_path)
    _legacy_template(stack)
    Aspects.of(stack).add(Guardrails())
    # THEN app.synth() gives jsii's RuntimeError carrying the whole message, eksguard.synth the typed error
    with pytest.raises(RuntimeError) as untyped:
        app.synth()
    assert str(untyped.value) == _violation_text("test", (LEGACY_FINDING, LEGACY_WAIVE))
    with pytest.raises(GuardrailViolation):
        eksguard.synth(app)


def test_the_load_balancer_controller_policy_waives_eksg011_for_its_identity_only(tmp_path):
    # GIVEN the AWS Load Balancer Controller on its identity: its published policy has
    # unconditioned writes on "*"
    app, stack = _app(tmp_path)
    SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
        addon_identities={"lbc": AddonIdentityOptions(permissions=aws_load_balancer_controller(
            cluster_name="prod", scope=stack))}))
    # WHEN synthesized / THEN it passes, and the summary says why
    assert eksguard.synth(app).stacks[0].waivers == (
        f"waived EKSG011 at test/eks/lbc/irsa/role: {addon_permissions.LOAD_BALANCER_CONTROLLER_UNSCOPED} "
        "(AddonPermissions.guardrail_waivers)",)


def test_a_stack_without_guardrails_says_so_in_the_summary(tmp_path):
    app, stack = _app(tmp_path)
    _legacy_template(stack)
    summary = eksguard.synth(app)
    assert str(summary).splitlines() == [
        f"eksguard: synthesized 1 stack(s) into {(tmp_path / 'out').resolve()}",
        f"  test: 1 resources -> {tmp_path / 'out/stacks/test/cdk.tf.json'}",
        "  test: no guardrails (Guardrails.of(stack) adds them)"]
    assert summary == eksguard.synth_summary(app)


def test_guardrails_their_summary_and_errors_import_from_the_package_root():
    import eksguard.guardrails as guardrails

    for name in ("Guardrails", "Waiver", "Finding", "SynthSummary", "StackSummary", "synth", "synth_summary"):
        assert getattr(eksguard, name) is getattr(guardrails, name) and name in eksguard.__all__
    assert eksguard.GuardrailViolation is guardrails.GuardrailViolation is eksguard.errors.GuardrailViolation
    assert issubclass(GuardrailViolation, EksguardError)


def test_the_error_types_import_without_starting_the_cdk_framework():
    code = "import sys; from eksguard import GuardrailViolation, EksguardError; print('jsii' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
