"""Baseline: the reference stack's resource kinds written with raw cdktn-provider-aws
bindings (no eksguard), synthesized into the folder given as argv[1]."""

import json
import sys

from cdktn import App, TerraformStack
from cdktn_provider_aws.eks_cluster import EksCluster
from cdktn_provider_aws.eks_node_group import EksNodeGroup
from cdktn_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktn_provider_aws.iam_role import IamRole
from cdktn_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktn_provider_aws.launch_template import LaunchTemplate
from cdktn_provider_aws.provider import AwsProvider
from cdktn_provider_aws.subnet import Subnet
from cdktn_provider_aws.vpc import Vpc

app = App(outdir=sys.argv[1])
stack = TerraformStack(app, "raw")
AwsProvider(stack, "aws", region="us-east-1")
vpc = Vpc(stack, "vpc", cidr_block="10.0.0.0/16")
subnets = [Subnet(stack, f"s{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24").id for i in (0, 1)]
trust = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
role = IamRole(stack, "cluster-role", assume_role_policy=trust)
attach = IamRolePolicyAttachment(stack, "cluster-policy", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")
cluster = EksCluster(stack, "cluster", name="raw", role_arn=role.arn,
                     vpc_config={"subnet_ids": subnets}, depends_on=[attach])
IamOpenidConnectProvider(stack, "oidc", url=cluster.identity.get(0).oidc.get(0).issuer,
                         client_id_list=["sts.amazonaws.com"])
for group in ("on-demand", "spot"):
    node_role = IamRole(stack, f"{group}-role", assume_role_policy=trust.replace("eks.", "ec2."))
    attachments = [IamRolePolicyAttachment(stack, f"{group}-{p}", role=node_role.name,
                                           policy_arn=f"arn:aws:iam::aws:policy/{p}")
                   for p in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")]
    template = LaunchTemplate(stack, f"{group}-lt", metadata_options={"http_tokens": "required"})
    EksNodeGroup(stack, group, cluster_name=cluster.name, node_role_arn=node_role.arn,
                 subnet_ids=subnets, scaling_config={"min_size": 1, "desired_size": 1, "max_size": 2},
                 launch_template={"id": template.id, "version": "$Latest"}, depends_on=attachments)
app.synth()
