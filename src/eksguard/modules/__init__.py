"""Compositions of eksguard constructs."""

from types import ModuleType as _ModuleType

from eksguard.modules.secure_cluster import (
    AddonIdentityOptions,
    CoreAddonsOptions,
    SecureEksCluster,
    SecureEksClusterProps,
    SecureEksClusterSpec,
)

__all__ = ["AddonIdentityOptions", "CoreAddonsOptions", "SecureEksCluster", "SecureEksClusterProps", "SecureEksClusterSpec"]


def __dir__() -> list[str]:
    """The public names and the public submodules: what ``dir()`` and completion offer."""
    return sorted({*__all__, *(n for n, value in globals().items()
                              if not n.startswith("_") and isinstance(value, _ModuleType))})
