"""The input layer every prop goes through: shapes, AWS identifiers, policy documents, one
access entry per principal. Each bad input names the construct path, the field, the value
as the caller gave it and what is allowed, and nothing is synthesized."""

from __future__ import annotations

import dataclasses
import json

import pytest

import eksguard
from eksguard import (
    AccessEntry,
    AccessEntryOptions,
    AccessEntryProps,
    AccessPolicy,
    AccessPolicyGrant,
    AddonIdentityOptions,
    ClusterNetwork,
    ClusterNetworkProps,
    ClusterOidcProvider,
    ClusterOidcProviderProps,
    EksCluster,
    EksClusterProps,
    Imdsv2LaunchTemplate,
    Imdsv2LaunchTemplateProps,
    IrsaRole,
    IrsaRoleProps,
    ManagedNodeGroup,
    ManagedNodeGroupOptions,
    ManagedNodeGroupProps,
    NodeRole,
    NodeRoleProps,
    PodIdentityRole,
    PodIdentityRoleProps,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    ValidationError,
    WorkloadIdentity,
    WorkloadIdentityProps,
    ecr_pull_policy,
    external_dns,
)
from eksguard import _validation as v
from eksguard._framework import aws
from eksguard.modules import secure_cluster as secure_module

SUBNET_A = "subnet-0a1b2c3d4e5f60718"
SUBNET_B = "subnet-0b1c2d3e4f5a60719"
SUBNETS = [SUBNET_A, SUBNET_B]
ROLE = "arn:aws:iam::111122223333:role/viewers"
SSM = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GOOD_POLICY = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
SA = ServiceAccount(namespace="shop", name="cart")


def _not_a_string(value):
    return v.ALLOWED_LIST_NOT_STRING.format(value=value)


def _unique(repeated):
    return v.ALLOWED_UNIQUE.format(repeated=repeated)


def _cluster(**overrides):
    return lambda s: EksCluster(s, "eks", props=EksClusterProps(
        **{"name": "prod", "subnet_ids": SUBNETS, **overrides}))


def _group(**overrides):
    return lambda s: ManagedNodeGroup(s, "ng", props=ManagedNodeGroupProps(
        **{"cluster_name": "prod", "subnet_ids": SUBNETS, **overrides}))


def _node_role(**overrides):
    return lambda s: NodeRole(s, "nodes", props=NodeRoleProps(**overrides))


def _entry(**overrides):
    return lambda s: AccessEntry(s, "viewers", props=AccessEntryProps(
        **{"cluster_name": "prod", "principal_arn": ROLE, **overrides}))


def _secure(**overrides):
    return lambda s: SecureEksCluster(s, "eks", props=SecureEksClusterProps(
        cluster=EksClusterProps(name="prod", subnet_ids=SUBNETS), **overrides))


def _irsa(**overrides):
    def build(s):
        oidc = ClusterOidcProvider(s, "oidc", props=ClusterOidcProviderProps(
            issuer_url="https://oidc.eks.us-east-1.amazonaws.com/id/ABC"))
        IrsaRole(s, "app", props=IrsaRoleProps(**{"oidc_provider": oidc, "service_accounts": [SA],
                                                 **overrides}))
    return build


def _pod_role(**overrides):
    return lambda s: PodIdentityRole(s, "cart", props=PodIdentityRoleProps(
        **{"cluster_name": "prod", "service_accounts": [SA], **overrides}))


def _raw_launch_template(stack):
    raw = aws.launch_template.LaunchTemplate(stack, "raw")
    _group(launch_template=raw)(stack)


def _entry_twice(first, second):
    def build(s):
        eks = _secure()(s)
        eks.add_access_entry("viewers", AccessEntryOptions(principal_arn=first))
        eks.add_access_entry("viewers-again", AccessEntryOptions(principal_arn=second))
    return build


NOT_JSON = "Allow s3:GetObject on everything"
UNVERSIONED = {"Statement": GOOD_POLICY["Statement"]}
NO_STATEMENTS = {"Version": "2012-10-17", "Statement": []}
LOWERCASE_EFFECT = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "s3:*"}]}
NO_ACTION = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}

