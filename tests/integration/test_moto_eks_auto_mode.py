"""EKS Auto Mode in eksguard's EKS extension of the embedded moto: AWS's rules (one refused
request per rule, through boto3, leaving nothing behind), what EKS does itself on an Auto
Mode cluster (the node role's EC2 access entry with AmazonEKSAutoNodePolicy), the blocks
DescribeCluster returns, and an Auto Mode cluster applied, re-planned and destroyed by
Terraform.

Every test makes its own cluster and IAM roles under unique names, so the file can share
one emulator with other test files, also in parallel.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from eksguard._framework import TerraformOutput, TerraformStack, aws
from eksguard.testing import read_inventory
from tests.integration.eks_api import SUBNETS, delete_cluster, error_of, unique

POLICY = "arn:aws:eks::aws:cluster-access-policy/"
AUTO_NODE_POLICY = POLICY + "AmazonEKSAutoNodePolicy"
ALL_OR_NONE = ("For EKS Auto Mode, please ensure that all required configs, including computeConfig, "
               "kubernetesNetworkConfig, and blockStorage are all either fully enabled or fully disabled.")
MISSING_ROLE = "arn:aws:iam::123456789012:role/eksguard-auto-mode-no-such-role"
"""No test creates this role."""
NODE_ROLE = "<the node role the test creates>"
"""Stands, in a parametrized request, for the ARN of the node role the test creates."""
ON = {"storageConfig": {"blockStorage": {"enabled": True}},
      "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}}}
"""Block storage and load balancing switched on, to go with an enabled computeConfig."""


def auto_mode(node_role: str | None, pools: list[str] | None = None, **compute: Any) -> dict[str, Any]:
    """The three Auto Mode blocks, switched on, with the built-in node pools and ``node_role``."""
    config: dict[str, Any] = {"enabled": True, **compute}
    if node_role:
        config["nodeRoleArn"] = node_role
        config["nodePools"] = ["general-purpose", "system"] if pools is None else pools
    return {"computeConfig": config, **ON}


API = {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}


@pytest.fixture
def refused_create(eks: Any, new_role: Callable[..., str], request: pytest.FixtureRequest
                   ) -> Callable[..., dict[str, str]]:
    """``refused_create(**CreateCluster settings)`` -> the error of a CreateCluster AWS
    refuses, after checking that no cluster of that name exists."""

    def create(*, version: str = "1.33", **settings: Any) -> dict[str, str]:
        name = unique("cluster")
        request.addfinalizer(lambda: delete_cluster(eks, name))  # in case it is created after all
        error = error_of(eks.create_cluster, name=name, version=version, roleArn=new_role(),
                         resourcesVpcConfig={"subnetIds": SUBNETS}, **settings)
        assert error_of(eks.describe_cluster, name=name)["Code"] == "ResourceNotFoundException"
        return error

    return create


# -- rules at CreateCluster -----------------------------------------------------------------

@pytest.mark.parametrize("settings", [
    {"computeConfig": {"enabled": True}},
    {"computeConfig": {"enabled": True}, "storageConfig": {"blockStorage": {"enabled": True}}},
    {"storageConfig": {"blockStorage": {"enabled": True}},
     "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}}},
    {"computeConfig": {"enabled": False}, **ON},
], ids=["compute-only", "compute-and-storage", "storage-and-load-balancing", "compute-off"])
def test_auto_mode_capabilities_are_all_on_or_all_off_at_create(refused_create, settings):
    # GIVEN / WHEN a cluster is created with some Auto Mode capabilities on and others off or absent
    error = refused_create(accessConfig=API, bootstrapSelfManagedAddons=False, **settings)

    # THEN AWS's InvalidParameterException, and no cluster
    assert error == {"Code": "InvalidParameterException", "Message": ALL_OR_NONE}


@pytest.mark.parametrize(("compute", "message"), [
    ({"nodePools": ["general-purpose"]},
     "When Compute Config nodeRoleArn is null or empty, nodePool list cannot be populated."),
    ({"nodeRoleArn": NODE_ROLE},
     "When Compute Config nodeRoleArn is not null or empty, nodePool value(s) must be provided."),
    ({"nodeRoleArn": NODE_ROLE, "nodePools": []},
     "When Compute Config nodeRoleArn is not null or empty, nodePool value(s) must be provided."),
    ({"nodeRoleArn": NODE_ROLE, "nodePools": ["general-purpose", "gpu"]},
     "The specified nodePool gpu is invalid. Valid nodePools: ['general-purpose', 'system']"),
    ({"nodeRoleArn": NODE_ROLE, "nodePools": ["System"]},
     "The specified nodePool System is invalid. Valid nodePools: ['general-purpose', 'system']"),
    ({"nodeRoleArn": MISSING_ROLE, "nodePools": ["system"]},
     f"Role provided in the request does not exist: nodeRoleArn {MISSING_ROLE}"),
], ids=["pools-without-role", "role-without-pools", "role-with-empty-pools", "unknown-pool", "pool-case",
        "missing-role"])
def test_auto_mode_node_pools_and_node_role_are_checked_at_create(refused_create, new_role, compute, message):
    # GIVEN an existing node role, where the request names it
    compute = json.loads(json.dumps(compute).replace(NODE_ROLE, new_role()))

    # WHEN an Auto Mode cluster is created with node pools and a node role AWS refuses together
    error = refused_create(accessConfig=API, bootstrapSelfManagedAddons=False,
                           computeConfig={"enabled": True, **compute}, **ON)

    # THEN InvalidParameterException, and no cluster
    assert error == {"Code": "InvalidParameterException", "Message": message}


@pytest.mark.parametrize(("access_config", "mode"), [
    ({"authenticationMode": "CONFIG_MAP"}, "CONFIG_MAP"),
    (None, "CONFIG_MAP"),
], ids=["config-map", "default-mode"])
def test_auto_mode_needs_access_entries(refused_create, new_role, access_config, mode):
    # GIVEN / WHEN an Auto Mode cluster authenticates through the aws-auth ConfigMap only
    settings = {"accessConfig": access_config} if access_config else {}
    error = refused_create(bootstrapSelfManagedAddons=False, **auto_mode(new_role()), **settings)

    # THEN it is refused: Auto Mode maps its roles with access entries
    assert error == {"Code": "InvalidParameterException",
                     "Message": "EKS Auto Mode requires the cluster authentication mode to be one of "
                                f"['API', 'API_AND_CONFIG_MAP']. Current mode: {mode}."}


def test_auto_mode_needs_kubernetes_1_29_or_later(refused_create, new_role):
    # GIVEN / WHEN an Auto Mode cluster asks for Kubernetes 1.28
    error = refused_create(version="1.28", accessConfig=API, bootstrapSelfManagedAddons=False,
                           **auto_mode(new_role()))

    # THEN it is refused
    assert error == {"Code": "InvalidParameterException",
                     "Message": "EKS Auto Mode requires Kubernetes version 1.29 or greater. "
                                "Requested version: 1.28."}


def test_auto_mode_refuses_self_managed_addons(refused_create, new_role):
    # GIVEN / WHEN an Auto Mode cluster also asks EKS to install the self-managed add-ons
    error = refused_create(accessConfig=API, bootstrapSelfManagedAddons=True, **auto_mode(new_role()))

    # THEN AWS's InvalidParameterException
    assert error == {"Code": "InvalidParameterException",
                     "Message": "When EKS Auto Mode is enabled, bootstrapSelfManagedAddons must be set to false."}


# -- rules at UpdateClusterConfig -------------------------------------------------------------

def _unchanged(eks: Any, cluster: str, before: dict[str, Any]) -> None:
    """The refused update changed nothing and recorded no update."""
    after = eks.describe_cluster(name=cluster)["cluster"]
    assert {k: after.get(k) for k in before} == before
    assert eks.list_updates(name=cluster)["updateIds"] == []


AUTO_MODE_BLOCKS = ("computeConfig", "storageConfig", "kubernetesNetworkConfig")


@pytest.mark.parametrize(("update", "message"), [
    ({"computeConfig": {"enabled": True}}, ALL_OR_NONE),
    ({"computeConfig": {"enabled": True}, "storageConfig": {"blockStorage": {"enabled": True}}}, ALL_OR_NONE),
    ({"computeConfig": {"enabled": True}, "storageConfig": {"blockStorage": {"enabled": False}},
      "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}}}, ALL_OR_NONE),
    ({"computeConfig": {"nodePools": []}}, "The type for cluster update was not provided."),
], ids=["compute-only", "storage-missing-load-balancing", "storage-off", "no-switch"])
def test_auto_mode_is_switched_on_in_one_request(eks, new_cluster, update, message):
    # GIVEN an API cluster without Auto Mode
    cluster = new_cluster(accessConfig=API)
    before = {k: v for k, v in eks.describe_cluster(name=cluster)["cluster"].items() if k in AUTO_MODE_BLOCKS}

    # WHEN Auto Mode is switched on capability by capability
    error = error_of(eks.update_cluster_config, name=cluster, **update)

    # THEN InvalidParameterException, and nothing changed
    assert error == {"Code": "InvalidParameterException", "Message": message}
    _unchanged(eks, cluster, before)


def test_auto_mode_cannot_be_switched_off_where_it_was_never_on(eks, new_cluster):
    # GIVEN an API cluster without Auto Mode
    cluster = new_cluster(accessConfig=API)
    before = {k: v for k, v in eks.describe_cluster(name=cluster)["cluster"].items() if k in AUTO_MODE_BLOCKS}

    # WHEN its three capabilities are switched off
    error = error_of(eks.update_cluster_config, name=cluster, computeConfig={"enabled": False},
                     storageConfig={"blockStorage": {"enabled": False}},
                     kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": False}})

    # THEN InvalidRequestException, and nothing changed
    assert error == {"Code": "InvalidRequestException",
                     "Message": "Cannot modify EKS Auto Mode configuration. Auto Mode is not enabled on this cluster."}
    _unchanged(eks, cluster, before)


@pytest.mark.parametrize(("cluster_settings", "update", "message"), [
    ({"accessConfig": {"authenticationMode": "CONFIG_MAP"}}, {},
     "EKS Auto Mode requires the cluster authentication mode to be one of ['API', 'API_AND_CONFIG_MAP']. "
     "Current mode: CONFIG_MAP."),
    ({"accessConfig": API, "version": "1.28"}, {},
     "EKS Auto Mode requires Kubernetes version 1.29 or greater. Requested version: 1.28."),
    ({"accessConfig": API}, {"nodePools": ["general-purpose"], "nodeRoleArn": MISSING_ROLE},
     f"Role provided in the request does not exist: nodeRoleArn {MISSING_ROLE}"),
    ({"accessConfig": API}, {"nodePools": ["general-purpose"]},
     "When Compute Config nodeRoleArn is null or empty, nodePool list cannot be populated."),
], ids=["config-map", "kubernetes-1.28", "missing-node-role", "pools-without-role"])
def test_switching_auto_mode_on_later_follows_the_create_rules(eks, new_cluster, cluster_settings, update,
                                                               message):
    # GIVEN a cluster without Auto Mode
    cluster = new_cluster(**cluster_settings)
    before = {k: v for k, v in eks.describe_cluster(name=cluster)["cluster"].items() if k in AUTO_MODE_BLOCKS}

    # WHEN Auto Mode is switched on where AWS refuses it
    error = error_of(eks.update_cluster_config, name=cluster, computeConfig={"enabled": True, **update}, **ON)

    # THEN InvalidParameterException, nothing changed, and no access entry was made
    assert error == {"Code": "InvalidParameterException", "Message": message}
    _unchanged(eks, cluster, before)
    if cluster_settings["accessConfig"]["authenticationMode"] != "CONFIG_MAP":
        assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


def test_node_role_cannot_change_once_auto_mode_compute_is_on(eks, new_cluster, new_role):
    # GIVEN an Auto Mode cluster with a node role
    first = new_role()
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(first))
    before = {k: v for k, v in eks.describe_cluster(name=cluster)["cluster"].items() if k in AUTO_MODE_BLOCKS}

    # WHEN another node role is asked for
    error = error_of(eks.update_cluster_config, name=cluster, **auto_mode(new_role()))

    # THEN it is refused; the first role stays, and keeps the only node entry
    assert error == {"Code": "InvalidParameterException",
                     "Message": "nodeRoleArn cannot be changed after the compute capability of EKS Auto Mode "
                                f"is enabled. Current nodeRoleArn: {first}"}
    _unchanged(eks, cluster, before)
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == [first]


# -- what EKS does on an Auto Mode cluster --------------------------------------------------------

def _entries(eks: Any, cluster: str) -> dict[str, tuple[str, str, list[str], list[tuple[str, str]]]]:
    """principal -> (type, username, groups, [(policy, scope type)])."""
    found = {}
    for principal in eks.list_access_entries(clusterName=cluster)["accessEntries"]:
        entry = eks.describe_access_entry(clusterName=cluster, principalArn=principal)["accessEntry"]
        policies = eks.list_associated_access_policies(clusterName=cluster, principalArn=principal)[
            "associatedAccessPolicies"]
        found[principal] = (entry["type"], entry["username"], entry["kubernetesGroups"],
                            [(p["policyArn"], p["accessScope"]["type"]) for p in policies])
    return found


EC2_ENTRY = ("EC2", "system:node:{{SessionName}}", [], [(AUTO_NODE_POLICY, "cluster")])
"""The node role's entry as EKS makes it: type EC2, AmazonEKSAutoNodePolicy cluster-wide."""


