"""AWS's rules in eksguard's EKS extension of the embedded moto (``moto_eks.rules``): one
failing request per rule, through boto3, answered with AWS's error code and message, and
leaving nothing behind.

Every test makes its own cluster and IAM roles under unique names, so the file can share
one emulator with other test files, also in parallel.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.eks_api import API_ONLY, SUBNETS, delete_cluster, error_of, unique


MISSING_ROLE = "arn:aws:iam::123456789012:role/eksguard-rules-no-such-role"
"""No test creates this role."""
EXISTING_ROLE = "<a role the test creates>"
"""Stands, in a parametrized request, for the ARN of a role the test creates."""
VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
RESERVED_PREFIXES = "['system:', 'eks:', 'aws:', 'amazon:', 'iam:']"


# -- access entries -----------------------------------------------------------------------

def test_access_entry_is_refused_while_the_cluster_authenticates_through_the_config_map(eks, new_cluster, new_role):
    # GIVEN a cluster created without accessConfig (authentication mode CONFIG_MAP)
    cluster, role = new_cluster(), new_role()

    # WHEN an access entry is created for an existing role
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role)

    # THEN AWS's InvalidRequestException names the modes that allow it
    assert error == {"Code": "InvalidRequestException",
                     "Message": "The cluster's authentication mode must be set to one of "
                                "['API', 'API_AND_CONFIG_MAP'] to perform this operation. "
                                "Current mode: CONFIG_MAP."}
    # AND once the cluster allows access entries, the role still has none
    eks.update_cluster_config(name=cluster, accessConfig={"authenticationMode": "API_AND_CONFIG_MAP"})
    assert error_of(eks.describe_access_entry, clusterName=cluster,
                    principalArn=role)["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize("kind", ["role", "user"])
def test_access_entry_principal_must_exist(eks, new_cluster, aws_emulator, kind):
    # GIVEN an API cluster and the ARN of an IAM principal nobody created
    cluster = new_cluster(accessConfig=API_ONLY)
    account = aws_emulator.client("sts").get_caller_identity()["Account"]
    principal = f"arn:aws:iam::{account}:{kind}/{unique('missing')}"

    # WHEN an access entry is created for it
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=principal)

    # THEN AWS's message, the one Terraform retries while IAM propagates
    assert error == {"Code": "InvalidParameterException",
                     "Message": "The specified principalArn is invalid: invalid principal."}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


@pytest.mark.parametrize("principal", [
    "eks-admin",
    "arn:aws:iam::111122223333:group/admins",
    "arn:aws:sts::111122223333:assumed-role/admin/session-1",
    "arn:aws:s3:::eks-admin",
])
def test_access_entry_principal_must_be_an_iam_role_or_user_arn(eks, new_cluster, principal):
    # GIVEN an API cluster
    cluster = new_cluster(accessConfig=API_ONLY)

    # WHEN an access entry names something other than an IAM role or user ARN
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=principal)

    # THEN it is refused, naming the value received
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"The specified principalArn is invalid: {principal}. "
                                "It must be the ARN of an IAM role or IAM user."}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


def test_second_access_entry_for_a_principal_is_refused(eks, new_cluster, new_role):
    # GIVEN an access entry for a role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role, username="first")

    # WHEN a second one is created for the same role
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role, username="second")

    # THEN ResourceInUseException, and the first entry is untouched
    assert error == {"Code": "ResourceInUseException",
                     "Message": "The specified access entry resource is already in use on this cluster."}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == [role]
    assert eks.describe_access_entry(clusterName=cluster, principalArn=role)["accessEntry"]["username"] == "first"


@pytest.mark.parametrize("entry_type", ["EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "EC2"])
@pytest.mark.parametrize(("extra", "message"), [
    ({"kubernetesGroups": ["ops"]}, "kubernetesGroups cannot be specified for access entries of type {type}."),
    ({"username": "node-user"}, "username cannot be specified for access entries of type {type}."),
], ids=["kubernetesGroups", "username"])
def test_node_access_entry_takes_no_groups_and_no_username(eks, new_cluster, new_role, entry_type, extra, message):
    # GIVEN an API cluster and a node role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()

    # WHEN a node-type entry is created with Kubernetes groups or a username
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role, type=entry_type, **extra)

    # THEN EKS refuses: it binds node entries to its own node identity
    assert error == {"Code": "InvalidParameterException", "Message": message.format(type=entry_type)}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


def test_access_entry_type_must_be_one_aws_knows(eks, new_cluster, new_role):
    # GIVEN an API cluster and a role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()

    # WHEN the entry's type is not one of AWS's
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role, type="ADMIN")

    # THEN it is refused, listing the valid types
    assert error == {"Code": "InvalidParameterException",
                     "Message": "The specified type is invalid: ADMIN. Valid types: "
                                "['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'HYBRID_LINUX', 'EC2']"}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


@pytest.mark.parametrize("username", ["system:admin", "eks:admin", "aws:admin", "amazon:admin", "iam:admin"])
def test_access_entry_username_cannot_start_with_a_reserved_prefix(eks, new_cluster, new_role, username):
    # GIVEN an API cluster and a role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()

    # WHEN its entry asks for a username with a prefix Kubernetes or AWS reserves
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role, username=username)

    # THEN it is refused
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"The username {username} is invalid, it cannot start with any of "
                                f"{RESERVED_PREFIXES}"}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


def test_kubernetes_group_cannot_start_with_system(eks, new_cluster, new_role):
    # GIVEN an API cluster and a role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()

    # WHEN its entry puts it in a system: group
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=role,
                     kubernetesGroups=["ops", "system:masters"])

    # THEN it is refused, naming the group
    assert error == {"Code": "InvalidParameterException",
                     "Message": "The kubernetes group name system:masters is invalid, it cannot start with system:"}
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


@pytest.mark.parametrize(("entry_type", "update", "message"), [
    ("STANDARD", {"username": "system:admin"},
     f"The username system:admin is invalid, it cannot start with any of {RESERVED_PREFIXES}"),
    ("STANDARD", {"kubernetesGroups": ["system:masters"]},
     "The kubernetes group name system:masters is invalid, it cannot start with system:"),
    ("EC2_LINUX", {"kubernetesGroups": ["ops"]},
     "kubernetesGroups cannot be specified for access entries of type EC2_LINUX."),
], ids=["reserved-username", "system-group", "node-entry-groups"])
def test_update_access_entry_follows_the_same_rules(eks, new_cluster, new_role, entry_type, update, message):
    # GIVEN an access entry
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    before = eks.create_access_entry(clusterName=cluster, principalArn=role, type=entry_type)["accessEntry"]

    # WHEN an update breaks one of the creation rules
    error = error_of(eks.update_access_entry, clusterName=cluster, principalArn=role, **update)

    # THEN it is refused and the entry is unchanged
    assert error == {"Code": "InvalidParameterException", "Message": message}
    assert eks.describe_access_entry(clusterName=cluster, principalArn=role)["accessEntry"] == before


# -- access policies ----------------------------------------------------------------------

@pytest.mark.parametrize("entry_type", ["EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX"])
def test_access_policy_goes_on_standard_entries_only(eks, new_cluster, new_role, entry_type):
    # GIVEN a node-type access entry
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role, type=entry_type)

    # WHEN an access policy is associated with it
    error = error_of(eks.associate_access_policy, clusterName=cluster, principalArn=role,
                     policyArn=VIEW_POLICY, accessScope={"type": "cluster"})

    # THEN it is refused and nothing is associated
    assert error == {"Code": "InvalidParameterException",
                     "Message": 'This operation can only be performed on Access Entries with a type of "STANDARD".'}
    assert eks.list_associated_access_policies(clusterName=cluster, principalArn=role)[
        "associatedAccessPolicies"] == []


@pytest.mark.parametrize("policy_arn", [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSRootPolicy",
    "AmazonEKSViewPolicy",
])
def test_policy_must_be_a_cluster_access_policy(eks, new_cluster, new_role, policy_arn):
    # GIVEN a standard access entry
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role)

    # WHEN the policy is not one of EKS's cluster access policies
    error = error_of(eks.associate_access_policy, clusterName=cluster, principalArn=role,
                     policyArn=policy_arn, accessScope={"type": "cluster"})

    # THEN AWS does not find it
    assert error == {"Code": "ResourceNotFoundException", "Message": "The specified policyArn could not be found."}
    assert eks.list_associated_access_policies(clusterName=cluster, principalArn=role)[
        "associatedAccessPolicies"] == []


@pytest.mark.parametrize("policy", ["AmazonEKSBlockStorageClusterPolicy", "AmazonEKSComputeClusterPolicy",
                                    "AmazonEKSLoadBalancingClusterPolicy", "AmazonEKSNetworkingClusterPolicy"])
def test_auto_mode_cluster_policies_go_to_service_linked_roles_only(eks, new_cluster, new_role, policy):
    # GIVEN a standard access entry for an ordinary role
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role)

    # WHEN an Auto Mode cluster policy is associated with it
    error = error_of(eks.associate_access_policy, clusterName=cluster, principalArn=role,
                     policyArn=f"arn:aws:eks::aws:cluster-access-policy/{policy}", accessScope={"type": "cluster"})

    # THEN it is refused
    assert error == {"Code": "InvalidParameterException",
                     "Message": "The specified policyArn can only be associated with service-linked roles"}
    assert eks.list_associated_access_policies(clusterName=cluster, principalArn=role)[
        "associatedAccessPolicies"] == []


@pytest.mark.parametrize(("scope", "message"), [
    ({"type": "namespace"}, "namespaces must be specified when the access scope type is namespace."),
    ({"type": "namespace", "namespaces": []}, "namespaces must be specified when the access scope type is namespace."),
    ({"type": "cluster", "namespaces": ["dev"]}, "namespaces cannot be specified when the access scope type is cluster."),
    ({"type": "tenant"}, "The access scope type tenant is invalid. Valid types: ['cluster', 'namespace']"),
], ids=["namespace-without-namespaces", "namespace-with-empty-list", "cluster-with-namespaces", "unknown-type"])
def test_access_scope_must_fit_its_type(eks, new_cluster, new_role, scope, message):
    # GIVEN a standard access entry
    cluster, role = new_cluster(accessConfig=API_ONLY), new_role()
    eks.create_access_entry(clusterName=cluster, principalArn=role)

    # WHEN a policy is associated with a scope that does not fit its type
    error = error_of(eks.associate_access_policy, clusterName=cluster, principalArn=role,
                     policyArn=VIEW_POLICY, accessScope=scope)

    # THEN it is refused and nothing is associated
    assert error == {"Code": "InvalidParameterException", "Message": message}
    assert eks.list_associated_access_policies(clusterName=cluster, principalArn=role)[
        "associatedAccessPolicies"] == []


# -- Pod Identity -------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["roleArn", "targetRoleArn"])
def test_pod_identity_roles_must_exist(eks, new_cluster, new_role, field):
    # GIVEN a cluster and one existing role
    cluster = new_cluster()
    roles = {"roleArn": new_role(), field: MISSING_ROLE}

    # WHEN an association names a role that does not exist
    error = error_of(eks.create_pod_identity_association, clusterName=cluster, namespace="shop",
                     serviceAccount="cart", **roles)

    # THEN it is refused, naming the field and the role
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"Role provided in the request does not exist: {field} {MISSING_ROLE}"}
    assert eks.list_pod_identity_associations(clusterName=cluster)["associations"] == []


def test_second_association_for_a_service_account_is_refused(eks, new_cluster, new_role):
    # GIVEN an association for shop/cart
    cluster, first_role = new_cluster(), new_role()
    first = eks.create_pod_identity_association(clusterName=cluster, namespace="shop", serviceAccount="cart",
                                                roleArn=first_role)["association"]

    # WHEN a second association is made for the same service account
    error = error_of(eks.create_pod_identity_association, clusterName=cluster, namespace="shop",
                     serviceAccount="cart", roleArn=new_role())

    # THEN ResourceInUseException names the existing association, which keeps its role
    assert error == {"Code": "ResourceInUseException",
                     "Message": f"Association already exists: {first['associationId']}"}
    listed = eks.list_pod_identity_associations(clusterName=cluster)["associations"]
    assert [a["associationId"] for a in listed] == [first["associationId"]]
    assert eks.describe_pod_identity_association(clusterName=cluster, associationId=first["associationId"])[
        "association"]["roleArn"] == first_role


# -- add-ons ------------------------------------------------------------------------------

@pytest.mark.parametrize(("request_", "message"), [
    ({"addonName": "eksguard-no-such-addon"}, "Addon specified is not supported"),
    ({"addonName": "vpc-cni", "addonVersion": "v9.9.9-eksbuild.1"}, "Addon version specified is not supported"),
    ({"addonName": "vpc-cni", "serviceAccountRoleArn": MISSING_ROLE},
     f"Role provided in the request does not exist: serviceAccountRoleArn {MISSING_ROLE}"),
    ({"addonName": "vpc-cni", "podIdentityAssociations": [{"serviceAccount": "aws-node", "roleArn": MISSING_ROLE}]},
     f"Role provided in the request does not exist: roleArn {MISSING_ROLE}"),
    ({"addonName": "vpc-cni", "podIdentityAssociations": [
        {"serviceAccount": "aws-node", "roleArn": EXISTING_ROLE},
        {"serviceAccount": "aws-node-metrics", "roleArn": MISSING_ROLE}]},
     f"Role provided in the request does not exist: roleArn {MISSING_ROLE}"),
], ids=["unknown-name", "unknown-version", "missing-service-account-role", "missing-pod-identity-role",
        "second-pod-identity-role-missing"])
def test_create_addon_is_refused(eks, new_cluster, new_role, request_, message):
    # GIVEN a cluster (and, where the request names one, an existing role)
    cluster, role = new_cluster(), new_role()
    request_ = json.loads(json.dumps(request_).replace(EXISTING_ROLE, role))

    # WHEN the add-on, its version or one of its roles does not exist
    error = error_of(eks.create_addon, clusterName=cluster, **request_)

    # THEN it is refused, and neither the add-on nor any of its associations exists
    assert error == {"Code": "InvalidParameterException", "Message": message}
    assert eks.list_addons(clusterName=cluster)["addons"] == []
    assert eks.list_pod_identity_associations(clusterName=cluster)["associations"] == []


def test_second_addon_of_a_name_is_refused(eks, new_cluster):
    # GIVEN a cluster with vpc-cni at its default version
    cluster = new_cluster()
    first = eks.create_addon(clusterName=cluster, addonName="vpc-cni")["addon"]
    other_version = next(
        v["addonVersion"] for v in eks.describe_addon_versions(kubernetesVersion="1.33", addonName="vpc-cni")[
            "addons"][0]["addonVersions"] if v["addonVersion"] != first["addonVersion"])

    # WHEN vpc-cni is created again
    error = error_of(eks.create_addon, clusterName=cluster, addonName="vpc-cni", addonVersion=other_version)

    # THEN ResourceInUseException, and the first add-on keeps its version
    assert error == {"Code": "ResourceInUseException", "Message": "Addon already exists."}
    assert eks.list_addons(clusterName=cluster)["addons"] == ["vpc-cni"]
    assert eks.describe_addon(clusterName=cluster, addonName="vpc-cni")["addon"]["addonVersion"] == first[
        "addonVersion"]


def test_addon_pod_identity_associations_name_each_service_account_once(eks, new_cluster, new_role):
    # GIVEN a cluster and a role
    cluster, role = new_cluster(), new_role()

    # WHEN one CreateAddon asks for two associations of aws-node
    error = error_of(eks.create_addon, clusterName=cluster, addonName="vpc-cni", podIdentityAssociations=[
        {"serviceAccount": "aws-node", "roleArn": role}, {"serviceAccount": "aws-node", "roleArn": role}])

    # THEN it is refused, and neither the add-on nor an association exists
    assert error == {"Code": "InvalidParameterException",
                     "Message": "podIdentityAssociations names a service account more than once"}
    assert eks.list_addons(clusterName=cluster)["addons"] == []
    assert eks.list_pod_identity_associations(clusterName=cluster)["associations"] == []


def test_addon_owned_association_is_deleted_only_through_the_addon(eks, new_cluster, new_role):
    # GIVEN vpc-cni with a Pod Identity association it owns
    cluster = new_cluster()
    addon = eks.create_addon(clusterName=cluster, addonName="vpc-cni", podIdentityAssociations=[
        {"serviceAccount": "aws-node", "roleArn": new_role()}])["addon"]
    (owned,) = eks.list_pod_identity_associations(clusterName=cluster)["associations"]

    # WHEN the association is deleted directly
    error = error_of(eks.delete_pod_identity_association, clusterName=cluster,
                     associationId=owned["associationId"])

    # THEN InvalidRequestException names its owner, and the association stays
    assert error == {"Code": "InvalidRequestException",
                     "Message": f"Pod Identity Association {owned['associationId']} is owned by "
                                f"{addon['addonArn']} and can only be deleted through it."}
    assert eks.describe_pod_identity_association(clusterName=cluster, associationId=owned["associationId"])[
        "association"]["ownerArn"] == addon["addonArn"]


# -- clusters and updates -----------------------------------------------------------------

@pytest.mark.parametrize(("access_config", "message"), [
    ({"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": False},
     "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP"),
    ({"bootstrapClusterCreatorAdminPermissions": False},
     "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP"),
    ({"authenticationMode": "IAM"}, "Unsupported authentication mode IAM"),
], ids=["config-map-without-bootstrap", "default-mode-without-bootstrap", "unknown-mode"])
def test_create_cluster_access_config_is_checked(eks, new_role, request, access_config, message):
    # GIVEN a cluster name nobody uses
    name = unique("cluster")
    request.addfinalizer(lambda: delete_cluster(eks, name))  # in case it is created after all

    # WHEN the cluster is created with an access configuration AWS refuses
    error = error_of(eks.create_cluster, name=name, version="1.33", roleArn=new_role(),
                     resourcesVpcConfig={"subnetIds": SUBNETS}, accessConfig=access_config)

    # THEN InvalidParameterException, and no cluster exists
    assert error == {"Code": "InvalidParameterException", "Message": message}
    assert error_of(eks.describe_cluster, name=name)["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(("current", "requested"), [
    ("API_AND_CONFIG_MAP", "CONFIG_MAP"),
    ("API", "API_AND_CONFIG_MAP"),
    ("API", "CONFIG_MAP"),
    ("CONFIG_MAP", "CONFIG_MAP"),
    ("API_AND_CONFIG_MAP", "API_AND_CONFIG_MAP"),
    ("API", "API"),
])
def test_authentication_mode_only_moves_forward(eks, new_cluster, current, requested):
    # GIVEN a cluster in the current mode
    cluster = new_cluster(accessConfig={"authenticationMode": current})

    # WHEN it is asked to go back, or to stay where it is
    error = error_of(eks.update_cluster_config, name=cluster, accessConfig={"authenticationMode": requested})

    # THEN it is refused; the mode is unchanged and no update was recorded
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"Unsupported authentication mode update from {current} to {requested}"}
    assert eks.describe_cluster(name=cluster)["cluster"]["accessConfig"]["authenticationMode"] == current
    assert eks.list_updates(name=cluster)["updateIds"] == []


def test_refused_cluster_config_update_changes_nothing(eks, new_cluster):
    # GIVEN an API cluster
    cluster = new_cluster(accessConfig={"authenticationMode": "API"})
    before = eks.describe_cluster(name=cluster)["cluster"]["resourcesVpcConfig"]

    # WHEN one request changes endpoint access and moves the mode backwards
    error = error_of(eks.update_cluster_config, name=cluster, resourcesVpcConfig={"endpointPublicAccess": False},
                     accessConfig={"authenticationMode": "CONFIG_MAP"})

    # THEN it is refused (AWS also allows one kind of update per request, so the message is not
    # asserted) and no part of it was applied
    assert error["Code"] == "InvalidParameterException"
    assert eks.describe_cluster(name=cluster)["cluster"]["resourcesVpcConfig"] == before
    assert eks.list_updates(name=cluster)["updateIds"] == []


@pytest.mark.parametrize("requested", ["1.33", "1.31", "1.30"], ids=["skips-a-minor", "same", "downgrade"])
def test_cluster_version_moves_one_minor_at_a_time(eks, new_cluster, requested):
    # GIVEN a 1.31 cluster
    cluster = new_cluster(version="1.31")

    # WHEN it is asked for anything but 1.32
    error = error_of(eks.update_cluster_version, name=cluster, version=requested)

    # THEN it is refused; the version is unchanged and no update was recorded
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"Unsupported Kubernetes minor version update from 1.31 to {requested}"}
    assert eks.describe_cluster(name=cluster)["cluster"]["version"] == "1.31"
    assert eks.list_updates(name=cluster)["updateIds"] == []


@pytest.mark.parametrize("requested", ["1.32", "1.30"], ids=["newer", "older"])
def test_node_group_is_created_at_its_clusters_version_only(eks, new_cluster, new_role, requested):
    # GIVEN a 1.31 cluster
    cluster = new_cluster(version="1.31")

    # WHEN a node group is created at another version
    error = error_of(eks.create_nodegroup, clusterName=cluster, nodegroupName="workers", nodeRole=new_role(),
                     subnets=SUBNETS, version=requested)

    # THEN it is refused, and there is no node group
    assert error == {"Code": "InvalidParameterException",
                     "Message": f"Requested Nodegroup version {requested} is invalid: a node group is created at "
                                "its cluster's Kubernetes version, 1.31"}
    assert eks.list_nodegroups(clusterName=cluster)["nodegroups"] == []


def test_node_group_newer_than_its_cluster_is_refused_through_terraform(synth_stack, deploy_stack):
    # GIVEN a stack of plain provider resources (no eksguard construct in the way): a 1.34
    # cluster and a node group at 1.35
    from eksguard._framework import TerraformStack, aws
    from eksguard.errors import TerraformCommandError

    trust = ('{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{}"}},'
             '"Action":"sts:AssumeRole"}}]}}')

    class NewerNodes(TerraformStack):
        def __init__(self, scope, id):
            super().__init__(scope, id)
            aws.provider.AwsProvider(self, "aws", region="us-east-1")
            vpc = aws.vpc.Vpc(self, "vpc", cidr_block="10.61.0.0/16")
            subnets = [aws.subnet.Subnet(self, f"subnet-{i}", vpc_id=vpc.id, cidr_block=f"10.61.{i}.0/24",
                                         availability_zone=f"us-east-1{'ab'[i]}").id for i in (0, 1)]
            cluster_role = aws.iam_role.IamRole(self, "cluster-role", name_prefix="newer-cluster-",
                                                assume_role_policy=trust.format("eks.amazonaws.com"))
            node_role = aws.iam_role.IamRole(self, "node-role", name_prefix="newer-node-",
                                             assume_role_policy=trust.format("ec2.amazonaws.com"))
            cluster = aws.eks_cluster.EksCluster(
                self, "cluster", name=unique("newer"), role_arn=cluster_role.arn, version="1.34",
                vpc_config=aws.eks_cluster.EksClusterVpcConfig(subnet_ids=subnets))
            aws.eks_node_group.EksNodeGroup(
                self, "nodes", cluster_name=cluster.name, node_group_name="nodes", node_role_arn=node_role.arn,
                subnet_ids=subnets, version="1.35", instance_types=["m6i.large"],
                scaling_config=aws.eks_node_group.EksNodeGroupScalingConfig(min_size=1, desired_size=1, max_size=1))

    # WHEN it is applied THEN the node group is refused with AWS's code (and the harness
    # destroys what the apply created)
    with pytest.raises(TerraformCommandError) as caught:
        deploy_stack(synth_stack(lambda app: NewerNodes(app, "newer-nodes")))
    assert "InvalidParameterException" in str(caught.value)
    assert "Requested Nodegroup version 1.35 is invalid" in str(caught.value)


def test_node_group_cannot_be_newer_than_its_cluster(eks, new_cluster, new_role):
    # GIVEN a 1.31 node group in a 1.31 cluster
    cluster = new_cluster(version="1.31")
    eks.create_nodegroup(clusterName=cluster, nodegroupName="workers", nodeRole=new_role(), subnets=SUBNETS,
                         version="1.31")

    # WHEN the node group is asked for 1.32
    error = error_of(eks.update_nodegroup_version, clusterName=cluster, nodegroupName="workers", version="1.32")

    # THEN it is refused; the node group keeps 1.31 and no update was recorded
    assert error == {"Code": "InvalidParameterException",
                     "Message": "Requested Nodegroup version 1.32 is newer than the cluster version 1.31"}
    assert eks.describe_nodegroup(clusterName=cluster, nodegroupName="workers")["nodegroup"]["version"] == "1.31"
    assert eks.list_updates(name=cluster, nodegroupName="workers")["updateIds"] == []
