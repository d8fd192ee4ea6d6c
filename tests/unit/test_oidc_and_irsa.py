"""ClusterOidcProvider and IrsaRole: the issuer wiring, whole trust documents, manifests."""

from __future__ import annotations

import json

import pytest

from eksguard import (
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EksCluster,
    EksClusterProps,
    IrsaRole,
    IrsaRoleProps,
    ServiceAccount,
    ServiceAccountPattern,
    ValidationError,
)
from eksguard.constructs import irsa_role as irsa_module


READ_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'


def _with_provider(stack):
    cluster = EksCluster(stack, "eks", props=EksClusterProps(
        name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]))
    return ClusterOidcProvider(stack, "oidc", props=ClusterOidcProviderProps(
        issuer_url=cluster.oidc_issuer_url))


def test_oidc_provider_url_is_the_cluster_issuer_with_sts_audience(synth_one):
    out = synth_one(_with_provider)
    cluster = out.address("test/eks/cluster")
    assert out.resource("test/oidc/provider") == {
        "url": "${" + cluster + ".identity[0].oidc[0].issuer}",
        "client_id_list": ["sts.amazonaws.com"],
        "tags": {},
    }
    [(local_name, expression)] = out.document["locals"].items()
    assert local_name.startswith("oidc_issuer-host_")
    assert expression == "${replace(" + cluster + '.identity[0].oidc[0].issuer, "https://", "")}'


def _issuer_host(out) -> str:
    [local_name] = out.document["locals"]
    return "${local." + local_name + "}"


def _irsa(stack, **props):
    holder = {}
    oidc = _with_provider(stack)
    holder["role"] = IrsaRole(stack, "app", props=IrsaRoleProps(oidc_provider=oidc, **props))
    return holder


def test_irsa_trust_is_exact_string_equals_on_sub_and_aud(synth_one):
    out = synth_one(lambda s: _irsa(s, service_accounts=[ServiceAccount(namespace="orders", name="api")]))
    provider = "${" + out.address("test/oidc/provider") + ".arn}"
    host = _issuer_host(out)
    assert json.loads(out.resource("test/app/role")["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{host}:aud": "sts.amazonaws.com",
                f"{host}:sub": "system:serviceaccount:orders:api"}},
        }],
    }


def test_irsa_several_subjects_and_a_pinned_namespace_pattern_are_separate_statements(synth_one):
    out = synth_one(lambda s: _irsa(
        s, service_accounts=[ServiceAccount(namespace="a", name="x"), ServiceAccount(namespace="b", name="y")],
        service_account_patterns=[ServiceAccountPattern(namespace="ci", name="runner-*")]))
    host = _issuer_host(out)
    statements = json.loads(out.resource("test/app/role")["assume_role_policy"])["Statement"]
    assert [s["Condition"] for s in statements] == [
        {"StringEquals": {f"{host}:aud": "sts.amazonaws.com",
                          f"{host}:sub": ["system:serviceaccount:a:x", "system:serviceaccount:b:y"]}},
        {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"},
         "StringLike": {f"{host}:sub": "system:serviceaccount:ci:runner-*"}},
    ]


def test_irsa_policies_and_service_account_manifest(synth_one):
    holder = {}

    def build(stack):
        holder.update(_irsa(stack, service_accounts=[ServiceAccount(namespace="orders", name="api")],
                            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                            inline_policies={"read": READ_POLICY},
                            annotate_audience=True, token_expiration_seconds=3600))

    out = synth_one(build)
    assert out.resource("test/app/policy-AmazonS3ReadOnlyAccess")["policy_arn"] == \
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    assert out.resource("test/app/inline-read")["policy"] == READ_POLICY
    [manifest] = holder["role"].service_account_manifests()
    annotations = manifest["metadata"].pop("annotations")
    assert manifest == {"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": "api", "namespace": "orders"}}
    assert set(annotations) == {"eks.amazonaws.com/role-arn", "eks.amazonaws.com/audience",
                                "eks.amazonaws.com/sts-regional-endpoints",
                                "eks.amazonaws.com/token-expiration"}
    assert (annotations["eks.amazonaws.com/audience"], annotations["eks.amazonaws.com/sts-regional-endpoints"],
            annotations["eks.amazonaws.com/token-expiration"]) == ("sts.amazonaws.com", "true", "3600")


@pytest.mark.parametrize(("props", "field", "value", "allowed"), [
    ({}, "service_accounts", [], irsa_module.ALLOWED_SUBJECTS),
    ({"service_accounts": [ServiceAccount(namespace="Orders", name="api")]},
     "service_accounts.namespace", "Orders", "a DNS-1123 label"),
    ({"service_accounts": [ServiceAccount(namespace="o" * 64, name="api")]},
     "service_accounts.namespace", "o" * 64, "a DNS-1123 label"),
    ({"service_accounts": [ServiceAccount(namespace="orders", name="*")]},
     "service_accounts.name", "*", "a DNS-1123 subdomain"),
    ({"service_accounts": [ServiceAccount(namespace="orders", name="")]},
     "service_accounts.name", "", "a DNS-1123 subdomain"),
    ({"service_account_patterns": [ServiceAccountPattern(namespace="*", name="x")]},
     "service_account_patterns.namespace", "*", "a DNS-1123 label"),
    ({"service_account_patterns": [ServiceAccountPattern(namespace="ci", name="Runner*")]},
     "service_account_patterns.name", "Runner*", irsa_module.ALLOWED_SERVICE_ACCOUNT_PATTERN),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "managed_policy_arns": ["arn:aws:s3:::x"]},
     "managed_policy_arns", "arn:aws:s3:::x", "an IAM policy ARN"),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "max_session_duration_seconds": 60},
     "max_session_duration_seconds", 60, "an integer from 3600 to 43200"),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "token_expiration_seconds": 100000},
     "token_expiration_seconds", 100000, "an integer from 3600 to 86400"),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "role_name": "x" * 65},
     "role_name", "x" * 65, "1-64 letters"),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "inline_policies": {"": {}}},
     "inline_policies", "", "1-128 letters"),
    ({"service_accounts": [ServiceAccount(namespace="a", name="b")], "permissions_boundary_arn": "x"},
     "permissions_boundary_arn", "x", "an ARN"),
])
def test_bad_irsa_props(stack, props, field, value, allowed):
    with pytest.raises(ValidationError) as caught:
        _irsa(stack, **props)
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/app", field, value)
    assert allowed in caught.value.allowed


@pytest.mark.parametrize(("props", "field", "value"), [
    ({"client_ids": []}, "client_ids", []),
    ({"thumbprints": ["abc"]}, "thumbprints", "abc"),
])
def test_bad_oidc_provider_props(stack, props, field, value):
    with pytest.raises(ValidationError) as caught:
        ClusterOidcProvider(stack, "oidc", props=ClusterOidcProviderProps(issuer_url="https://x", **props))
    assert (caught.value.path, caught.value.field, caught.value.value) == ("test/oidc", field, value)
