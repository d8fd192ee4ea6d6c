"""The attributes a stack needs for its outputs are typed, documented, read-only properties."""

from __future__ import annotations

import inspect
import re

import pytest
from constructs import Construct

import eksguard
from eksguard import (
    AccessEntryOptions,
    AccessPolicy,
    AccessPolicyGrant,
    EksClusterProps,
    IrsaRole,
    IrsaRoleOptions,
    ManagedNodeGroupOptions,
    PodIdentityRoleOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
)
from eksguard._framework import TerraformOutput

CONSTRUCTS = sorted({value for name in eksguard.__all__ if isinstance(value := getattr(eksguard, name), type)
                     and issubclass(value, Construct)}, key=lambda c: c.__name__)


def _public_properties(cls: type) -> dict[str, property]:
    """The public properties eksguard defines on the class or its eksguard bases."""
    found: dict[str, property] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("eksguard."):
            found.update({name: value for name, value in vars(klass).items()
                          if isinstance(value, property) and not name.startswith("_")})
    return found


def _properties_line(cls: type) -> set[str]:
    """The names quoted in the class docstring's "Properties:" paragraph."""
    doc = inspect.getdoc(cls) or ""
    match = re.search(r"^Properties:(.*?)(?:\n\n|\Z)", doc, re.S | re.M)
    return set(re.findall(r"``(\w+)``", match.group(1))) if match else set()


def test_the_walk_finds_the_constructs():
    assert {c.__name__ for c in CONSTRUCTS} >= {
        "AccessEntry", "ClusterNetwork", "ClusterOidcProvider", "EksCluster", "Imdsv2LaunchTemplate",
        "IrsaRole", "ManagedNodeGroup", "NodeRole", "PodIdentityRole", "RegistryPullSecret",
        "SecureEksCluster", "WorkloadIdentity"}


@pytest.mark.parametrize("cls", CONSTRUCTS, ids=lambda c: c.__name__)
def test_every_public_property_has_a_docstring_and_a_return_type(cls):
    properties = _public_properties(cls)
    assert properties, f"{cls.__name__} has no public property"
    undocumented = [name for name, p in properties.items() if not (p.fget.__doc__ or "").strip()]
    untyped = [name for name, p in properties.items()
               if inspect.signature(p.fget).return_annotation is inspect.Signature.empty]
    assert (undocumented, untyped) == ([], [])


@pytest.mark.parametrize("cls", CONSTRUCTS, ids=lambda c: c.__name__)
def test_the_class_docstring_lists_every_public_property(cls):
    assert set(_public_properties(cls)) <= _properties_line(cls), (
        f"{cls.__name__}: add the missing names to the 'Properties:' line of its docstring")


def _module(stack) -> SecureEksCluster:
    return SecureEksCluster(stack, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0b1b2c3d4e5f60718"]),
        node_groups={"general": ManagedNodeGroupOptions()},
        irsa_roles={"app": IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="shop", name="api")])},
        pod_identity_roles={"cart": PodIdentityRoleOptions(
            service_accounts=[ServiceAccount(namespace="shop", name="cart")])},
        access_entries={"admins": AccessEntryOptions(
            principal_arn="arn:aws:iam::111122223333:role/admins",
            grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)])},
    ))


def test_a_stacks_outputs_reference_the_resources_the_properties_name(synth_one):
    # GIVEN a module and outputs built from its properties
    outputs = {
        "cluster_name": lambda eks: eks.cluster_name,
        "cluster_arn": lambda eks: eks.cluster.cluster_arn,
        "cluster_security_group_id": lambda eks: eks.cluster.cluster_security_group_id,
        "kms_key_arn": lambda eks: eks.cluster.kms_key_arn,
        "oidc_provider_arn": lambda eks: eks.oidc_provider_arn,
        "app_role_arn": lambda eks: eks.irsa_roles["app"].role_arn,
        "cart_role_name": lambda eks: eks.pod_identity_roles["cart"].role_name,
        "cart_association": lambda eks: eks.pod_identity_roles["cart"].associations[0].association_arn,
        "node_role_arn": lambda eks: eks.node_groups["general"].node_role.role_arn,
        "launch_template_id": lambda eks: eks.node_groups["general"].launch_template.launch_template_id,
        "coredns_version": lambda eks: eks.addons["coredns"].addon_version,
        "admins_entry_arn": lambda eks: eks.access_entries["admins"].access_entry_arn,
        "cni_role_arn": lambda eks: eks.addon_identities["vpc-cni"].irsa_role.role_arn,
    }

    def build(stack):
        eks = _module(stack)
        for name, value in outputs.items():
            TerraformOutput(stack, name, value=value(eks))

    # WHEN it is synthesized
    out = synth_one(build)

    # THEN each output is a reference to the resource attribute its property names
    def ref(path: str, attribute: str) -> str:
        return "${" + out.address(f"test/eks/{path}") + "." + attribute + "}"

    assert {name: body["value"] for name, body in out.document["output"].items()} == {
        "cluster_name": ref("cluster/cluster", "name"),
        "cluster_arn": ref("cluster/cluster", "arn"),
        "cluster_security_group_id": ref("cluster/cluster", "vpc_config[0].cluster_security_group_id"),
        "kms_key_arn": ref("cluster/secrets-key", "arn"),
        "oidc_provider_arn": ref("oidc-provider/provider", "arn"),
        "app_role_arn": ref("app/role", "arn"),
        "cart_role_name": ref("cart/role", "name"),
        "cart_association": ref("cart/association-shop-cart", "association_arn"),
        "node_role_arn": ref("general-node-role/role", "arn"),
        "launch_template_id": ref("general/launch-template/launch-template", "id"),
        "coredns_version": ref("coredns", "addon_version"),
        "admins_entry_arn": ref("admins/entry", "access_entry_arn"),
        "cni_role_arn": ref("vpc-cni/irsa/role", "arn"),
    }


def test_the_modules_collections_and_members_are_read_only(stack):
    # GIVEN a module
    eks = _module(stack)

    # THEN its collections are views keyed by construct id that cannot be changed from outside
    assert isinstance(eks.irsa_roles["app"], IrsaRole)
    assert sorted(eks.addons) == ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
    with pytest.raises(TypeError):
        eks.irsa_roles["other"] = eks.irsa_roles["app"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        eks.cluster = None  # type: ignore[misc]

    # WHEN a role is added later THEN the view shows it
    eks.add_irsa_role("later", IrsaRoleOptions(service_accounts=[ServiceAccount(namespace="shop", name="later")]))
    assert sorted(eks.irsa_roles) == ["app", "later"]