# (build, path, field, value as given, allowed)
BAD_INPUTS = [
    # The examples, verbatim.
    pytest.param(_secure(node_groups={"general": ManagedNodeGroupOptions(subnet_ids=SUBNET_A)}),
                 "test/eks", "node_groups['general'].subnet_ids", SUBNET_A, _not_a_string(SUBNET_A),
                 id="issue: ManagedNodeGroupOptions(subnet_ids='subnet-…')"),
    pytest.param(_cluster(subnet_ids=SUBNET_A), "test/eks", "subnet_ids", SUBNET_A,
                 _not_a_string(SUBNET_A), id="issue: EksClusterProps(subnet_ids='subnet-…')"),
    pytest.param(_entry(grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace",
                                                  namespaces="payments")]),
                 "test/viewers", "grants[0].namespaces", "payments", _not_a_string("payments"),
                 id="issue: AccessPolicyGrant(namespaces='payments')"),
    pytest.param(_group(instance_types="m6i.large"), "test/ng", "instance_types", "m6i.large",
                 _not_a_string("m6i.large"), id="issue: instance_types='m6i.large' quoted whole"),
    pytest.param(_node_role(managed_policy_arns=SSM), "test/nodes", "managed_policy_arns", SSM,
                 _not_a_string(SSM), id="issue: managed_policy_arns=<one ARN> quoted whole"),
    pytest.param(_node_role(inline_policies={"read": NOT_JSON}), "test/nodes", "inline_policies['read']",
                 NOT_JSON, v.ALLOWED_POLICY_JSON, id="issue: inline policy that is not JSON"),
    pytest.param(_entry_twice(ROLE, ROLE), "test/eks/viewers-again", "principal_arn", ROLE,
                 secure_module.ALLOWED_UNIQUE_PRINCIPAL.format(other="test/eks/viewers"),
                 id="issue: one principal in two access entries"),
    pytest.param(_secure(node_groups={"a": {"min_size": 1}}), "test/eks", "node_groups['a']",
                 {"min_size": 1}, "a ManagedNodeGroupOptions", id="issue: dict where options belong"),
    # Strings where a list belongs, in every construct family.
    pytest.param(_group(subnet_ids=SUBNET_A), "test/ng", "subnet_ids", SUBNET_A,
                 _not_a_string(SUBNET_A), id="ManagedNodeGroupProps.subnet_ids string"),
    pytest.param(_cluster(security_group_ids="sg-0a1b2c3d"), "test/eks", "security_group_ids",
                 "sg-0a1b2c3d", _not_a_string("sg-0a1b2c3d"), id="security_group_ids string"),
    pytest.param(_cluster(public_access_cidrs="203.0.113.0/24"), "test/eks", "public_access_cidrs",
                 "203.0.113.0/24", _not_a_string("203.0.113.0/24"), id="public_access_cidrs string"),
    pytest.param(_cluster(subnet_ids=SUBNET_A.encode()), "test/eks", "subnet_ids", SUBNET_A.encode(),
                 _not_a_string(SUBNET_A.encode()), id="subnet_ids bytes"),
    pytest.param(_cluster(subnet_ids=set(SUBNETS)), "test/eks", "subnet_ids", set(SUBNETS),
                 v.ALLOWED_LIST, id="subnet_ids set (unordered)"),
    pytest.param(_entry(kubernetes_groups="viewers"), "test/viewers", "kubernetes_groups", "viewers",
                 _not_a_string("viewers"), id="kubernetes_groups string"),
    pytest.param(_irsa(service_accounts=SA), "test/app", "service_accounts", SA, v.ALLOWED_LIST,
                 id="service_accounts one object"),
    pytest.param(lambda s: ClusterOidcProvider(s, "oidc", props=ClusterOidcProviderProps(
        issuer_url="https://oidc.example", client_ids="sts.amazonaws.com")),
                 "test/oidc", "client_ids", "sts.amazonaws.com", _not_a_string("sts.amazonaws.com"),
                 id="client_ids string"),
    pytest.param(lambda s: ClusterNetwork(s, "network", props=ClusterNetworkProps(
        cluster_name="prod", interface_endpoints="ssm")),
                 "test/network", "interface_endpoints", "ssm", _not_a_string("ssm"),
                 id="interface_endpoints string"),
    pytest.param(lambda s: WorkloadIdentity(s, "cart", props=WorkloadIdentityProps(
        service_account=SA, mode="pod_identity", cluster_name="prod", image_pull_secrets="regcred")),
                 "test/cart", "image_pull_secrets", "regcred", _not_a_string("regcred"),
                 id="image_pull_secrets string"),
    pytest.param(lambda s: external_dns(hosted_zone_arns="arn:aws:route53:::hostedzone/Z1"),
                 "external_dns", "hosted_zone_arns", "arn:aws:route53:::hostedzone/Z1",
                 _not_a_string("arn:aws:route53:::hostedzone/Z1"), id="hosted_zone_arns string"),
    pytest.param(lambda s: ecr_pull_policy("arn:aws:ecr:eu-west-1:111122223333:repository/shop"),
                 "ecr_pull_policy", "repository_arns", "arn:aws:ecr:eu-west-1:111122223333:repository/shop",
                 _not_a_string("arn:aws:ecr:eu-west-1:111122223333:repository/shop"),
                 id="repository_arns string"),
    # Mappings, booleans and strings of the wrong shape.
    pytest.param(_cluster(tags=["team"]), "test/eks", "tags", ["team"], v.ALLOWED_MAPPING,
                 id="tags list"),
    pytest.param(_group(labels="role=web"), "test/ng", "labels", "role=web", v.ALLOWED_MAPPING,
                 id="labels string"),
    pytest.param(_cluster(endpoint_private_access="false"), "test/eks", "endpoint_private_access",
                 "false", v.ALLOWED_BOOL, id="bool given as the string 'false'"),
    pytest.param(_group(cluster_name=["prod"]), "test/ng", "cluster_name", ["prod"], v.ALLOWED_STRING,
                 id="cluster_name list"),
    # Objects where options or constructs belong.
    pytest.param(lambda s: EksCluster(s, "eks", props={"name": "prod", "subnet_ids": SUBNETS}),
                 "test/eks", "props", {"name": "prod", "subnet_ids": SUBNETS}, "an EksClusterProps",
                 id="props dict"),
    pytest.param(lambda s: _secure()(s).add_node_group("spot", {"capacity_type": "SPOT"}),
                 "test/eks/spot", "options", {"capacity_type": "SPOT"}, "a ManagedNodeGroupOptions",
                 id="add_node_group dict"),
    pytest.param(lambda s: _secure()(s).add_access_entry("viewers", {"principal_arn": ROLE}),
                 "test/eks/viewers", "options", {"principal_arn": ROLE}, "an AccessEntryOptions",
                 id="add_access_entry dict"),
    pytest.param(_secure(core_addons={"vpc_cni_identity": "irsa"}), "test/eks", "core_addons",
                 {"vpc_cni_identity": "irsa"}, "a CoreAddonsOptions", id="core_addons dict"),
    pytest.param(_secure(addon_identities={"dns": AddonIdentityOptions(permissions={"addon_name": "x"})}),
                 "test/eks", "addon_identities['dns'].permissions", {"addon_name": "x"},
                 "an AddonPermissions", id="addon permissions dict"),
    pytest.param(_raw_launch_template, "test/ng", "launch_template", None, "an Imdsv2LaunchTemplate",
                 id="raw aws LaunchTemplate"),
    pytest.param(_group(node_role={"role_name": "nodes"}), "test/ng", "node_role", {"role_name": "nodes"},
                 "a NodeRole", id="node_role dict"),
    pytest.param(_irsa(oidc_provider={"provider_arn": "x"}), "test/app", "oidc_provider",
                 {"provider_arn": "x"}, "a ClusterOidcProvider", id="oidc_provider dict"),
    pytest.param(_group(taints=[{"key": "gpu", "effect": "NO_SCHEDULE"}]), "test/ng", "taints[0]",
                 {"key": "gpu", "effect": "NO_SCHEDULE"}, "a Taint", id="taint dict"),
    pytest.param(_entry(grants=[{"policy": "AmazonEKSViewPolicy"}]), "test/viewers", "grants[0]",
                 {"policy": "AmazonEKSViewPolicy"}, "an AccessPolicyGrant", id="grant dict"),
    pytest.param(_pod_role(service_accounts=[{"namespace": "shop", "name": "cart"}]), "test/cart",
                 "service_accounts[0]", {"namespace": "shop", "name": "cart"}, "a ServiceAccount",
                 id="service account dict"),
    pytest.param(lambda s: Imdsv2LaunchTemplate(s, "lt", props={"root_volume_size_gib": 100}),
                 "test/lt", "props", {"root_volume_size_gib": 100}, "an Imdsv2LaunchTemplateProps",
                 id="launch template props dict"),
    # AWS identifier formats and duplicates.
    pytest.param(_cluster(subnet_ids=["subnet-a", "subnet-b"]), "test/eks", "subnet_ids", "subnet-a",
                 v.ALLOWED_SUBNET_ID, id="subnet ID too short"),
    pytest.param(_cluster(subnet_ids=[SUBNET_A, "subnet-0A1B2C3D"]), "test/eks", "subnet_ids",
                 "subnet-0A1B2C3D", v.ALLOWED_SUBNET_ID, id="subnet ID uppercase"),
    pytest.param(_cluster(subnet_ids=[SUBNET_A, "sg-0a1b2c3d"]), "test/eks", "subnet_ids", "sg-0a1b2c3d",
                 v.ALLOWED_SUBNET_ID, id="security group ID among subnets"),
    pytest.param(_cluster(subnet_ids=[SUBNET_A, SUBNET_A]), "test/eks", "subnet_ids",
                 [SUBNET_A, SUBNET_A], _unique(SUBNET_A), id="the same subnet twice passes no more"),
    pytest.param(_group(subnet_ids=(SUBNET_A, SUBNET_B, SUBNET_A)), "test/ng", "subnet_ids",
                 (SUBNET_A, SUBNET_B, SUBNET_A), _unique(SUBNET_A), id="node group subnet twice"),
    pytest.param(_cluster(security_group_ids=["sg-123"]), "test/eks", "security_group_ids", "sg-123",
                 v.ALLOWED_SECURITY_GROUP_ID, id="security group ID too short"),
    pytest.param(_cluster(security_group_ids=["sg-0a1b2c3d", "sg-0a1b2c3d"]), "test/eks",
                 "security_group_ids", ["sg-0a1b2c3d", "sg-0a1b2c3d"], _unique("sg-0a1b2c3d"),
                 id="security group twice"),
    pytest.param(_cluster(role_arn="arn:aws:iam::111122223333:user/bob"), "test/eks", "role_arn",
                 "arn:aws:iam::111122223333:user/bob", v.ALLOWED_ROLE_ARN, id="role_arn of a user"),
    pytest.param(_cluster(role_arn="arn:aws:iam::1111:role/eks"), "test/eks", "role_arn",
                 "arn:aws:iam::1111:role/eks", v.ALLOWED_ROLE_ARN, id="role_arn short account"),
    pytest.param(_cluster(kms_key_arn=KEY.replace("key/", "alias/")), "test/eks", "kms_key_arn",
                 KEY.replace("key/", "alias/"), v.ALLOWED_KMS_KEY_ARN, id="kms_key_arn alias ARN"),
    pytest.param(_cluster(log_kms_key_arn=KEY.replace(":kms:", ":s3:")), "test/eks", "log_kms_key_arn",
                 KEY.replace(":kms:", ":s3:"), v.ALLOWED_KMS_KEY_ARN, id="log key not a KMS ARN"),
    pytest.param(lambda s: Imdsv2LaunchTemplate(s, "lt", props=Imdsv2LaunchTemplateProps(
        root_volume_kms_key_id="ebs-key")), "test/lt", "root_volume_kms_key_id", "ebs-key",
                 v.ALLOWED_KMS_KEY, id="volume key neither ID, alias nor ARN"),
    pytest.param(_node_role(permissions_boundary_arn=ROLE), "test/nodes", "permissions_boundary_arn",
                 ROLE, v.ALLOWED_BOUNDARY_ARN, id="boundary is a role ARN"),
    pytest.param(_node_role(managed_policy_arns=[SSM, SSM]), "test/nodes", "managed_policy_arns",
                 [SSM, SSM], _unique(SSM), id="managed policy twice"),
    pytest.param(_group(instance_types=("m6i.large", "m6i.xlarge", "m6i.large")), "test/ng", "instance_types",
                 ["m6i.large", "m6i.xlarge", "m6i.large"], _unique("m6i.large"), id="instance type twice"),
    pytest.param(_group(taints=[eksguard.Taint(key="gpu", value="a", effect="NO_SCHEDULE"),
                                eksguard.Taint(key="gpu", value="b", effect="NO_SCHEDULE")]),
                 "test/ng", "taints (key, effect)", [("gpu", "NO_SCHEDULE"), ("gpu", "NO_SCHEDULE")],
                 _unique(("gpu", "NO_SCHEDULE")), id="taint of one key and effect twice"),
    # EKS's own rules, from the one source the emulator enforces too (eksguard.eks_api_rules)
    pytest.param(_entry(kubernetes_groups=["system:masters"]), "test/viewers", "kubernetes_groups",
                 ["system:masters"], "what EKS accepts: The kubernetes group name system:masters is invalid, it "
                 "cannot start with system: (EKS User Guide, 'Create access entries')", id="system: group"),
    pytest.param(_entry(type="EC2_LINUX", kubernetes_groups=["nodes"]), "test/viewers", "kubernetes_groups",
                 ["nodes"], "what EKS accepts: kubernetesGroups cannot be specified for access entries of type "
                 "EC2_LINUX. (EKS User Guide, 'Create access entries')", id="groups on a node entry"),
    pytest.param(_entry(kubernetes_groups=["shop-readers", "shop-readers"]), "test/viewers", "kubernetes_groups",
                 ["shop-readers", "shop-readers"], _unique("shop-readers"), id="group twice"),
    pytest.param(_entry(grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace",
                                                  namespaces=("shop", "shop"))]),
                 "test/viewers", "grants.namespaces", ["shop", "shop"], _unique("shop"), id="namespace twice"),
    pytest.param(_secure(access_entries={"admins": AccessEntryOptions(principal_arn=ROLE),
                                         "viewers": AccessEntryOptions(principal_arn=ROLE)}),
                 "test/eks/viewers", "principal_arn", ROLE,
                 secure_module.ALLOWED_UNIQUE_PRINCIPAL.format(other="test/eks/admins"),
                 id="one principal twice in the props"),
    # Inline policy documents, in every construct that takes them.
    pytest.param(_node_role(inline_policies={"read": "[]"}), "test/nodes", "inline_policies['read']",
                 "[]", v.ALLOWED_POLICY_JSON, id="policy JSON that is not an object"),
    pytest.param(_node_role(inline_policies={"read": ["s3:GetObject"]}), "test/nodes",
                 "inline_policies['read']", ["s3:GetObject"], "a mapping such as a dict or a string",
                 id="policy given as a list"),
    pytest.param(_irsa(inline_policies={"read": UNVERSIONED}), "test/app", "inline_policies['read']",
                 UNVERSIONED, v.ALLOWED_POLICY_VERSION, id="policy without Version"),
    pytest.param(_pod_role(inline_policies={"read": NO_STATEMENTS}), "test/cart", "inline_policies['read']",
                 NO_STATEMENTS, v.ALLOWED_POLICY_STATEMENTS, id="policy without statements"),
    pytest.param(_node_role(inline_policies={"read": json.dumps(LOWERCASE_EFFECT)}), "test/nodes",
                 "inline_policies['read']", json.dumps(LOWERCASE_EFFECT), v.ALLOWED_POLICY_STATEMENT,
                 id="statement Effect 'allow'"),
    pytest.param(lambda s: WorkloadIdentity(s, "cart", props=WorkloadIdentityProps(
        service_account=SA, mode="pod_identity", cluster_name="prod", inline_policies={"read": NO_ACTION})),
                 "test/cart", "inline_policies['read']", NO_ACTION, v.ALLOWED_POLICY_STATEMENT,
                 id="statement without Action"),
]


