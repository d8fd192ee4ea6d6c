"""Guardrails: each rule fires on the insecure input it names, waivers need a reason and
are listed, and a finding fails synth with nothing written."""

from __future__ import annotations

import json

import pytest

from eksguard import GuardrailViolation, ValidationError
from eksguard._framework import App, TerraformStack, aws
from eksguard.guardrails import Guardrails, check_document
from eksguard.guardrails.aspect import ALLOWED_WAIVER_PATH, ALLOWED_WAIVER_REASON

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
    _doc("aws_iam_role", {"assume_role_policy": json.dumps({"Statement": [{  # a GitHub Actions role
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/infra:*"}}}]})}),
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
    with pytest.raises(GuardrailViolation) as caught:
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


@pytest.mark.parametrize("path", ["", "/", " ", " test/x"])
def test_a_waiver_names_a_construct_not_the_whole_stack(stack, path):
    # an empty path would cover every construct ("and everything below it")
    with pytest.raises(ValidationError) as caught:
        Guardrails.of(stack).waive(rule="EKSG001", path=path, reason="a long enough reason")
    assert (caught.value.path, caught.value.field, caught.value.value) == ("Guardrails.waive", "path", path)
    assert caught.value.allowed == ALLOWED_WAIVER_PATH


# EKSG011: workload identities (IRSA, Pod Identity, CI OIDC) with broad grants on "*".
GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
HCP_TERRAFORM = "arn:aws:iam::111122223333:oidc-provider/app.terraform.io"
IRSA_TRUST = _trust(GOOD_CONDITION)
POD_TRUST = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
                                       "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
OWNED = {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned"}}


def _ci_trust(provider, issuer, subject):
    return json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{issuer}:sub": subject}}}]})


def _statements(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _role(trust, **resources):
    """A stack with role ``s/app`` (the trust given) and other resources, each at ``s/<name>``."""
    document = {"resource": {"aws_iam_role": {"app": {"name": "app", "assume_role_policy": trust}}}, "data": {}}
    for rtype, named in resources.items():
        section = document["data" if rtype.startswith("data_") else "resource"]
        section.setdefault(rtype.removeprefix("data_"), {}).update(named)
    for section in document.values():
        for named in section.values():
            for name, body in named.items():
                body["//"] = {"metadata": {"path": f"s/{name}"}}
    return document


def _inline(*statements):
    return {"aws_iam_role_policy": {"p": {"role": "${aws_iam_role.app.id}", "name": "app",
                                          "policy": _statements(*statements)}}}


def _attached(policy_arn, **more):
    return {"aws_iam_role_policy_attachment": {"a": {"role": "${aws_iam_role.app.name}", "policy_arn": policy_arn}},
            **more}


ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
PUT_ANYWHERE = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}


@pytest.mark.parametrize(("document", "detail"), [
    (_role(IRSA_TRUST, aws_iam_role={"app": {"name": "app", "assume_role_policy": IRSA_TRUST, "inline_policy": [
        {"name": "everything", "policy": _statements(ALL)}]}}),
     "IRSA role: inline_policy 'everything' allows * on \"*\""),
    (_role(POD_TRUST, **_inline(PUT_ANYWHERE)), "Pod Identity role: policy 'app' (s/p) allows s3:PutObject on \"*\""),
    (_role(_ci_trust(GITHUB, "token.actions.githubusercontent.com", "repo:acme/infra:*"), **_attached(
        "${aws_iam_policy.deploy.arn}", aws_iam_policy={"deploy": {"policy": _statements(
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["*"]})}})),
     "CI role (token.actions.githubusercontent.com): attached policy s/deploy allows s3:* on \"*\""),
    (_role(_ci_trust(HCP_TERRAFORM, "app.terraform.io",
                     "organization:acme:project:infra:workspace:eks:run_phase:*"),
           **_attached("arn:aws:iam::aws:policy/AdministratorAccess")),
     "CI role (app.terraform.io): AWS managed policy AdministratorAccess"),
    (_role(IRSA_TRUST, aws_iam_role={"app": {"assume_role_policy": IRSA_TRUST, "managed_policy_arns": [
        "arn:${data.aws_partition.p.partition}:iam::aws:policy/AmazonS3FullAccess"]}}),
     "IRSA role: AWS managed policy AmazonS3FullAccess"),
    (_role(IRSA_TRUST, aws_iam_role_policy={"p": {"role": "app", "name": "orders", "policy":
                                                 "${data.aws_iam_policy_document.orders.json}"}},
           data_aws_iam_policy_document={"orders": {"statement": [
               {"actions": ["dynamodb:PutItem", "dynamodb:Query"], "resources": ["*"]}]}}),
     "IRSA role: policy 'orders' (s/p) allows dynamodb:PutItem on \"*\""),
    (_role(POD_TRUST, **_inline({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})),
     "Pod Identity role: policy 'app' (s/p) allows every action but iam:* on \"*\""),
])
def test_a_workload_identity_with_broad_grants_on_every_resource_is_a_finding(document, detail):
    assert [(f.rule.id, f.path, f.detail) for f in check_document(document)] == [("EKSG011", "s/app", detail)]


@pytest.mark.parametrize("document", [
    # reading everything: the add-on policies' ec2:Describe*, autoscaling:Describe*
    _role(IRSA_TRUST, **_inline({"Effect": "Allow", "Resource": "*", "Action": [
        "ec2:Describe*", "autoscaling:DescribeAutoScalingGroups", "ecr:GetAuthorizationToken", "s3:ListAllMyBuckets"]})),
    # a write on "*" scoped by a Condition (cluster-autoscaler's tag)
    _role(IRSA_TRUST, **_inline({"Effect": "Allow", "Action": "autoscaling:SetDesiredCapacity", "Resource": "*",
                                 "Condition": OWNED})),
    # writes on named resources
    _role(POD_TRUST, **_inline({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::orders/*"})),
    # a Deny, and an AWS managed policy that is not a FullAccess one
    _role(POD_TRUST, **_inline({"Effect": "Deny", "Action": "*", "Resource": "*"}),
          **_attached("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")),
    # not a workload: a role EC2 assumes (node roles are EKSG007's)
    _role(NODE_TRUST, **_inline(PUT_ANYWHERE)),
    # the broad policy is attached to another role
    _role(IRSA_TRUST, aws_iam_role_policy_attachment={"a": {
        "role": "${aws_iam_role.other.name}", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}),
])
def test_workload_identities_reading_or_scoped_pass(document):
    assert check_document(document) == []
