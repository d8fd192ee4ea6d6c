"""A CDKTF 0.21 app written against ``cdktf`` and its AWS bindings directly, as a team that
has not moved to CDK Terrain has it, with eksguard for its cluster: an existing VPC's
subnets, one node group, the team's own artifacts bucket (a plain CDKTF resource) read by
an IRSA role, and an access entry for the team's admin role.

    pip install 'eksguard[cdktf]'      # cdktf and its AWS bindings, no cdktn
    cd examples/cdktf-app && ../../.venv-cdktf/bin/python main.py     # or: cdktf synth

No ``EKSGUARD_FRAMEWORK`` is needed: eksguard uses the framework installed, and when cdktn
is installed too, the one the app imports first. So ``cdktf`` is imported before eksguard.
"""

from __future__ import annotations

from cdktf import App, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from constructs import Construct

from eksguard import (
    AccessEntryOptions,
    AccessPolicy,
    AccessPolicyGrant,
    EksClusterProps,
    IrsaRoleOptions,
    ManagedNodeGroupOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    policy_document,
    s3_bucket_access,
)

SUBNET_IDS = ["subnet-0c1d2e3f4a5b60718", "subnet-0d1e2f3a4b5c60719"]
ADMIN_ROLE_ARN = "arn:aws:iam::123456789012:role/platform-admin"


class ReportsStack(TerraformStack):
    def __init__(self, scope: Construct, id: str, *, cluster_name: str = "reports") -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region="us-east-1")

        artifacts = S3Bucket(self, "artifacts", bucket_prefix=f"{cluster_name}-artifacts-")
        S3BucketPublicAccessBlock(self, "artifacts-public-access", bucket=artifacts.id, block_public_acls=True,
                                  block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)

        eks = SecureEksCluster(self, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name=cluster_name, subnet_ids=SUBNET_IDS),
            node_groups={"general": ManagedNodeGroupOptions(min_size=2, desired_size=2, max_size=4)},
            irsa_roles={
                "report-builder": IrsaRoleOptions(
                    service_accounts=[ServiceAccount(namespace="reports", name="report-builder")],
                    inline_policies={"artifacts": policy_document(
                        s3_bucket_access(self, bucket=artifacts.bucket, prefix="reports", write=True))}),
            },
            access_entries={
                "platform-admin": AccessEntryOptions(
                    principal_arn=ADMIN_ROLE_ARN, grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)]),
            },
        ))
        TerraformOutput(self, "cluster_name", value=eks.cluster.cluster_name)
        TerraformOutput(self, "report_builder_role_arn", value=eks.irsa_roles["report-builder"].role_arn)
        TerraformOutput(self, "artifacts_bucket", value=artifacts.bucket)


if __name__ == "__main__":
    app = App()
    ReportsStack(app, "reports")
    app.synth()
    print(f"synthesized into {app.outdir}")
