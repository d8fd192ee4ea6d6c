"""The one place eksguard imports its CDK-for-Terraform framework.

eksguard runs on CDK Terrain (``cdktn``) or on CDKTF 0.21 (``cdktf``). jsii lets one process
load both, but a stack of one cannot hold resources of the other: the mix is only refused at
``app.synth()``, deep in a resolution error. So eksguard binds to one framework, here, when
its constructs are first imported, and the choice is, in order:

1. ``EKSGUARD_FRAMEWORK`` (``cdktn`` or ``cdktf``), when it is set;
2. the framework the process has already imported, when it has imported one and not the
   other: an app that starts with ``from cdktf import App`` gets cdktf, whatever else is
   installed;
3. the framework installed with its AWS bindings, when only one is
   (``pip install 'eksguard[cdktf]'``);
4. ``cdktn`` otherwise.

A process keeps that choice: eksguard's modules hold the framework's classes from then on.
Every construct then checks, when it is built, that its stack is of that framework
(``require_scope_framework``, through ``construct_path``), so a stack of the other one fails
at construction with a ``ValidationError`` that names both and the fix.

Provider classes are loaded by submodule on first use (``aws.iam_role.IamRole``): the
provider package's root would pull in every AWS binding, which costs seconds.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import weakref
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import ModuleType

from eksguard.errors import ValidationError

ENVIRONMENT_VARIABLE = "EKSGUARD_FRAMEWORK"
DEFAULT_FRAMEWORK = "cdktn"
"""CDK Terrain: maintained, and the framework eksguard is developed and tested on first."""

PROVIDER_PACKAGES = {"cdktn": "cdktn_provider_aws", "cdktf": "cdktf_cdktf_provider_aws"}
"""Each framework's AWS bindings, by import name."""
DISTRIBUTIONS = {"cdktn": "cdktn-provider-aws", "cdktf": "cdktf-cdktf-provider-aws"}
TITLES = {"cdktn": "CDK Terrain", "cdktf": "CDKTF 0.21"}
OTHER = {"cdktn": "cdktf", "cdktf": "cdktn"}

# Why the framework was chosen, as the error messages say it ("eksguard uses cdktn in this
# process: {reason}.").
REASON_VARIABLE = "EKSGUARD_FRAMEWORK={framework}"
REASON_IMPORTED = "the app imported {framework} before eksguard's constructs"
REASON_BOTH_IMPORTED = "both frameworks were imported before eksguard's constructs, and {framework} is the default"
REASON_INSTALLED = "only {framework} is installed with its AWS bindings"
REASON_DEFAULT = ("both frameworks are installed, {other} was not imported before eksguard's "
                  "constructs, and {framework} is the default")

UNSUPPORTED_VARIABLE = ("EKSGUARD_FRAMEWORK={value!r} is not supported: use 'cdktn' or 'cdktf', or unset "
                        "it to use the framework the app imports")
NOT_INSTALLED = ("eksguard uses {framework} ({title}) in this process: {reason}. But {missing} not "
                 "installed: pip install 'eksguard[{framework}]'")
NONE_INSTALLED = ("eksguard needs a CDK-for-Terraform framework with its AWS bindings and found neither "
                  "cdktn with cdktn-provider-aws nor cdktf with cdktf-cdktf-provider-aws: "
                  "pip install 'eksguard[cdktn]' (CDK Terrain, recommended) or 'eksguard[cdktf]' (CDKTF 0.21)")

ALLOWED_SCOPE_FRAMEWORK = (
    "a scope in a {framework} stack. eksguard uses {framework} ({title}) in this process: {reason}. "
    "One process uses one framework, and {framework} resources in a {other} stack would fail only at "
    "app.synth(). {fix}"
)
"""The ``allowed`` text of the ``ValidationError`` for a scope of the other framework; its
value is the framework class the scope's stack (or app) is, such as ``'cdktf.TerraformStack'``."""
FIX_IMPLICIT = ("Fix: import {other} before eksguard's constructs (`from {other} import App, TerraformStack` "
                "first in the app), or set EKSGUARD_FRAMEWORK={other}.")