@pytest.mark.parametrize(("build", "path", "field", "value", "allowed"), BAD_INPUTS)
def test_bad_input_names_path_field_value_as_given_and_allowed(stack, build, path, field, value, allowed):
    # GIVEN a bad input / WHEN the construct is built
    with pytest.raises(ValidationError) as caught:
        build(stack)
    # THEN the error names all four, the value exactly as given (never one character of it)
    error = caught.value
    assert (error.path, error.field, error.allowed) == (path, field, allowed)
    if value is not None:
        assert error.value == value and type(error.value) is type(value)
    assert str(error) == f"{path}: field '{field}' got {error.value!r}: {allowed}"
    # and the stack fixture asserts that nothing was written


def test_a_raw_launch_template_is_quoted_as_the_object_given(stack):
    raw = aws.launch_template.LaunchTemplate(stack, "raw")
    with pytest.raises(ValidationError) as caught:
        _group(launch_template=raw)(stack)
    assert caught.value.value is raw


def test_literal_ids_arns_and_documents_in_every_accepted_form_build(stack):
    # GIVEN 8- and 17-digit IDs, every KMS key form, and documents as dict or JSON (with
    # a single statement object, and NotAction)
    for index, key in enumerate([KEY, KEY.replace("key/", "alias/"), "alias/ebs",
                                 "1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-" + "0" * 32]):
        Imdsv2LaunchTemplate(stack, f"lt-{index}", props=Imdsv2LaunchTemplateProps(root_volume_kms_key_id=key))
    _cluster(subnet_ids=["subnet-0a1b2c3d", SUBNET_B], security_group_ids=["sg-0a1b2c3d"],
             role_arn="arn:aws-us-gov:iam::111122223333:role/path/eks", kms_key_arn=KEY)(stack)
    NodeRole(stack, "nodes", props=NodeRoleProps(
        permissions_boundary_arn="arn:aws:iam::111122223333:policy/boundary",
        inline_policies={"a": GOOD_POLICY, "b": json.dumps(GOOD_POLICY),
                         "c": {"Version": "2008-10-17",
                               "Statement": {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}}}))
    # THEN all of them build (nothing raised)


