"""EksCluster: exact synthesized facts and every validation branch."""

from __future__ import annotations

import json

import pytest

from eksguard import EksCluster, EksClusterProps, ValidationError
from eksguard.constructs import cluster as cluster_module

PARTITION = "${data.aws_partition.eksguard-partition.partition}"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]


def _cluster(**overrides):
    return lambda stack: EksCluster(stack, "eks", props=EksClusterProps(
        **{"name": "prod", "subnet_ids": SUBNETS, **overrides}))


def test_default_cluster_role_trusts_eks_and_has_only_the_cluster_policy(synth_one):
    # GIVEN a cluster with default props / WHEN synthesized
    out = synth_one(_cluster())
    # THEN the role trusts eks.amazonaws.com only
    role = out.resource("test/eks/role")
    assert json.loads(role["assume_role_policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                       "Action": ["sts:AssumeRole", "sts:TagSession"]}],
    }
    assert role["name_prefix"] == "eks-"
    attachment = out.resource("test/eks/policy-AmazonEKSClusterPolicy")
    assert attachment == {
        "policy_arn": f"arn:{PARTITION}:iam::aws:policy/AmazonEKSClusterPolicy",
        "role": "${" + out.address("test/eks/role") + ".name}",
    }
    assert json.loads(out.resource("test/eks/inline-secrets-encryption")["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                       "Resource": "${" + out.address("test/eks/secrets-key") + ".arn}"}],
    }


def test_default_cluster_is_private_encrypted_logged_and_uses_access_entries(synth_one):
    out = synth_one(_cluster())
    cluster = out.resource("test/eks/cluster")
    key = out.address("test/eks/secrets-key")
    assert cluster["name"] == "prod"
    assert cluster["version"] == "1.35"
    assert cluster["role_arn"] == "${" + out.address("test/eks/role") + ".arn}"
    assert cluster["vpc_config"] == {
        "subnet_ids": SUBNETS, "endpoint_private_access": True, "endpoint_public_access": False}
    assert cluster["encryption_config"] == {"provider": {"key_arn": "${" + key + ".arn}"},
                                            "resources": ["secrets"]}
    assert cluster["enabled_cluster_log_types"] == ["api", "audit", "authenticator"]
    assert cluster["access_config"] == {"authentication_mode": "API",
                                        "bootstrap_cluster_creator_admin_permissions": False}
    assert cluster["depends_on"] == [
        out.address("test/eks/policy-AmazonEKSClusterPolicy"),
        out.address("test/eks/inline-secrets-encryption"),
        out.address("test/eks/control-plane-logs"),
    ]
    assert out.resource("test/eks/secrets-key")["enable_key_rotation"] is True
    log_group = out.resource("test/eks/control-plane-logs")
    assert (log_group["name"], log_group["retention_in_days"], log_group["kms_key_id"]) == (
        "/aws/eks/prod/cluster", 365, "${" + key + ".arn}")


def test_secrets_key_policy_lets_cloudwatch_logs_use_it_for_this_log_group_only(synth_one):
    out = synth_one(_cluster())
    account = "${data.aws_caller_identity.eksguard-account.account_id}"
    region = "${data.aws_region.eksguard-region.name}"
    assert json.loads(out.resource("test/eks/secrets-key")["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AccountAdministersKey", "Effect": "Allow",
             "Principal": {"AWS": f"arn:{PARTITION}:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "CloudWatchLogsEncryptsOneLogGroup", "Effect": "Allow",
             "Principal": {"Service": f"logs.{region}.amazonaws.com"},
             "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
             "Resource": "*",
             "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                                         f"arn:{PARTITION}:logs:{region}:{account}:log-group:/aws/eks/prod/cluster"}}},
        ],
    }


def test_bring_your_own_role_and_key_creates_neither(synth_one):
    role_arn = "arn:aws:iam::111122223333:role/eks"
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/abc"
    out = synth_one(_cluster(role_arn=role_arn, kms_key_arn=key_arn))
    cluster = out.resource("test/eks/cluster")
    assert out.addresses == sorted([out.address("test/eks/cluster"),
                                    out.address("test/eks/control-plane-logs")])
    assert cluster["role_arn"] == role_arn
    assert cluster["encryption_config"]["provider"] == {"key_arn": key_arn}
    assert cluster["depends_on"] == [out.address("test/eks/control-plane-logs")]
    assert "kms_key_id" not in out.resource("test/eks/control-plane-logs")


def test_public_endpoint_takes_explicit_cidrs(synth_one):
    out = synth_one(_cluster(public_access_cidrs=["203.0.113.0/24"]))
    assert out.resource("test/eks/cluster")["vpc_config"] == {
        "subnet_ids": SUBNETS, "endpoint_private_access": True, "endpoint_public_access": True,
        "public_access_cidrs": ["203.0.113.0/24"]}


def test_internet_endpoint_needs_the_named_opt_in(synth_one):
    out = synth_one(_cluster(public_access_cidrs=["0.0.0.0/0"],
                             allow_public_endpoint_from_internet="CI runners without VPN; reviewed by SecOps"))
    assert out.resource("test/eks/cluster")["vpc_config"]["public_access_cidrs"] == ["0.0.0.0/0"]


@pytest.mark.parametrize(("overrides", "field", "value", "allowed"), [
    ({"name": "-prod"}, "name", "-prod", cluster_module.ALLOWED_CLUSTER_NAME),
    ({"name": "x" * 101}, "name", "x" * 101, cluster_module.ALLOWED_CLUSTER_NAME),
    ({"name": ""}, "name", "", cluster_module.ALLOWED_CLUSTER_NAME),
    ({"kubernetes_version": "1.35.2"}, "kubernetes_version", "1.35.2",
     cluster_module.ALLOWED_KUBERNETES_VERSION),
    ({"subnet_ids": ["subnet-a"]}, "subnet_ids", ["subnet-a"], cluster_module.ALLOWED_SUBNETS),
    ({"role_arn": "eks-role"}, "role_arn", "eks-role", "an ARN such as"),
    ({"kms_key_arn": "alias/eks"}, "kms_key_arn", "alias/eks", "an ARN such as"),
    ({"log_kms_key_arn": "logs-key"}, "log_kms_key_arn", "logs-key", "an ARN such as"),
    ({"public_access_cidrs": ["10.0.0.300/24"]}, "public_access_cidrs", "10.0.0.300/24",
     "an IPv4 CIDR block"),
    ({"public_access_cidrs": ["10.0.0.1/24"]}, "public_access_cidrs", "10.0.0.1/24",
     "an IPv4 CIDR block"),
    ({"public_access_cidrs": ["0.0.0.0/0"]}, "public_access_cidrs", ["0.0.0.0/0"],
     cluster_module.ALLOWED_INTERNET_ENDPOINT),
    ({"endpoint_private_access": False}, "endpoint_private_access", False,
     cluster_module.ALLOWED_NO_ENDPOINT),
    ({"enabled_log_types": ["api", "kubelet"]}, "enabled_log_types", "kubelet", "one of 'api'"),
    ({"log_retention_days": 10}, "log_retention_days", 10, "one of 1, 3, 5"),
    ({"authentication_mode": "IAM"}, "authentication_mode", "IAM", "one of 'API'"),
    ({"support_type": "FREE"}, "support_type", "FREE", "one of 'STANDARD', 'EXTENDED'"),
])
def test_bad_cluster_props_name_path_field_value_and_allowed(stack, overrides, field, value, allowed):
    # GIVEN bad input / WHEN the construct is built / THEN a ValidationError says it all
    with pytest.raises(ValidationError) as caught:
        _cluster(**overrides)(stack)
    error = caught.value
    assert (error.path, error.field, error.value) == ("test/eks", field, value)
    assert allowed in error.allowed
    assert str(error) == f"test/eks: field '{field}' got {value!r}: {error.allowed}"
