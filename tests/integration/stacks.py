"""Small stacks for the integration suite."""

from __future__ import annotations

from typing import Any

from eksguard import (
    EksClusterProps,
    IrsaRoleOptions,
    ManagedNodeGroupOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
)
from eksguard._framework import TerraformOutput, TerraformStack, aws


class SmallClusterStack(TerraformStack):
    """A VPC, a cluster, one node group and one IRSA role: the least that exercises every
    construct family."""

    def __init__(self, scope: Any, id: str, *, cluster_name: str, cidr: str = "10.20.0.0/16") -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region="us-east-1")
        vpc = aws.vpc.Vpc(self, "vpc", cidr_block=cidr)
        base = cidr.split(".")
        subnets = [aws.subnet.Subnet(self, f"subnet-{i}", vpc_id=vpc.id,
                                     cidr_block=f"{base[0]}.{base[1]}.{i}.0/24",
                                     availability_zone=f"us-east-1{'ab'[i]}").id for i in (0, 1)]
        eks = SecureEksCluster(self, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name=cluster_name, subnet_ids=subnets),
            irsa_roles={"app": IrsaRoleOptions(
                service_accounts=[ServiceAccount(namespace="app", name=cluster_name)])},
            node_groups={"general": ManagedNodeGroupOptions(min_size=1, desired_size=1, max_size=2)},
        ))
        TerraformOutput(self, "cluster_name", value=eks.cluster.cluster_name)
        TerraformOutput(self, "app_role_arn", value=eks.irsa_roles["app"].role_arn)
        TerraformOutput(self, "node_role_arn", value=eks.node_groups["general"].node_role.role_arn)
        TerraformOutput(self, "oidc_provider_arn", value=eks.oidc_provider.provider_arn)


EC2_TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
             '{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
"""A trust policy for small roles the harness tests make."""


def one_role(name: str, *, region: str = "us-east-1", vpc_cidr: str | None = None) -> Any:
    """A stack builder for ``synth_stack``: one IAM role called ``name`` (and a VPC of
    ``vpc_cidr``), its provider in ``region``."""
    def build(app: Any) -> TerraformStack:
        stack = TerraformStack(app, name)
        aws.provider.AwsProvider(stack, "aws", region=region)
        aws.iam_role.IamRole(stack, "role", name=name, assume_role_policy=EC2_TRUST)
        if vpc_cidr:
            aws.vpc.Vpc(stack, "vpc", cidr_block=vpc_cidr)
        return stack
    return build