def test_tokens_pass_where_a_literal_would_be_checked(stack):
    # GIVEN references in every checked position, the same one for two different principals
    subnets = [aws.subnet.Subnet(stack, f"s{i}", vpc_id="vpc-1", cidr_block=f"10.0.{i}.0/24").id
               for i in range(2)]
    group = aws.security_group.SecurityGroup(stack, "sg")
    key = aws.kms_key.KmsKey(stack, "key")
    document = aws.data_aws_iam_policy_document.DataAwsIamPolicyDocument(stack, "doc")
    roles = [aws.iam_role.IamRole(stack, f"r{i}", assume_role_policy="{}") for i in range(2)]
    eks = SecureEksCluster(stack, "eks", props=SecureEksClusterProps(cluster=EksClusterProps(
        name="prod", subnet_ids=subnets, security_group_ids=[group.id], kms_key_arn=key.arn,
        role_arn=roles[0].arn)))
    NodeRole(stack, "nodes", props=NodeRoleProps(inline_policies={
        "whole": document.json,
        "inside": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key.arn}]}}))
    # WHEN two entries name different references
    eks.add_access_entry("a", AccessEntryOptions(principal_arn=roles[0].arn))
    eks.add_access_entry("b", AccessEntryOptions(principal_arn=roles[1].arn))
    # THEN nothing raised: tokens are only known at apply time