FIX_EXPLICIT = ("Fix: set EKSGUARD_FRAMEWORK={other}, or unset it so that eksguard uses the framework "
                "the app imports.")


@dataclass(frozen=True, kw_only=True)
class FrameworkChoice:
    """The framework this process uses, and why.

    Example::

        choose_framework({}, imported={"cdktf"}, installed={"cdktn", "cdktn_provider_aws"})
        # FrameworkChoice(framework='cdktf', reason='the app imported cdktf before ...', explicit=False)
    """

    framework: str
    reason: str
    explicit: bool
    """True when ``EKSGUARD_FRAMEWORK`` chose it."""

    @property
    def other(self) -> str:
        return OTHER[self.framework]


def choose_framework(environ: Mapping[str, str], *, imported: Collection[str],
                     installed: Collection[str]) -> FrameworkChoice:
    """The framework by the rules in the module docstring. ``imported`` holds the framework
    modules already in ``sys.modules``; ``installed`` the importable top-level packages among
    the frameworks and their bindings. Raises ``ImportError`` when the variable names no
    framework, or when the chosen framework or its bindings are not installed."""
    value = environ.get(ENVIRONMENT_VARIABLE, "")
    if value:
        if value not in PROVIDER_PACKAGES:
            raise ImportError(UNSUPPORTED_VARIABLE.format(value=value))
        choice = FrameworkChoice(framework=value, reason=REASON_VARIABLE.format(framework=value), explicit=True)
    else:
        choice = _detect(set(imported), set(installed))
    framework = choice.framework
    missing = [distribution for module, distribution in
               ((framework, framework), (PROVIDER_PACKAGES[framework], DISTRIBUTIONS[framework]))
               if module not in installed]
    if missing:
        raise ImportError(NOT_INSTALLED.format(
            framework=framework, title=TITLES[framework], reason=choice.reason,
            missing=" and ".join(missing) + (" are" if len(missing) > 1 else " is")))
    return choice


def _detect(imported: set[str], installed: set[str]) -> FrameworkChoice:
    if len(imported & PROVIDER_PACKAGES.keys()) == 1:
        (framework,) = imported & PROVIDER_PACKAGES.keys()
        return FrameworkChoice(framework=framework, reason=REASON_IMPORTED.format(framework=framework),
                               explicit=False)
    if len(imported & PROVIDER_PACKAGES.keys()) == 2:
        return FrameworkChoice(framework=DEFAULT_FRAMEWORK, explicit=False,
                               reason=REASON_BOTH_IMPORTED.format(framework=DEFAULT_FRAMEWORK))
    usable = [name for name, bindings in PROVIDER_PACKAGES.items() if {name, bindings} <= installed]
    if not usable:
        raise ImportError(NONE_INSTALLED)
    if len(usable) == 1:
        return FrameworkChoice(framework=usable[0], reason=REASON_INSTALLED.format(framework=usable[0]),
                               explicit=False)
    return FrameworkChoice(framework=DEFAULT_FRAMEWORK, explicit=False,
                           reason=REASON_DEFAULT.format(framework=DEFAULT_FRAMEWORK, other=OTHER[DEFAULT_FRAMEWORK]))


def _installed() -> set[str]:
    # find_spec on a top-level name reads sys.path only: nothing is imported or started.
    names = (*PROVIDER_PACKAGES, *PROVIDER_PACKAGES.values())
    return {name for name in names if name in sys.modules or importlib.util.find_spec(name) is not None}


CHOICE = choose_framework(os.environ, imported=[name for name in PROVIDER_PACKAGES if name in sys.modules],
                          installed=_installed())
FRAMEWORK = CHOICE.framework

core: ModuleType = importlib.import_module(FRAMEWORK)

