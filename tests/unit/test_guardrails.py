"""Guardrails: each rule fires on the insecure input it names, waivers need a reason and
are listed, and a finding fails synth with nothing written."""

from __future__ import annotations

import json

import pytest

from eksguard import ValidationError
from eksguard._framework import App, TerraformStack, aws
from eksguard.guardrails import Guardrails, check_document
from eksguard.guardrails.aspect import ALLOWED_WAIVER_REASON

HOST = "oidc.eks.us-east-1.amazonaws.com/id/X"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"


def _doc(rtype, body, name="r"):
    return {"resource": {rtype: {name: {**body, "//": {"metadata": {"path": f"s/{name}"}}}}}}


def _trust(condition, federated=PROVIDER):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]})


GOOD_CONDITION = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": "system:serviceaccount:a:b"}}
NODE_TRUST = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                        "Action": "sts:AssumeRole"}]})
GOOD_CLUSTER = {"vpc_config": {"endpoint_public_access": False},
                "encryption_config": {"resources": ["secrets"], "provider": {"key_arn": "k"}},
                "enabled_cluster_log_types": ["api", "audit", "authenticator"]}


@pytest.mark.parametrize(("document", "rule"), [
    (_doc("aws_launch_template", {"metadata_options": {"http_tokens": "optional"}}), "EKSG001"),
    (_doc("aws_launch_template", {}), "EKSG001"),
    (_doc("aws_launch_template", {"metadata_options": {"http_tokens": "required",
                                                       "http_put_response_hop_limit": 3}}), "EKSG002"),
    (_doc("aws_iam_role", {"assume_role_policy": _trust(
        {"StringEquals": {f"{HOST}:sub": "system:serviceaccount:a:b"}})}), "EKSG003"),
    (_doc("aws_iam_role", {"assume_role_policy": _trust(
        {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": "system:serviceaccount:a:*"}})}),
     "EKSG004"),
    (_doc("aws_iam_role", {"assume_role_policy": _trust(
        {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
         "StringLike": {f"{HOST}:sub": "system:serviceaccount:*:b"}})}), "EKSG005"),
    (_doc("aws_iam_role", {"assume_role_policy": _trust(GOOD_CONDITION, federated="*")}), "EKSG006"),
    ({"resource": {"aws_iam_role": {"n": {"assume_role_policy": NODE_TRUST}},
                   "aws_iam_role_policy_attachment": {"a": {
                       "role": "${aws_iam_role.n.name}",
                       "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}}}, "EKSG007"),
    ({"resource": {"aws_iam_role": {"n": {"assume_role_policy": NODE_TRUST}},
                   "aws_iam_role_policy": {"p": {"role": "${aws_iam_role.n.id}", "name": "all",
                                                 "policy": json.dumps({"Statement": [
                                                     {"Effect": "Allow", "Action": "*", "Resource": "*"}]})}}}},
     "EKSG007"),
    (_doc("aws_eks_cluster", {**GOOD_CLUSTER, "vpc_config": {"endpoint_public_access": True}}), "EKSG008"),
    (_doc("aws_eks_cluster", {**GOOD_CLUSTER, "vpc_config": {
        "endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]}}), "EKSG008"),
    (_doc("aws_eks_cluster", {**GOOD_CLUSTER, "encryption_config": None}), "EKSG009"),
    (_doc("aws_eks_cluster", {**GOOD_CLUSTER, "enabled_cluster_log_types": []}), "EKSG010"),
])
def test_each_rule_fires_on_its_insecure_input(document, rule):
    assert [f.rule.id for f in check_document(document)] == [rule]


@pytest.mark.parametrize("document", [
    _doc("aws_launch_template", {"metadata_options": {"http_tokens": "required", "http_put_response_hop_limit": 2}}),
    _doc("aws_iam_role", {"assume_role_policy": _trust(GOOD_CONDITION)}),
    _doc("aws_iam_role", {"assume_role_policy": _trust({
        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{HOST}:sub": "system:serviceaccount:ci:runner-*"}})}),
    _doc("aws_eks_cluster", GOOD_CLUSTER),
    _doc("aws_eks_cluster", {**GOOD_CLUSTER, "vpc_config": {
        "endpoint_public_access": True, "public_access_cidrs": ["203.0.113.0/24"]}}),
])
def test_secure_inputs_have_no_finding(document):
    assert check_document(document) == []


def _stack_with_open_template(tmp_path):
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "s")
    aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    aws.launch_template.LaunchTemplate(stack, "legacy", metadata_options={"http_tokens": "optional"})
    return app, stack


def test_a_finding_fails_synth_naming_path_rule_and_fix_and_writes_nothing(tmp_path):
    # GIVEN a launch template eksguard did not make, in a stack with guardrails
    app, stack = _stack_with_open_template(tmp_path)
    Guardrails.of(stack)
    # WHEN synthesized / THEN synth fails with the finding, and no stack file is written
    with pytest.raises(Exception) as caught:
        app.synth()
    assert "s/legacy: EKSG001 launch template does not require IMDSv2 (http_tokens = 'optional'). Fix: use " \
           "Imdsv2LaunchTemplate" in str(caught.value)
    assert not (tmp_path / "out/stacks/s/cdk.tf.json").exists()


def test_a_waiver_with_a_reason_lets_synth_pass_and_is_listed(tmp_path):
    app, stack = _stack_with_open_template(tmp_path)
    guardrails = Guardrails.of(stack).waive(rule="EKSG001", path="s/legacy",
                                            reason="vendor AMI reads IMDSv1 until its next release")
    app.synth()
    assert guardrails.summary() == [
        "waived EKSG001 at s/legacy: vendor AMI reads IMDSv1 until its next release"]
    assert Guardrails.of(stack) is guardrails


@pytest.mark.parametrize(("rule", "reason", "field", "allowed"), [
    ("EKSG001", "", "reason", ALLOWED_WAIVER_REASON),
    ("EKSG001", "because", "reason", ALLOWED_WAIVER_REASON),
    ("EKSG999", "a long enough reason", "rule", "one of EKSG001"),
])
def test_waivers_need_a_known_rule_and_a_written_reason(stack, rule, reason, field, allowed):
    with pytest.raises(ValidationError) as caught:
        Guardrails.of(stack).waive(rule=rule, path="test/x", reason=reason)
    assert (caught.value.field, caught.value.path) == (field, "test/x")
    assert caught.value.allowed.startswith(allowed)
