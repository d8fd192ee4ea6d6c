"""Harness pieces that need no emulator: settings resolution, override files, gap rules,
binary resolution."""

from __future__ import annotations

import pytest

from eksguard.errors import EksguardError
from eksguard.testing.config import SETTINGS, HarnessConfig
from eksguard.testing.emulator import Emulator
from eksguard.testing.gaps import EMULATOR_GAPS, evaluate
from eksguard.testing.terraform import resolve_binary
from eksguard.testing.workspace import ENDPOINT_SERVICES, cli_config, override_document, provider_region


def _resolve(options=None, ini=None, env=None):
    options, ini = options or {}, ini or {}
    return HarnessConfig.resolve(options.get, lambda key: ini.get(key, ""), env or {})


def test_defaults_when_nothing_is_set():
    assert _resolve() == HarnessConfig()


def test_option_beats_environment_beats_ini():
    setting = next(s for s in SETTINGS if s.name == "teardown")
    assert (setting.option, setting.env, setting.ini) == (
        "--eksguard-teardown", "EKSGUARD_TEARDOWN", "eksguard_teardown")
    assert _resolve(ini={"eksguard_teardown": "keep"}).teardown == "keep"
    assert _resolve(ini={"eksguard_teardown": "keep"}, env={"EKSGUARD_TEARDOWN": "reset"}).teardown == "reset"
    assert _resolve(options={"--eksguard-teardown": "destroy"}, env={"EKSGUARD_TEARDOWN": "reset"}).teardown == "destroy"


def test_typed_settings_are_parsed():
    config = _resolve(env={"EKSGUARD_KEEP_ON_FAILURE": "yes", "EKSGUARD_COMMAND_TIMEOUT": "60",
                           "EKSGUARD_WORKDIR": "/tmp/w"})
    assert (config.keep_on_failure, config.command_timeout, str(config.workdir)) == (True, 60, "/tmp/w")


def test_unknown_teardown_mode_is_rejected():
    with pytest.raises(ValueError, match="use one of"):
        _resolve(env={"EKSGUARD_TEARDOWN": "nuke"})


def test_isolation_is_shared_unless_account_is_asked_and_nothing_else_is_accepted():
    assert _resolve().isolation == "shared"
    assert _resolve(env={"EKSGUARD_ISOLATION": "account"}).isolation == "account"
    with pytest.raises(ValueError, match="isolation 'namespace': use one of"):
        _resolve(env={"EKSGUARD_ISOLATION": "namespace"})


EMULATOR = Emulator(name="moto", endpoint="http://127.0.0.1:5555", region="eu-west-1")


def test_an_isolated_accounts_session_goes_into_the_override_and_unknown_accounts_are_refused():
    emulator = Emulator(name="moto", endpoint="http://127.0.0.1:5555", region="eu-west-1", accounts={
        "100000000001": {"aws_access_key_id": "ASIAX", "aws_secret_access_key": "s", "aws_session_token": "t"}})
    override = override_document({"provider": {"aws": [{"region": "eu-west-1"}]}}, emulator, None,
                                 account="100000000001")
    entry = override["provider"]["aws"][0]
    assert (entry["access_key"], entry["secret_key"], entry["token"]) == ("ASIAX", "s", "t")
    assert emulator.inventory_accounts() == (None, "100000000001")
    with pytest.raises(KeyError, match="no isolated deployment had account 999999999999"):
        emulator.credentials("999999999999")
    # (LocalStack or a URL keeps one account: isolation is refused rather than faked)
    with pytest.raises(NotImplementedError, match="isolation 'account' needs moto"):
        Emulator(name="localstack", endpoint="http://127.0.0.1:4566", region="eu-west-1").new_account()


def test_override_points_every_aws_provider_at_the_emulator():
    stack = {"provider": {"aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"},
                                  {"alias": "noregion"}]}}
    override = override_document(stack, EMULATOR, ">= 5.0")
    endpoints = [{service: "http://127.0.0.1:5555" for service in ENDPOINT_SERVICES}]
    common = {"access_key": "test", "secret_key": "test", "skip_credentials_validation": True,
              "skip_metadata_api_check": True, "skip_region_validation": True,
              "s3_use_path_style": True, "endpoints": endpoints}
    assert override == {
        "terraform": {"backend": {"local": {"path": "terraform.tfstate"}},
                      "required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.0"}}},
        "provider": {"aws": [common, {**common, "alias": "west"},
                             {**common, "alias": "noregion", "region": "eu-west-1"}]},
    }
    assert provider_region(stack, "eu-west-1") == "us-east-1"


def test_max_retries_is_set_only_when_configured():
    assert override_document({}, EMULATOR, None, 1)["provider"]["aws"][0]["max_retries"] == 1
    assert "max_retries" not in override_document({}, EMULATOR, None)["provider"]["aws"][0]
    assert _resolve(env={"EKSGUARD_AWS_MAX_RETRIES": "2"}).aws_max_retries == 2


def test_no_constraint_override_keeps_the_stack_pin():
    assert "required_providers" not in override_document({}, EMULATOR, None)["terraform"]