def test_auto_mode_cluster_gets_its_node_role_access_entry(eks, new_cluster, new_role):
    # GIVEN a node role
    node_role = new_role()

    # WHEN an Auto Mode cluster with the built-in node pools is created
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(node_role))

    # THEN EKS made the node role's EC2 entry with AmazonEKSAutoNodePolicy, and listing by policy finds it
    assert _entries(eks, cluster) == {node_role: EC2_ENTRY}
    assert eks.list_access_entries(clusterName=cluster, associatedPolicyArn=AUTO_NODE_POLICY)[
        "accessEntries"] == [node_role]


def test_auto_mode_without_built_in_node_pools_makes_no_entry(eks, new_cluster):
    # GIVEN / WHEN an Auto Mode cluster runs only its own node pools (no node role)
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(None))

    # THEN EKS makes no entry: a custom NodeClass's role needs one made by hand
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []
    assert eks.describe_cluster(name=cluster)["cluster"]["computeConfig"] == {"enabled": True}


def test_a_second_entry_for_the_auto_mode_node_role_is_refused(eks, new_cluster, new_role):
    # GIVEN an Auto Mode cluster, whose node role EKS gave an entry
    node_role = new_role()
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(node_role))

    # WHEN a stack also creates that entry, as the custom NodeClass page shows
    error = error_of(eks.create_access_entry, clusterName=cluster, principalArn=node_role, type="EC2")

    # THEN ResourceInUseException, and EKS's entry is untouched
    assert error == {"Code": "ResourceInUseException",
                     "Message": "The specified access entry resource is already in use on this cluster."}
    assert _entries(eks, cluster) == {node_role: EC2_ENTRY}


