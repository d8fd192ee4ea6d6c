"""Compositions of eksguard constructs."""

from eksguard.modules.secure_cluster import (
    AddonIdentityOptions,
    CoreAddonsOptions,
    SecureEksCluster,
    SecureEksClusterSpec,
)

__all__ = ["AddonIdentityOptions", "CoreAddonsOptions", "SecureEksCluster", "SecureEksClusterSpec"]
