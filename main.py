"""The eksguard reference app: a secure EKS cluster in its own VPC.

``make synth`` (or ``cdktn synth`` / ``cdktf synth``) runs it. Settings come from the
environment:

- ``AWS_REGION`` (default ``us-east-1``), ``EKSGUARD_CLUSTER_NAME`` (default
  ``eksguard-reference``), ``EKSGUARD_STACK_NAME`` (default ``eksguard-reference``);
- a local backend, or Terraform Cloud when ``TF_CLOUD_ORGANIZATION`` and ``TF_WORKSPACE``
  are both set (``TF_CLOUD_HOSTNAME`` optional);
- ``EKSGUARD_CAPACITY``: where pods run — ``managed-node-groups`` (default: on-demand and
  spot managed node groups, cluster-autoscaler's identity), ``auto-mode`` (EKS Auto Mode:
  EKS runs the nodes, their networking, storage and load balancing; no node groups, no
  core add-ons), or ``karpenter`` (a small managed node group for the Karpenter controller
  and its AWS side: controller identity, node role, interruption queue);
- ``EKSGUARD_AWS_PROVIDER_VERSION`` (default: the bindings' exact ``hashicorp/aws`` pin)
  replaces the provider constraint, e.g. ``">= 5.81"`` to deploy offline with the 5.x a
  provider mirror holds (the same setting as the test harness's).

A Terraform Cloud (HCP Terraform) run
-------------------------------------
With ``TF_CLOUD_ORGANIZATION`` and ``TF_WORKSPACE`` set, the stack writes a ``cloud``
block (``TF_CLOUD_HOSTNAME`` for Terraform Enterprise; Terraform puts a new workspace in
the project ``TF_CLOUD_PROJECT`` names, else "Default Project"). A remote run has no AWS
credentials of its own; the secure way to give it some is dynamic provider credentials.
With ``EKSGUARD_TFC_WORKSPACE_ROLES=true`` as well, the stack creates their AWS side
(off by default: it adds roles an outside system can assume — six resources, plus one
per apply policy, five when the provider exists already):

- the IAM OIDC provider for the host (``TerraformCloudOidcProvider``), or the account's
  existing one, ``EKSGUARD_TFC_OIDC_PROVIDER_ARN`` (an account holds one per host);
- ``TerraformCloudWorkspaceRole`` for this one workspace: a plan role that reads what a
  refresh of this stack's types reads and nothing else (``eksguard-stack-plan``, with the
  data reads denied besides: ``eksguard-deny-data-reads``), trusting only
  ``organization:<org>:project:<project>:workspace:<workspace>:run_phase:plan``, and an
  apply role trusting only ``...:run_phase:apply`` that holds what plan, apply and destroy
  of this stack's resource types call (four managed policies ``eksguard-stack-deploy-…``,
  derived at synth: ``eksguard.ci_permissions``), its writes scoped to this stack's own
  resources by name, ARN or the ``eksguard:stack`` tag; it cannot apply a change that
  re-tags them (a cluster added or renamed) nor its own policies' replacement: apply those
  with your own credentials. Extra managed
  policies: ``EKSGUARD_TFC_APPLY_POLICY_ARNS`` (comma-separated; none by default —
  AdministratorAccess or a ``...FullAccess`` policy fails guardrail EKSG011 until waived
  with a reason). A remote state backend's access (an S3 bucket) is not part of the stack:
  add it as a policy of your own. ``EKSGUARD_TFC_STACK_ROLES_BOUNDARY_ARN`` names a
  permissions boundary (a policy you made) that every other role of the stack then carries
  and that the apply role must set on any role it creates or gives permissions
  (``CiRoleOptions.stack_roles_boundary_arn``); without it the apply role can make itself an
  administrator of the account.

Set on the workspace, as environment variables (category "env"), what the
``tfc_workspace_environment`` output lists:

- ``TFC_AWS_PROVIDER_AUTH`` = ``true``
- ``TFC_AWS_PLAN_ROLE_ARN`` = the ``tfc_plan_role_arn`` output
- ``TFC_AWS_APPLY_ROLE_ARN`` = the ``tfc_apply_role_arn`` output

The roles exist only after the first apply: run that one with your own credentials (the
workspace in local execution mode), set the variables, then switch the workspace to remote
execution. The workspace then manages the roles its own runs use: an apply that breaks
them locks it out, and ``terraform destroy`` of the stack must run with your own
credentials again (the apply role's policy is deleted part way through its own destroy), so
larger setups keep them in a separate bootstrap workspace.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

# eksguard first: importing it picks a supported Node for jsii before ``constructs`` starts it.
from eksguard import (
    AccessEntryOptions,
    AccessPolicy,
    AccessPolicyGrant,
    AddonIdentityOptions,
    AutoModeOptions,
    ClusterNetwork,
    ClusterNetworkProps,
    DEFAULT_INTERFACE_ENDPOINTS,
    EksClusterProps,
    IrsaRoleOptions,
    ManagedNodeGroupOptions,
    PodIdentityRoleOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    ServiceAccount,
    Taint,
    TerraformCloudOidcProvider,
    TerraformCloudOidcProviderProps,
    TerraformCloudPlanRoleOptions,
    TerraformCloudWorkspaceRole,
    TerraformCloudWorkspaceRoleProps,
    aws_partition,
    cluster_autoscaler,
    dynamodb_table_read,
    ebs_csi_driver,
    policy_document,
    ssm_parameter_path_read,
    synth,
    synth_summary,
)
from eksguard._framework import (
    App,
    CloudBackend,
    LocalBackend,
    NamedCloudWorkspace,
    TerraformOutput,
    TerraformStack,
    aws,
)
from constructs import Construct  # noqa: E402, I001 - after eksguard, see above


CAPACITIES = ("managed-node-groups", "auto-mode", "karpenter")


@dataclass(frozen=True, kw_only=True)
class ReferenceSettings:
    """The reference app's settings, read once from the environment."""

    region: str = "us-east-1"
    cluster_name: str = "eksguard-reference"
    stack_name: str = "eksguard-reference"
    tf_cloud_organization: str | None = None
    tf_cloud_workspace: str | None = None
    tf_cloud_hostname: str | None = None
    aws_provider_version: str | None = None
    tf_cloud_project: str = "Default Project"
    tfc_workspace_roles: bool = False
    """Create the workspace's dynamic-credential roles (see the module docstring)."""
    tfc_oidc_provider_arn: str | None = None
    tfc_apply_policy_arns: tuple[str, ...] = ()
    tfc_stack_roles_boundary_arn: str | None = None
    capacity: str = "managed-node-groups"
    """Where pods run: one of ``CAPACITIES`` (see the module docstring)."""

    @classmethod
    def from_environment(cls) -> ReferenceSettings:
        env = os.environ
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or cls.region,
            cluster_name=env.get("EKSGUARD_CLUSTER_NAME", cls.cluster_name),
            stack_name=env.get("EKSGUARD_STACK_NAME", cls.stack_name),
            tf_cloud_organization=env.get("TF_CLOUD_ORGANIZATION"),
            tf_cloud_workspace=env.get("TF_WORKSPACE"),
            tf_cloud_hostname=env.get("TF_CLOUD_HOSTNAME"),
            aws_provider_version=env.get("EKSGUARD_AWS_PROVIDER_VERSION") or None,
            tf_cloud_project=env.get("TF_CLOUD_PROJECT") or cls.tf_cloud_project,
            tfc_workspace_roles=env.get("EKSGUARD_TFC_WORKSPACE_ROLES", "").lower() in ("1", "true", "yes", "on"),
            tfc_oidc_provider_arn=env.get("EKSGUARD_TFC_OIDC_PROVIDER_ARN") or None,
            tfc_apply_policy_arns=tuple(
                arn.strip() for arn in env.get("EKSGUARD_TFC_APPLY_POLICY_ARNS", "").split(",") if arn.strip()),
            tfc_stack_roles_boundary_arn=env.get("EKSGUARD_TFC_STACK_ROLES_BOUNDARY_ARN") or None,
            capacity=env.get("EKSGUARD_CAPACITY") or cls.capacity,
        )

    def __post_init__(self) -> None:
        if self.capacity not in CAPACITIES:
            raise SystemExit(f"EKSGUARD_CAPACITY={self.capacity!r}: use one of {', '.join(CAPACITIES)}")