App = core.App
Aspects = core.Aspects
CloudBackend = core.CloudBackend
Fn = core.Fn
IAspect = core.IAspect
IStringProducer = core.IStringProducer
Lazy = core.Lazy
LocalBackend = core.LocalBackend
NamedCloudWorkspace = core.NamedCloudWorkspace
TerraformDataSource = core.TerraformDataSource
TerraformProvider = core.TerraformProvider
TerraformLocal = core.TerraformLocal
TerraformOutput = core.TerraformOutput
TerraformResource = core.TerraformResource
TerraformResourceLifecycle = core.TerraformResourceLifecycle
TerraformStack = core.TerraformStack
Testing = core.Testing
Token = core.Token


def resolve_reference(scope: object, value: str) -> object:
    """What a token string resolves to in ``scope``'s stack: ``${aws_iam_role.x.name}`` for
    a reference (the same in cdktn and cdktf)."""
    return core.Tokenization.resolve(value, scope=scope, preparing=False,
                                     resolver=core.DefaultTokenResolver(core.StringConcat()))


class _ProviderSubmodules:
    """``aws.<submodule>`` imports ``<provider package>.<submodule>`` on first access."""

    def __init__(self, package: str) -> None:
        self._package = package

    def __getattr__(self, submodule: str) -> ModuleType:
        module = importlib.import_module(f"{self._package}.{submodule}")
        setattr(self, submodule, module)
        return module


aws = _ProviderSubmodules(PROVIDER_PACKAGES[FRAMEWORK])


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


_FRAMEWORK_OF_PACKAGE = {**{name: name for name in PROVIDER_PACKAGES},
                         **{bindings: name for name, bindings in PROVIDER_PACKAGES.items()}}

# Constructs already checked: a construct asks for its path many times, and each look up
# the tree is a round trip to jsii's Node process.
_checked: weakref.WeakSet[object] = weakref.WeakSet()


def framework_class(construct: object) -> type | None:
    """The first class of ``construct``'s that a framework or its bindings define
    (``cdktf.TerraformStack`` for a user's ``class Prod(cdktf.TerraformStack)``), or None
    for a plain ``constructs.Construct`` and eksguard's own constructs."""
    for cls in type(construct).__mro__:
        if str(cls.__module__).partition(".")[0] in _FRAMEWORK_OF_PACKAGE:
            return cls
    return None


def framework_of(construct: object) -> str | None:
    """The framework (``cdktn`` or ``cdktf``) whose class ``construct`` is, or None."""
    cls = framework_class(construct)
    return None if cls is None else _FRAMEWORK_OF_PACKAGE[str(cls.__module__).partition(".")[0]]


def require_scope_framework(construct: object) -> None:
    """Raise ``ValidationError`` when the nearest framework construct at or above
    ``construct`` (its stack, usually) is of the other framework than this process's."""
    if construct in _checked:
        return
    for ancestor in reversed(construct.node.scopes):  # type: ignore[attr-defined]
        cls = framework_class(ancestor)
        if cls is None:
            continue
        if _FRAMEWORK_OF_PACKAGE[str(cls.__module__).partition(".")[0]] != FRAMEWORK:
            fix = (FIX_EXPLICIT if CHOICE.explicit else FIX_IMPLICIT).format(other=CHOICE.other)
            allowed = ALLOWED_SCOPE_FRAMEWORK.format(framework=FRAMEWORK, title=TITLES[FRAMEWORK],
                                                     reason=CHOICE.reason, other=CHOICE.other, fix=fix)
            path = construct.node.path  # type: ignore[attr-defined]
            raise ValidationError(path, "scope", f"{cls.__module__}.{cls.__qualname__}", allowed)
        break
    _checked.add(construct)


def construct_path(scope: object) -> str:
    """The construct's path in the tree, as shown in error messages.

    Every eksguard construct, and every helper that takes a scope, asks for its path before
    it adds a resource: so this is also where a scope of the other framework is refused
    (``require_scope_framework``), at construction rather than at synth."""
    require_scope_framework(scope)
    return scope.node.path  # type: ignore[attr-defined]
