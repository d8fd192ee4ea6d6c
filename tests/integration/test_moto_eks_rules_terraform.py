"""The EKS extension's rules through Terraform: one apply of plain provider resources (no
eksguard construct in the way) that AWS would refuse in seven places, each an independent
resource, so Terraform reports every refusal of the one apply with AWS's error code.

A role that does not exist is left to the boto3 tests: hashicorp/aws retries
CreatePodIdentityAssociation's "Role provided in the request does not exist" for two
minutes (IAM propagation) before it reports it.

The README's table of enforced rules names this test for each rule it reaches
(``eksguard.testing.moto_eks.rules.RULES``)."""

from __future__ import annotations

from typing import Any

import pytest

from eksguard._framework import TerraformStack, aws
from eksguard.errors import TerraformCommandError
from tests.integration.eks_api import SUBNETS, unique
from tests.integration.test_moto_eks_terraform import _trust

pytestmark = pytest.mark.eksguard_integration
POLICY = "arn:aws:eks::aws:cluster-access-policy/"



class RefusedEverywhere(TerraformStack):
    """Two clusters (one authenticating through the config map) and, beside what AWS
    accepts, one resource per rule that it refuses."""

    def __init__(self, scope: Any, id: str, *, name: str) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        cluster_role = aws.iam_role.IamRole(self, "cluster-role", name_prefix="tf-rules-cluster-",
                                            assume_role_policy=_trust("eks.amazonaws.com"))
        node_role = aws.iam_role.IamRole(self, "node-role", name_prefix="tf-rules-node-",
                                         assume_role_policy=_trust("ec2.amazonaws.com"))
        app_role = aws.iam_role.IamRole(self, "app-role", name_prefix="tf-rules-app-",
                                        assume_role_policy=_trust("pods.eks.amazonaws.com"))
        person = aws.iam_role.IamRole(self, "person", name_prefix="tf-rules-person-",
                                      assume_role_policy=_trust("ec2.amazonaws.com"))

        def cluster(key: str, mode: str) -> Any:
            return aws.eks_cluster.EksCluster(
                self, key, name=f"{name}-{key}", role_arn=cluster_role.arn, version="1.34",
                vpc_config=aws.eks_cluster.EksClusterVpcConfig(subnet_ids=SUBNETS),
                access_config=aws.eks_cluster.EksClusterAccessConfig(
                    authentication_mode=mode, bootstrap_cluster_creator_admin_permissions=mode == "CONFIG_MAP"))
        api, config_map = cluster("api", "API"), cluster("cm", "CONFIG_MAP")

        # require_api_authentication: an access entry on a CONFIG_MAP cluster
        aws.eks_access_entry.EksAccessEntry(self, "entry-on-config-map", cluster_name=config_map.name,
                                            principal_arn=person.arn)
        # check_entry_shape: a system: group
        aws.eks_access_entry.EksAccessEntry(self, "system-group", cluster_name=api.name, principal_arn=person.arn,
                                            kubernetes_groups=["system:masters"])
        # require_policy_target: an access policy on a node entry (the entry itself is accepted)
        node_entry = aws.eks_access_entry.EksAccessEntry(self, "node-entry", cluster_name=api.name,
                                                         principal_arn=node_role.arn, type="EC2_LINUX")
        aws.eks_access_policy_association.EksAccessPolicyAssociation(
            self, "policy-on-node-entry", cluster_name=api.name, principal_arn=node_entry.principal_arn,
            policy_arn=POLICY + "AmazonEKSViewPolicy",
            access_scope=aws.eks_access_policy_association.EksAccessPolicyAssociationAccessScope(type="cluster"))
        # require_access_policy: an IAM policy where a cluster access policy belongs
        app_entry = aws.eks_access_entry.EksAccessEntry(self, "app-entry", cluster_name=api.name,
                                                        principal_arn=app_role.arn)
        aws.eks_access_policy_association.EksAccessPolicyAssociation(
            self, "iam-policy", cluster_name=api.name, principal_arn=app_entry.principal_arn,
            policy_arn="arn:aws:iam::aws:policy/AdministratorAccess",
            access_scope=aws.eks_access_policy_association.EksAccessPolicyAssociationAccessScope(type="cluster"))
        # require_new_service_account: a second association of one service account
        first = aws.eks_pod_identity_association.EksPodIdentityAssociation(
            self, "cart", cluster_name=api.name, namespace="shop", service_account="cart", role_arn=app_role.arn)
        aws.eks_pod_identity_association.EksPodIdentityAssociation(
            self, "cart-again", cluster_name=api.name, namespace="shop", service_account="cart",
            role_arn=app_role.arn, depends_on=[first])
        # require_addon: an add-on version the catalog does not serve for 1.34
        aws.eks_addon.EksAddon(self, "unserved-version", cluster_name=api.name, addon_name="kube-proxy",
                               addon_version="v9.9.9-eksbuild.1")
        # check_nodegroup_create_version: a node group newer than its cluster
        aws.eks_node_group.EksNodeGroup(
            self, "newer-nodes", cluster_name=api.name, node_group_name="nodes", node_role_arn=node_role.arn,
            subnet_ids=SUBNETS, version="1.35", instance_types=["m6i.large"],
            scaling_config=aws.eks_node_group.EksNodeGroupScalingConfig(min_size=1, desired_size=1, max_size=1))


REFUSALS = {
    "entry-on-config-map": ("InvalidRequestException", "The cluster's authentication mode must be set to one of "
                                                       "['API', 'API_AND_CONFIG_MAP'] to perform this operation."),
    "system-group": ("InvalidParameterException",
                     "The kubernetes group name system:masters is invalid, it cannot start with system:"),
    "policy-on-node-entry": ("InvalidParameterException",
                             'This operation can only be performed on Access Entries with a type of "STANDARD".'),
    "iam-policy": ("ResourceNotFoundException", "The specified policyArn could not be found."),
    "cart-again": ("ResourceInUseException", "Association already exists: a-"),
    "unserved-version": ("InvalidParameterException", "Addon version specified is not supported"),
    "newer-nodes": ("InvalidParameterException", "Requested Nodegroup version 1.35 is invalid"),
}
"""Each refused resource: AWS's error code and (the start of) its message."""


def test_every_rule_terraform_can_reach_is_refused_in_one_apply(synth_stack, deploy_stack):
    # GIVEN the stack WHEN it is applied (the harness destroys what the apply created)
    stack = synth_stack(lambda app: RefusedEverywhere(app, "refused-everywhere", name=unique("tf")))
    with pytest.raises(TerraformCommandError) as caught:
        deploy_stack(stack)
    output = caught.value.output

    # THEN each refused resource failed with AWS's code and message, and nothing else failed
    errors = [block for block in output.split("\nError: ")[1:]]
    failed = {}
    for block in errors:
        address = block.split("\n  with ", 1)[1].split(",", 1)[0]
        failed[address.split(".", 1)[1]] = block.split("\n", 1)[0]
    assert sorted(failed) == sorted(REFUSALS)
    for key, (code, message) in REFUSALS.items():
        assert f"{code}: {message}" in failed[key], (key, failed[key])