def test_switching_auto_mode_on_later_makes_the_node_role_entry(eks, new_cluster, new_role):
    # GIVEN an API cluster without Auto Mode, and a node role
    cluster, node_role = new_cluster(accessConfig=API), new_role()

    # WHEN Auto Mode is switched on with the built-in node pools
    update = eks.update_cluster_config(name=cluster, **auto_mode(node_role))["update"]

    # THEN an AutoModeUpdate, the three blocks on, and the node role's EC2 entry
    assert (update["type"], update["status"]) == ("AutoModeUpdate", "Successful")
    described = eks.describe_cluster(name=cluster)["cluster"]
    assert described["computeConfig"] == {"enabled": True, "nodePools": ["general-purpose", "system"],
                                          "nodeRoleArn": node_role}
    assert described["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert described["kubernetesNetworkConfig"]["elasticLoadBalancing"] == {"enabled": True}
    assert _entries(eks, cluster) == {node_role: EC2_ENTRY}


def test_custom_node_class_entry_of_type_ec2(eks, new_cluster, new_role):
    # GIVEN an Auto Mode cluster without built-in node pools, and the role of a custom NodeClass
    cluster, role = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(None)), new_role()

    # WHEN its entry is made as the "Create a Node Class" page shows
    eks.create_access_entry(clusterName=cluster, principalArn=role, type="EC2")
    eks.associate_access_policy(clusterName=cluster, principalArn=role, policyArn=AUTO_NODE_POLICY,
                                accessScope={"type": "cluster"})

    # THEN it looks like the one EKS makes for the built-in node pools
    assert _entries(eks, cluster) == {role: EC2_ENTRY}


