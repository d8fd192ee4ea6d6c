"""The whole-document assertions on what eksguard creates: each passes on the exact
document and fails, with a diff, on any difference."""

from __future__ import annotations

import pytest

from eksguard.testing import (
    AccessEntrySnapshot,
    AddonSnapshot,
    PodIdentityAssociationSnapshot,
    RoleSnapshot,
    assert_access_entry,
    assert_addon,
    assert_pod_identity_associations,
    assert_role_trusts_pod_identity,
)

CLUSTER = "arn:aws:eks:eu-west-1:111122223333:cluster/prod"
ROLE = "arn:aws:iam::111122223333:role/cart"


def _role(statements):
    return RoleSnapshot(name="cart", arn=ROLE, trust_policy={"Version": "2012-10-17", "Statement": statements},
                        attached_policy_arns=frozenset(), inline_policies={}, max_session_duration=3600, tags={})


def _pinned(namespace, name):
    return {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {
                "aws:RequestTag/eks-cluster-arn": CLUSTER, "aws:RequestTag/kubernetes-namespace": namespace,
                "aws:RequestTag/kubernetes-service-account": name}}}


def test_pod_identity_trust_as_eksguard_writes_it_and_as_the_user_guide_does():
    assert_role_trusts_pod_identity(_role([_pinned("shop", "cart"), _pinned("shop", "cart-worker")]),
                                    cluster_arn=CLUSTER, service_accounts=[("shop", "cart"), ("shop", "cart-worker")])
    plain = {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
             "Action": ["sts:AssumeRole", "sts:TagSession"]}
    assert_role_trusts_pod_identity(_role([plain]))
    # a trust pinned to another namespace, or one without its session-tag pins, fails with a diff
    with pytest.raises(AssertionError, match="kubernetes-namespace"):
        assert_role_trusts_pod_identity(_role([_pinned("orders", "cart")]), cluster_arn=CLUSTER,
                                        service_accounts=[("shop", "cart")])
    with pytest.raises(AssertionError, match="Condition"):
        assert_role_trusts_pod_identity(_role([plain]), cluster_arn=CLUSTER, service_accounts=[("shop", "cart")])
    with pytest.raises(ValueError):
        assert_role_trusts_pod_identity(_role([plain]), cluster_arn=CLUSTER)


def test_an_access_entry_is_compared_whole():
    entry = AccessEntrySnapshot(principal_arn=ROLE, type="STANDARD", kubernetes_groups=("viewers",),
                                username="cart", policies=frozenset({
                                    ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", "namespace",
                                     ("shop", "orders")),
                                    ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy", "cluster",
                                     ())}))
    expected = {"arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy": ["orders", "shop"],
                "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy": None}
    assert_access_entry(entry, kubernetes_groups=["viewers"], username="cart", policies=expected)
    with pytest.raises(AssertionError, match="AmazonEKSViewPolicy"):
        assert_access_entry(entry, kubernetes_groups=["viewers"], policies={
            **expected, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy": ["shop"]})
    with pytest.raises(AssertionError, match="EC2_LINUX"):
        assert_access_entry(entry, type="EC2_LINUX", kubernetes_groups=["viewers"])


def test_pod_identity_associations_are_all_of_them():
    found = {PodIdentityAssociationSnapshot("shop", "cart", ROLE)}
    assert_pod_identity_associations(found, {("shop", "cart"): ROLE})
    with pytest.raises(AssertionError, match="orders/api"):
        assert_pod_identity_associations(found, {("shop", "cart"): ROLE, ("orders", "api"): ROLE})


def test_an_addon_is_compared_whole_with_its_configuration_as_json():
    addon = AddonSnapshot(name="coredns", version="v1.12.4-eksbuild.1", status="ACTIVE",
                          service_account_role_arn=None, configuration_values='{"replicaCount": 3}')
    assert_addon(addon, version="v1.12.4-eksbuild.1", configuration={"replicaCount": 3})
    with pytest.raises(AssertionError, match="replicaCount"):
        assert_addon(addon, version="v1.12.4-eksbuild.1", configuration={"replicaCount": 2})
    with pytest.raises(AssertionError, match="service_account_role_arn"):
        assert_addon(addon, version="v1.12.4-eksbuild.1", service_account_role_arn=ROLE,
                     configuration={"replicaCount": 3})
