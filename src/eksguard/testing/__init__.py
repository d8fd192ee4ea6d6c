"""eksguard's pytest plugin: synthesize, deploy to an AWS emulator, assert, tear down.

Fixtures (registered by the ``pytest11`` entry point): ``synth_stack``, ``deploy_stack``,
``aws_emulator``, ``eksguard_config``; marker ``requires(capability, ...)``.

Example::

    def test_cluster(synth_stack, deploy_stack):
        deployment = deploy_stack(synth_stack(lambda app: MyStack(app, "demo")))
        cluster = read_cluster(deployment.client("eks"), deployment.outputs["cluster_name"])
        assert cluster.endpoint_public_access is False
"""

from eksguard.testing.assertions import (
    assert_access_entry,
    assert_addon,
    assert_attached_policies,
    assert_cluster,
    assert_inline_policies,
    assert_launch_template_requires_imdsv2,
    assert_node_group,
    assert_oidc_provider,
    assert_pod_identity_associations,
    assert_role_trusts_oidc,
    assert_role_trusts_pod_identity,
    assert_role_trusts_service,
    expect_equal,
    expect_same_set,
)
from eksguard.testing.config import HarnessConfig
from eksguard.testing.deploy import Deployer, Deployment
from eksguard.testing.emulator import KNOWN_GAPS, Emulator, connect, start_moto
from eksguard.testing.gaps import EMULATOR_GAPS, Idempotence, evaluate
from eksguard.testing.snapshots import (
    AccessEntrySnapshot,
    AddonSnapshot,
    ClusterSnapshot,
    Inventory,
    LaunchTemplateSnapshot,
    NodeGroupSnapshot,
    ManagedPolicySnapshot,
    OidcProviderSnapshot,
    PodIdentityAssociationSnapshot,
    RoleSnapshot,
    read_access_entries,
    read_access_entry,
    read_addons,
    read_cluster,
    read_inventory,
    read_launch_template,
    read_node_group,
    read_managed_policy,
    read_oidc_provider,
    read_pod_identity_associations,
    read_role,
)
from eksguard.testing.shared import shared_deployment
from eksguard.testing.synth import SynthesizedStack, synthesize
from eksguard.testing.validate import validate_stack

__all__ = [
    "shared_deployment",
    "EMULATOR_GAPS",
    "KNOWN_GAPS",
    "AccessEntrySnapshot",
    "AddonSnapshot",
    "ClusterSnapshot",
    "Deployer",
    "Deployment",
    "Emulator",
    "HarnessConfig",
    "Idempotence",
    "Inventory",
    "LaunchTemplateSnapshot",
    "NodeGroupSnapshot",
    "ManagedPolicySnapshot",
    "OidcProviderSnapshot",
    "PodIdentityAssociationSnapshot",
    "RoleSnapshot",
    "SynthesizedStack",
    "assert_access_entry",
    "assert_addon",
    "assert_attached_policies",
    "assert_cluster",
    "assert_inline_policies",
    "assert_launch_template_requires_imdsv2",
    "assert_node_group",
    "assert_oidc_provider",
    "assert_pod_identity_associations",
    "assert_role_trusts_oidc",
    "assert_role_trusts_pod_identity",
    "assert_role_trusts_service",
    "connect",
    "evaluate",
    "expect_equal",
    "expect_same_set",
    "read_access_entries",
    "read_access_entry",
    "read_addons",
    "read_cluster",
    "read_inventory",
    "read_launch_template",
    "read_node_group",
    "read_managed_policy",
    "read_oidc_provider",
    "read_pod_identity_associations",
    "read_role",
    "start_moto",
    "synthesize",
    "validate_stack",
]