def test_deleting_an_auto_mode_cluster_deletes_its_node_role_entry(eks, new_cluster, new_role):
    # GIVEN an Auto Mode cluster with its node role entry
    node_role = new_role()
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(node_role))

    # WHEN it is deleted and a cluster of the same name is created without Auto Mode
    eks.delete_cluster(name=cluster)
    new_cluster(name=cluster, accessConfig=API)

    # THEN the new cluster has no entry
    assert eks.list_access_entries(clusterName=cluster)["accessEntries"] == []


# -- DescribeCluster --------------------------------------------------------------------------

def test_describe_cluster_returns_the_auto_mode_blocks(eks, new_cluster, new_role):
    # GIVEN / WHEN an Auto Mode cluster and an ordinary one
    node_role = new_role()
    auto = eks.describe_cluster(name=new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False,
                                                 **auto_mode(node_role)))["cluster"]
    plain = eks.describe_cluster(name=new_cluster(accessConfig=API))["cluster"]

    # THEN the Auto Mode cluster reports its three capabilities with the service CIDR and IP family ...
    assert {k: auto.get(k) for k in AUTO_MODE_BLOCKS} == {
        "computeConfig": {"enabled": True, "nodePools": ["general-purpose", "system"], "nodeRoleArn": node_role},
        "storageConfig": {"blockStorage": {"enabled": True}},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4",
                                    "elasticLoadBalancing": {"enabled": True}},
    }
    # ... and the ordinary one, as on AWS, neither Auto Mode block nor elasticLoadBalancing
    assert {k: plain.get(k) for k in AUTO_MODE_BLOCKS} == {
        "computeConfig": None, "storageConfig": None,
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
    }


