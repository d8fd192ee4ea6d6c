"""What CI roles may do, as data: the IAM actions per Terraform type that plan and apply
call (``deploy``), and the data reads a plan role is denied (``data_reads``). No framework
import: the constructs write these policies, the readiness rules read them back."""

from eksguard.ci_permissions.data_reads import DATA_READ_ACTIONS, data_read_deny_document
from eksguard.ci_permissions.deploy import (
    DATA_SOURCE_PERMISSIONS,
    RESOURCE_PERMISSIONS,
    TypePermissions,
    deploy_policy_document,
    plan_policy_document,
    unknown_types,
)

__all__ = ["DATA_READ_ACTIONS", "DATA_SOURCE_PERMISSIONS", "RESOURCE_PERMISSIONS", "TypePermissions",
           "data_read_deny_document", "deploy_policy_document", "plan_policy_document", "unknown_types"]