def test_the_same_principal_reference_twice_is_refused_naming_both_entries(stack):
    role = aws.iam_role.IamRole(stack, "viewers-role", assume_role_policy="{}")
    arn = role.arn
    with pytest.raises(ValidationError) as caught:
        _entry_twice(arn, arn)(stack)
    error = caught.value
    assert (error.path, error.field, error.value, error.allowed) == (
        "test/eks/viewers-again", "principal_arn", arn,
        secure_module.ALLOWED_UNIQUE_PRINCIPAL.format(other="test/eks/viewers"))


def test_a_string_reference_where_a_list_belongs_is_refused_too(stack):
    subnet_id = aws.subnet.Subnet(stack, "s", vpc_id="vpc-1", cidr_block="10.0.0.0/24").id
    with pytest.raises(ValidationError) as caught:
        _cluster(subnet_ids=subnet_id)(stack)
    assert (caught.value.field, caught.value.value) == ("subnet_ids", subnet_id)


def _props_classes():
    """Every public dataclass: props, options and the value objects inside them."""
    names = sorted(n for n in dir(eksguard) if n[:1].isupper())
    return [c for c in (getattr(eksguard, n) for n in names)
            if isinstance(c, type) and dataclasses.is_dataclass(c)
            and c.__module__.startswith(("eksguard.constructs", "eksguard.modules"))]


@pytest.mark.parametrize("cls", _props_classes(), ids=lambda c: c.__name__)
def test_every_field_annotation_of_every_props_class_resolves(cls):
    # An annotation that cannot be resolved would leave its field unchecked.
    assert set(v._field_hints(cls)) == {f.name for f in dataclasses.fields(cls)}
