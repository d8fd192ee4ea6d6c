"""A team's cluster, written the way eksguard's README teaches: an existing VPC passed by
subnet IDs, two node groups, an IRSA role for an app that reads one S3 bucket and one
secret, and access entries for an SSO admin role and a CI viewer role.

    cd examples/team-app && ../../.venv/bin/python main.py     # or: cdktn synth

Settings come from the environment (defaults are placeholders for account 123456789012).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# eksguard first: importing it picks a supported Node for jsii before the framework starts.
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
    secrets_manager_secret_read,
)
from eksguard._framework import App, TerraformOutput, TerraformStack, aws


@dataclass(frozen=True, kw_only=True)
class TeamSettings:
    """What differs between the team's accounts."""

    cluster_name: str = "payments"
    region: str = "us-east-1"
    private_subnet_ids: tuple[str, ...] = ("subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719")
    admin_role_arn: str = ("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/"
                           "AWSReservedSSO_PlatformAdmin_0123456789abcdef")
    ci_role_arn: str = "arn:aws:iam::123456789012:role/ci-viewer"
    receipts_bucket: str = "payments-receipts-123456789012"
    api_key_secret: str = "payments/api-key"
    tags: dict[str, str] = field(default_factory=lambda: {"team": "payments"})

    @classmethod
    def from_environment(cls) -> TeamSettings:
        env, default = os.environ, cls()
        subnets = env.get("TEAM_SUBNET_IDS")
        return cls(
            cluster_name=env.get("TEAM_CLUSTER_NAME", default.cluster_name),
            region=env.get("AWS_REGION", default.region),
            private_subnet_ids=tuple(subnets.split(",")) if subnets else default.private_subnet_ids,
            admin_role_arn=env.get("TEAM_ADMIN_ROLE_ARN", default.admin_role_arn),
            ci_role_arn=env.get("TEAM_CI_ROLE_ARN", default.ci_role_arn),
        )


class TeamClusterStack(TerraformStack):
    def __init__(self, scope: App, id: str, *, settings: TeamSettings) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region=settings.region)
        eks = SecureEksCluster(self, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name=settings.cluster_name, subnet_ids=list(settings.private_subnet_ids),
                                    tags=settings.tags),
            node_groups={
                "general": ManagedNodeGroupOptions(min_size=2, desired_size=2, max_size=4),
                "batch": ManagedNodeGroupOptions(capacity_type="SPOT", instance_types=["m6i.large", "m7i.large"],
                                                 min_size=0, desired_size=0, max_size=6),
            },
            irsa_roles={
                "payments-api": IrsaRoleOptions(
                    service_accounts=[ServiceAccount(namespace="payments", name="payments-api")],
                    inline_policies={"receipts-and-api-key": policy_document(
                        s3_bucket_access(self, bucket=settings.receipts_bucket, prefix="receipts"),
                        secrets_manager_secret_read(self, secret_name=settings.api_key_secret))}),
            },
            access_entries={
                "platform-admin": AccessEntryOptions(
                    principal_arn=settings.admin_role_arn,
                    grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)]),
                "ci-viewer": AccessEntryOptions(
                    principal_arn=settings.ci_role_arn,
                    grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace",
                                              namespaces=["payments"])]),
            },
        ))
        TerraformOutput(self, "cluster_name", value=eks.cluster.cluster_name)
        TerraformOutput(self, "payments_api_role_arn", value=eks.irsa_roles["payments-api"].role_arn)
        TerraformOutput(self, "oidc_provider_arn", value=eks.oidc_provider.provider_arn)


if __name__ == "__main__":
    app = App()
    TeamClusterStack(app, "payments-cluster", settings=TeamSettings.from_environment())
    app.synth()
    print(f"synthesized into {app.outdir}")
