"""Where a construct is placed is checked before jsii sees it: no jsii "There is already a
Construct with name ...", no SerializationError, no bare AttributeError or TypeError."""

from __future__ import annotations

import pytest

from eksguard import (
    AccessEntryOptions,
    EksCluster,
    EksClusterProps,
    PodIdentityRoleOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    ValidationError,
)
from eksguard._framework import App
from eksguard._scope import ALLOWED_ID, ALLOWED_SCOPE
from eksguard.constructs.addon_permissions import aws_load_balancer_controller, cluster_autoscaler

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"]


def _cluster(scope, id="eks"):
    return EksCluster(scope, id, props=EksClusterProps(name="prod", subnet_ids=SUBNETS))


def _error(caught):
    e = caught.value
    return (e.path, e.field, e.value, e.allowed)


@pytest.mark.parametrize(("scope", "shown"), [("stack", "stack"), (None, None), (42, 42), ({"a": 1}, "dict")])
def test_a_scope_that_is_not_a_construct_is_refused(scope, shown):
    with pytest.raises(ValidationError) as caught:
        _cluster(scope)
    assert _error(caught) == ("eks", "scope", shown, ALLOWED_SCOPE)


def test_a_scope_outside_any_stack_is_refused(tmp_path):
    app = App(outdir=str(tmp_path))
    with pytest.raises(ValidationError) as caught:
        _cluster(app)
    assert _error(caught)[1:] == ("scope", "(app)", ALLOWED_SCOPE)


@pytest.mark.parametrize("id", ["", "a/b", None])
def test_an_empty_or_nested_id_is_refused(stack, id):
    with pytest.raises(ValidationError) as caught:
        _cluster(stack, id)
    assert _error(caught) == ("test", "id", id, ALLOWED_ID)


def test_an_id_a_sibling_has_is_refused_naming_the_scope(stack):
    _cluster(stack)
    with pytest.raises(ValidationError) as caught:
        _cluster(stack)
    assert _error(caught) == ("test", "id", "eks", "an id no other construct directly under test has")


def test_one_key_in_two_keyed_props_of_a_secure_cluster_is_refused_naming_both(stack):
    with pytest.raises(ValidationError) as caught:
        SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS),
            pod_identity_roles={"shop": PodIdentityRoleOptions(
                service_accounts=[ServiceAccount(namespace="shop", name="api")])},
            access_entries={"shop": AccessEntryOptions(principal_arn="arn:aws:iam::111122223333:role/shop")}))
    assert _error(caught) == ("test/eks", "access_entries", "shop",
                              "a key pod_identity_roles does not use: each key is a construct id under test/eks")


@pytest.mark.parametrize(("helper", "name"), [(cluster_autoscaler, "cluster_autoscaler"),
                                              (aws_load_balancer_controller, "aws_load_balancer_controller")])
def test_an_addon_helpers_scope_must_be_a_construct_in_a_stack(helper, name):
    with pytest.raises(ValidationError) as caught:
        helper(cluster_name="prod", scope="eu-west-1")
    assert _error(caught) == (name, "scope", "eu-west-1", ALLOWED_SCOPE)


@pytest.mark.parametrize(("call", "where", "field", "value"), [
    (lambda: cluster_autoscaler(cluster_name="prod cluster"), "cluster_autoscaler", "cluster_name", "prod cluster"),
    (lambda: aws_load_balancer_controller(cluster_name=""), "aws_load_balancer_controller", "cluster_name", ""),
    (lambda: aws_load_balancer_controller(cluster_name="prod", vpc_id="prod-vpc"), "aws_load_balancer_controller",
     "vpc_id", "prod-vpc"),
])
def test_the_addon_helpers_check_cluster_names_and_vpc_ids_as_the_constructs_do(call, where, field, value):
    from eksguard import _validation as v

    with pytest.raises(ValidationError) as caught:
        call()
    allowed = v.ALLOWED_VPC_ID if field == "vpc_id" else v.ALLOWED_CLUSTER_NAME
    assert _error(caught) == (where, field, value, allowed)


@pytest.mark.parametrize("value", ["", "prod cluster", None, "arn:aws:eks:us-east-1:111122223333:cluster/prod"])
@pytest.mark.parametrize("build", ["access_entry", "pod_identity_role", "node_group"])
def test_every_construct_that_takes_a_cluster_name_checks_it_the_same_way(stack, build, value):
    from eksguard import (
        AccessEntry,
        AccessEntryProps,
        ManagedNodeGroup,
        ManagedNodeGroupProps,
        PodIdentityRole,
        PodIdentityRoleProps,
    )
    from eksguard import _validation as v

    builders = {
        "access_entry": lambda: AccessEntry(stack, "x", props=AccessEntryProps(
            cluster_name=value, principal_arn="arn:aws:iam::111122223333:role/x")),
        "pod_identity_role": lambda: PodIdentityRole(stack, "x", props=PodIdentityRoleProps(
            cluster_name=value, service_accounts=[ServiceAccount(namespace="shop", name="api")])),
        "node_group": lambda: ManagedNodeGroup(stack, "x", props=ManagedNodeGroupProps(
            cluster_name=value, subnet_ids=SUBNETS)),
    }
    with pytest.raises(ValidationError) as caught:
        builders[build]()
    # (None is refused by the props' type check first, the same way for all three)
    assert _error(caught) == ("test/x", "cluster_name", value, "a string" if value is None else v.ALLOWED_CLUSTER_NAME)