def test_switching_auto_mode_off_reports_it_off(eks, new_cluster, new_role):
    # GIVEN an Auto Mode cluster
    cluster = new_cluster(accessConfig=API, bootstrapSelfManagedAddons=False, **auto_mode(new_role()))

    # WHEN its three capabilities are switched off together
    update = eks.update_cluster_config(name=cluster, computeConfig={"enabled": False},
                                       storageConfig={"blockStorage": {"enabled": False}},
                                       kubernetesNetworkConfig={"elasticLoadBalancing": {"enabled": False}})["update"]

    # THEN an AutoModeUpdate, and DescribeCluster reports them off
    assert update["type"] == "AutoModeUpdate"
    described = eks.describe_cluster(name=cluster)["cluster"]
    assert (described["computeConfig"]["enabled"], described["storageConfig"],
            described["kubernetesNetworkConfig"]["elasticLoadBalancing"]) == (
        False, {"blockStorage": {"enabled": False}}, {"enabled": False})


# -- Terraform --------------------------------------------------------------------------------

def _trust(service: str, *actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}]})


CLUSTER_POLICIES = ("AmazonEKSClusterPolicy", "AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
                    "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy")
NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")


class AutoModeStack(TerraformStack):
    """An Auto Mode cluster as the EKS User Guide builds it ("Create an EKS Auto Mode Cluster
    with the AWS CLI"): a cluster role with the five managed policies, trusted with
    sts:AssumeRole and sts:TagSession; a node role with the two node policies; the three
    capabilities on, the built-in node pools, API authentication, no self-managed add-ons."""

    def __init__(self, scope: Any, id: str, *, name: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        vpc = aws.vpc.Vpc(self, "vpc", cidr_block="10.41.0.0/16")
        subnets = [aws.subnet.Subnet(self, f"subnet-{i}", vpc_id=vpc.id, cidr_block=f"10.41.{i}.0/24",
                                     availability_zone=f"us-east-1{'ab'[i]}").id for i in (0, 1)]
        cluster_role = aws.iam_role.IamRole(
            self, "cluster-role", name_prefix="auto-cluster-",
            assume_role_policy=_trust("eks.amazonaws.com", "sts:AssumeRole", "sts:TagSession"))
        node_role = aws.iam_role.IamRole(self, "node-role", name_prefix="auto-node-",
                                         assume_role_policy=_trust("ec2.amazonaws.com", "sts:AssumeRole"))
        attachments = [aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self, f"{role_id}-{policy}", role=role.name, policy_arn=f"arn:aws:iam::aws:policy/{policy}")
            for role_id, role, policies in (("cluster", cluster_role, CLUSTER_POLICIES),
                                            ("node", node_role, NODE_POLICIES))
            for policy in policies]
        cluster = aws.eks_cluster.EksCluster(
            self, "cluster", name=name, role_arn=cluster_role.arn, version="1.33",
            bootstrap_self_managed_addons=False,
            vpc_config=aws.eks_cluster.EksClusterVpcConfig(subnet_ids=subnets),
            access_config=aws.eks_cluster.EksClusterAccessConfig(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False),
            compute_config=aws.eks_cluster.EksClusterComputeConfig(
                enabled=True, node_pools=["general-purpose", "system"], node_role_arn=node_role.arn),
            storage_config=aws.eks_cluster.EksClusterStorageConfig(
                block_storage=aws.eks_cluster.EksClusterStorageConfigBlockStorage(enabled=True)),
            kubernetes_network_config=aws.eks_cluster.EksClusterKubernetesNetworkConfig(
                elastic_load_balancing=aws.eks_cluster.EksClusterKubernetesNetworkConfigElasticLoadBalancing(
                    enabled=True)),
            depends_on=attachments)
        TerraformOutput(self, "cluster_name", value=cluster.name)
        TerraformOutput(self, "node_role_arn", value=node_role.arn)
        TerraformOutput(self, "cluster_role_name", value=cluster_role.name)
        TerraformOutput(self, "node_role_name", value=node_role.name)


