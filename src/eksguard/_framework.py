"""The one place eksguard imports its CDK-for-Terraform framework.

eksguard is built on CDK Terrain (``cdktn``); the same constructs can run inside a
CDKTF 0.21 (``cdktf``) app by setting ``EKSGUARD_FRAMEWORK=cdktf`` before import, with
``cdktf`` and ``cdktf-cdktf-provider-aws`` installed. A stack of one framework cannot
hold objects of the other, so the choice is made once per process.

Provider classes are loaded by submodule on first use (``aws.iam_role.IamRole``): the
provider package's root would pull in every AWS binding, which costs seconds.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

_FRAMEWORKS = {
    "cdktn": "cdktn_provider_aws",
    "cdktf": "cdktf_cdktf_provider_aws",
}

FRAMEWORK = os.environ.get("EKSGUARD_FRAMEWORK", "cdktn")
if FRAMEWORK not in _FRAMEWORKS:
    raise ImportError(
        f"EKSGUARD_FRAMEWORK={FRAMEWORK!r} is not supported; use one of {sorted(_FRAMEWORKS)}"
    )

core: ModuleType = importlib.import_module(FRAMEWORK)

App = core.App
Aspects = core.Aspects
CloudBackend = core.CloudBackend
Fn = core.Fn
IAspect = core.IAspect
LocalBackend = core.LocalBackend
NamedCloudWorkspace = core.NamedCloudWorkspace
TerraformLocal = core.TerraformLocal
TerraformOutput = core.TerraformOutput
TerraformResourceLifecycle = core.TerraformResourceLifecycle
TerraformStack = core.TerraformStack
Testing = core.Testing
Token = core.Token


class _ProviderSubmodules:
    """``aws.<submodule>`` imports ``<provider package>.<submodule>`` on first access."""

    def __init__(self, package: str) -> None:
        self._package = package

    def __getattr__(self, submodule: str) -> ModuleType:
        module = importlib.import_module(f"{self._package}.{submodule}")
        setattr(self, submodule, module)
        return module


aws = _ProviderSubmodules(_FRAMEWORKS[FRAMEWORK])


def is_token(value: object) -> bool:
    """True when ``value`` is an unresolved Terraform reference, not a literal: a string
    or number token, or a list token (a one-item list holding an encoded list)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (str, int, float)):
        return bool(Token.is_unresolved(value))
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
        return value[0].startswith("#{") and bool(Token.is_unresolved(list(value)))
    return False


def construct_path(scope: object) -> str:
    """The construct's path in the tree, as shown in error messages."""
    return scope.node.path  # type: ignore[attr-defined]