class ReferenceStack(TerraformStack):
    """A ``ClusterNetwork`` (two private subnets, VPC endpoints, flow logs) and a ``SecureEksCluster`` with on-demand and spot
    node groups; an IRSA role for an application; the VPC CNI and EBS CSI as managed
    add-ons on their own IRSA roles, and a cluster-autoscaler identity; Pod Identity for a second application; access
    entries for a cluster-admin role and a namespace-scoped viewer role. With
    ``capacity="auto-mode"`` EKS Auto Mode replaces the node groups, add-ons and
    autoscaler; with ``capacity="karpenter"`` one system node group runs Karpenter, whose
    AWS side ``SecureEksCluster.add_karpenter`` creates."""

    def __init__(self, scope: Construct, id: str, *, settings: ReferenceSettings) -> None:
        super().__init__(scope, id)
        aws.provider.AwsProvider(self, "aws", region=settings.region)
        if settings.aws_provider_version:
            # The constructs work on AWS provider 5.x and 6.x; an offline mirror may not
            # hold the exact version the bindings pin.
            self.add_override("terraform.required_providers.aws.version", settings.aws_provider_version)
        if settings.tf_cloud_organization and settings.tf_cloud_workspace:
            CloudBackend(self, organization=settings.tf_cloud_organization,
                         workspaces=NamedCloudWorkspace(settings.tf_cloud_workspace),
                         hostname=settings.tf_cloud_hostname)
        else:
            LocalBackend(self, path="terraform.tfstate")

        name = settings.cluster_name
        partition = aws_partition(self)
        tags = {"eksguard:cluster": name}
        # Private subnets in two EKS-served AZs, reaching AWS through VPC endpoints (no
        # internet egress) — the workloads' own services too: SSM for orders-api, DynamoDB
        # for cart — and flow logs to a KMS-encrypted log group.
        # Karpenter reads its interruption queue through an SQS endpoint (no egress here).
        extra = ("ssm", "sqs") if settings.capacity == "karpenter" else ("ssm",)
        network = ClusterNetwork(self, "network", props=ClusterNetworkProps(
            cluster_name=name, interface_endpoints=(*DEFAULT_INTERFACE_ENDPOINTS, *extra),
            dynamodb_gateway_endpoint=True, tags=tags))
        subnets = network.private_subnet_ids

        account = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "account")
        people = {
            key: aws.iam_role.IamRole(
                self, key, name_prefix=f"{name[:24]}-{key}-"[:38],
                assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account.account_id}:root"},
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
                tags=tags)
            for key in ("platform-admins", "shop-viewers")
        }
        auto_mode = settings.capacity == "auto-mode"
        eks = SecureEksCluster(self, "eks", props=SecureEksClusterProps(
            cluster=EksClusterProps(name=name, subnet_ids=subnets, tags=tags,
                                    auto_mode=AutoModeOptions() if auto_mode else None),
            irsa_roles={
                "orders-api": IrsaRoleOptions(
                    service_accounts=[ServiceAccount(namespace="orders", name="orders-api")],
                    inline_policies={"read-orders-config": policy_document(
                        ssm_parameter_path_read(self, path="/orders"))}),
            },
            # The module installs vpc-cni (on its own IRSA role for kube-system/aws-node, so
            # node roles leave out AmazonEKS_CNI_Policy), kube-proxy and coredns as managed
            # add-ons; node groups wait on the first two. Auto Mode runs all of them, the
            # EBS CSI driver and the node scaling itself.
            addon_identities=self._addon_identities(settings),
            pod_identity_roles={
                "cart": PodIdentityRoleOptions(
                    service_accounts=[ServiceAccount(namespace="shop", name="cart")],
                    inline_policies={"read-cart-table": policy_document(dynamodb_table_read(self, table="cart"))}),
            },
            access_entries={
                "platform-admins": AccessEntryOptions(
                    principal_arn=people["platform-admins"].arn,
                    grants=[AccessPolicyGrant(policy=AccessPolicy.CLUSTER_ADMIN)]),
                "shop-viewers": AccessEntryOptions(
                    principal_arn=people["shop-viewers"].arn,
                    grants=[AccessPolicyGrant(policy=AccessPolicy.VIEW, scope="namespace",
                                              namespaces=["shop"])]),
            },
            node_groups=self._node_groups(settings),
        ))

        TerraformOutput(self, "cluster_name", value=eks.cluster.cluster_name)
        TerraformOutput(self, "cluster_arn", value=eks.cluster.cluster_arn)
        TerraformOutput(self, "cluster_endpoint", value=eks.cluster.cluster_endpoint)
        TerraformOutput(self, "oidc_provider_arn", value=eks.oidc_provider.provider_arn)
        TerraformOutput(self, "vpc_id", value=network.vpc_id)
        TerraformOutput(self, "private_subnet_ids", value=subnets)
        for role_id, role in eks.irsa_roles.items():
            TerraformOutput(self, f"{role_id.replace('-', '_')}_role_arn", value=role.role_arn)
        for addon_id, identity in eks.addon_identities.items():
            TerraformOutput(self, f"{addon_id.replace('-', '_')}_role_arn", value=identity.role_arns[0])
        for role_id, pod_role in eks.pod_identity_roles.items():
            TerraformOutput(self, f"{role_id.replace('-', '_')}_role_arn", value=pod_role.role_arn)
        for key, person in people.items():
            TerraformOutput(self, f"{key.replace('-', '_')}_role_arn", value=person.arn)
        for group_id, group in eks.node_groups.items():
            key = group_id.replace("-", "_")
            TerraformOutput(self, f"{key}_node_role_arn", value=group.node_role.role_arn)
            TerraformOutput(self, f"{key}_launch_template_id",
                            value=group.launch_template.launch_template_id)
        if settings.capacity == "karpenter":
            # The controller's Pod Identity role with upstream's scoped policies, the role of
            # the nodes it launches (no CNI policy: aws-node has its own) and their access
            # entry, and the interruption queue: the Helm chart's settings come from these.
            karpenter = eks.add_karpenter()
            TerraformOutput(self, "karpenter_controller_role_arn", value=karpenter.controller_role_arn)
            TerraformOutput(self, "karpenter_node_role_arn", value=karpenter.node_role_arn)
            TerraformOutput(self, "karpenter_node_role_name", value=karpenter.node_role_name)
            # A private VPC: EC2NodeClass spec.instanceProfile (IAM has no VPC endpoint), and
            # the chart's settings.isolatedVPC=true (no Price List API endpoint either).
            TerraformOutput(self, "karpenter_instance_profile", value=karpenter.instance_profile_name)
            TerraformOutput(self, "karpenter_interruption_queue", value=karpenter.queue_name)
            TerraformOutput(self, "karpenter_interruption_queue_url", value=karpenter.queue_url)
        if eks.cluster.auto_mode_node_role_arn is not None:
            TerraformOutput(self, "auto_mode_node_role_arn", value=eks.cluster.auto_mode_node_role_arn)
        TerraformOutput(self, "service_account_manifests",
                        value=[m for r in eks.irsa_roles.values() for m in r.service_account_manifests()])
        if settings.tf_cloud_organization and settings.tf_cloud_workspace and settings.tfc_workspace_roles:
            self._terraform_cloud_roles(settings, tags)

    def _addon_identities(self, settings: ReferenceSettings) -> dict[str, AddonIdentityOptions]:
        if settings.capacity == "auto-mode":
            return {}
        identities = {"ebs-csi": AddonIdentityOptions(permissions=ebs_csi_driver())}
        if settings.capacity == "managed-node-groups":
            identities["cluster-autoscaler"] = AddonIdentityOptions(
                permissions=cluster_autoscaler(cluster_name=settings.cluster_name, scope=self))
        return identities

    @staticmethod
    def _node_groups(settings: ReferenceSettings) -> dict[str, ManagedNodeGroupOptions]:
        if settings.capacity == "auto-mode":
            return {}
        if settings.capacity == "karpenter":
            # Karpenter must not run on nodes it manages: two nodes for it and the cluster's
            # critical add-ons (which tolerate CriticalAddonsOnly), none for workloads.
            return {"system": ManagedNodeGroupOptions(
                min_size=2, desired_size=2, max_size=3, labels={"eksguard.io/capacity": "system"},
                taints=[Taint(key="CriticalAddonsOnly", value="true", effect="NO_SCHEDULE")])}
        return {
            "on-demand": ManagedNodeGroupOptions(
                labels={"eksguard.io/capacity": "on-demand"}),
            "spot": ManagedNodeGroupOptions(
                capacity_type="SPOT", instance_types=["m6i.large", "m6a.large", "m5.large"],
                min_size=0, desired_size=1, max_size=5,
                labels={"eksguard.io/capacity": "spot"},
                taints=[Taint(key="eksguard.io/spot", value="true", effect="NO_SCHEDULE")]),
        }

    def _terraform_cloud_roles(self, settings: ReferenceSettings, tags: dict[str, str]) -> None:
        """The AWS side of this workspace's dynamic provider credentials, and the workspace
        variables that use it (the module docstring has the steps)."""
        provider = TerraformCloudOidcProvider(self, "tfc-oidc", props=TerraformCloudOidcProviderProps(
            hostname=settings.tf_cloud_hostname or TerraformCloudOidcProviderProps.hostname,
            provider_arn=settings.tfc_oidc_provider_arn,
            tags={} if settings.tfc_oidc_provider_arn else tags))
        run = TerraformCloudWorkspaceRole(self, "tfc-run", props=TerraformCloudWorkspaceRoleProps(
            oidc_provider=provider, organization=settings.tf_cloud_organization or "",
            project=settings.tf_cloud_project, workspace=settings.tf_cloud_workspace or "",
            managed_policy_arns=settings.tfc_apply_policy_arns, tags=tags,
            stack_roles_boundary_arn=settings.tfc_stack_roles_boundary_arn,
            plan_role=TerraformCloudPlanRoleOptions(tags=tags)))
        TerraformOutput(self, "tfc_plan_role_arn", value=run.plan_role_arn)
        TerraformOutput(self, "tfc_apply_role_arn", value=run.role_arn)
        TerraformOutput(self, "tfc_workspace_environment", value=run.environment_variables())


def build_app(settings: ReferenceSettings | None = None, outdir: str | None = None) -> App:
    """The reference app, not yet synthesized."""
    app = App(outdir=outdir) if outdir else App()
    settings = settings or ReferenceSettings.from_environment()
    ReferenceStack(app, settings.stack_name, settings=settings)
    return app


def summarize(app: App, outdir: Path) -> str:
    """Stacks, resource counts, where the output went, and every guardrail waiver."""
    return str(synth_summary(app, outdir))


if __name__ == "__main__":
    # A finding without a waiver raises GuardrailViolation, naming the code that waives it.
    print(synth(build_app()))