def test_cli_config_uses_the_mirror_or_a_plugin_cache(tmp_path, monkeypatch):
    assert cli_config("/mirror") == 'provider_installation {\n  filesystem_mirror {\n    path = "/mirror"\n  }\n}\n'
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cli_config(None) == f'plugin_cache_dir = "{tmp_path}/eksguard/terraform-plugins"\n'
    assert (tmp_path / "eksguard/terraform-plugins").is_dir()


def test_missing_terraform_lists_what_was_checked_and_the_fix(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EksguardError) as caught:
        resolve_binary("my-terraform")
    assert str(caught.value) == (
        "no Terraform binary. Checked: --eksguard-terraform / EKSGUARD_TERRAFORM = 'my-terraform' "
        "(not found); 'terraform' on PATH (not found); 'tofu' on PATH (not found). Fix: install "
        "Terraform >= 1.5 or OpenTofu and put it on PATH, or name it with --eksguard-terraform.")


def _change(address, actions, before=None, after=None, unknown=None, replace_paths=None):
    return {"address": address, "mode": "managed", "change": {
        "actions": actions, "before": before, "after": after, "after_unknown": unknown or {},
        "replace_paths": replace_paths}}


def _plan(*changes, references=None):
    return {"resource_changes": list(changes), "configuration": {"root_module": {"resources": [
        {"address": address, "expressions": {attr: {"references": refs}}}
        for address, (attr, refs) in (references or {}).items()]}}}


GAPS = {"aws_eks_cluster": {"access_config": "this emulator does not return a cluster's accessConfig"}}


def test_the_embedded_moto_declares_no_replan_gap():
    # GIVEN eksguard's EKS extension WHEN the gap table is read THEN moto excuses nothing
    assert EMULATOR_GAPS["moto"] == {}


def test_gap_replacement_and_what_follows_from_it_are_not_drift():
    plan = _plan(
        _change("aws_eks_cluster.c", ["delete", "create"], replace_paths=[["access_config", 0, "x"]]),
        _change("aws_iam_openid_connect_provider.o", ["delete", "create"], replace_paths=[["url"]]),
        _change("aws_iam_role.r", ["update"], before={"assume_role_policy": "a"},
                after={"assume_role_policy": None}, unknown={"assume_role_policy": True}),
        references={"aws_iam_openid_connect_provider.o": ("url", ["aws_eks_cluster.c.identity", "aws_eks_cluster.c"]),
                    "aws_iam_role.r": ("assume_role_policy", ["aws_iam_openid_connect_provider.o.arn"])})
    verdict = evaluate(plan, "moto", GAPS)
    assert verdict.ok
    assert [str(u) for u in verdict.unverified] == [
        "aws_eks_cluster.c.access_config: this emulator does not return a cluster's accessConfig",
        "aws_iam_openid_connect_provider.o.url: follows from the change to aws_eks_cluster.c.identity",
        "aws_iam_role.r.assume_role_policy: follows from the change to aws_iam_openid_connect_provider.o.arn",
    ]


def test_real_drift_fails_and_gaps_of_one_emulator_do_not_excuse_another():
    drift = _change("aws_iam_role.r", ["update"], before={"max_session_duration": 3600},
                    after={"max_session_duration": 7200})
    verdict = evaluate(_plan(drift), "moto", GAPS)
    assert not verdict.ok
    assert verdict.report() == "drift: aws_iam_role.r update because of max_session_duration"
    gap = _change("aws_eks_cluster.c", ["delete", "create"], replace_paths=[["access_config"]])
    assert not evaluate(_plan(gap), "localstack").ok
    assert not evaluate(_plan(gap), "moto").ok
    assert evaluate(_plan(gap), "moto", GAPS).ok


def test_emulator_reports_why_a_capability_is_missing():
    emulator = Emulator(name="moto", endpoint="x", region="r", served={"eks": True, "eks:addons": False})
    assert emulator.missing("eks") is None
    assert emulator.missing("eks:addons") == "moto without eksguard's EKS extension has no EKS add-ons"
    assert emulator.missing("s3") == "moto at x does not serve s3"



def test_synthesis_logs_its_wall_time_as_a_step_for_the_benchmarks(tmp_path, caplog):
    # bench/harness_cycle.py reads "step <name> <seconds>" from eksguard.testing.timing
    import logging
    import re

    from eksguard._framework import TerraformStack, aws
    from eksguard.testing.synth import synthesize

    def build(app):
        stack = TerraformStack(app, "one")
        aws.provider.AwsProvider(stack, "aws", region="eu-west-1")
        aws.vpc.Vpc(stack, "vpc", cidr_block="10.0.0.0/16")

    with caplog.at_level(logging.INFO, logger="eksguard.testing.timing"):
        stacks = synthesize(build, tmp_path / "out")
    assert list(stacks) == ["one"]
    steps = [r.getMessage() for r in caplog.records if r.name == "eksguard.testing.timing"]
    assert len(steps) == 1 and re.fullmatch(r"step synth \d+\.\d\d", steps[0]), steps