def test_auto_mode_cluster_through_terraform(synth_stack, deploy_stack, aws_emulator):
    # GIVEN an Auto Mode cluster stack
    name = f"auto-{uuid.uuid4().hex[:8]}"
    before = read_inventory(aws_emulator.client)

    # WHEN it is applied
    deployment = deploy_stack(synth_stack(lambda app: AutoModeStack(app, "auto-mode", name=name)))
    eks, iam, out = deployment.client("eks"), deployment.client("iam"), deployment.outputs

    # THEN everything landed, the managed policies attached as on AWS ...
    assert deployment.unserved == {}
    attached = {role: sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=out[role])[
        "AttachedPolicies"]) for role in ("cluster_role_name", "node_role_name")}
    assert attached == {"cluster_role_name": sorted(CLUSTER_POLICIES), "node_role_name": sorted(NODE_POLICIES)}

    # ... the cluster reports the three capabilities ...
    cluster = eks.describe_cluster(name=name)["cluster"]
    assert cluster["computeConfig"]["enabled"] is True
    assert sorted(cluster["computeConfig"]["nodePools"]) == ["general-purpose", "system"]
    assert cluster["computeConfig"]["nodeRoleArn"] == out["node_role_arn"]
    assert cluster["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert cluster["kubernetesNetworkConfig"] == {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4",
                                                  "elasticLoadBalancing": {"enabled": True}}

    # ... EKS made the node role's EC2 entry with AmazonEKSAutoNodePolicy ...
    assert _entries(eks, name) == {out["node_role_arn"]: EC2_ENTRY}

    # ... and a second plan is empty, with nothing left unverified
    replan = deployment.replan()
    assert replan.ok and replan.unverified == (), replan.report()

    # WHEN it is destroyed THEN nothing it made remains
    deployment.destroy()
    assert deployment.terraform.state_addresses() == []
    assert read_inventory(aws_emulator.client).minus(before) == {}
