"""Fixes applied to the embedded moto so it behaves like AWS where eksguard depends on it.

Each patch names the moto behaviour it corrects; none changes what a user's stack declares.
"""

from __future__ import annotations

import secrets
from typing import Any

_APPLIED = False


def apply() -> None:
    """Apply every patch once per process."""
    global _APPLIED
    if _APPLIED:
        return
    _unique_oidc_issuer_per_cluster()
    _APPLIED = True


def _unique_oidc_issuer_per_cluster() -> None:
    """moto 5.2 computes one OIDC issuer id per process (``ISSUER_TEMPLATE`` is built at
    import), so every cluster shares it and a second cluster's IAM OIDC provider fails
    with EntityAlreadyExists. AWS gives each cluster its own issuer."""
    from moto.eks import models

    original_init = models.Cluster.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        region = self.arn.split(":")[3]
        issuer_id = secrets.token_hex(16).upper()
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{issuer_id}"}}

    models.Cluster.__init__ = init
