"""Can Terraform install ``hashicorp/aws`` here? Answered once per session, before any
Terraform command, so that an offline machine gets one message naming what to set
instead of a ``Failed to query available provider packages`` from every test.

Where Terraform installs from, given the CLI configuration the harness writes:

- the configured provider mirror (``filesystem_mirror``), and nothing else;
- without one, Terraform's implied local mirror directories when one holds
  ``hashicorp/aws`` (Terraform then never asks the registry for it);
- otherwise the registry, which must answer.

Example::

    check = ProviderCheck.for_config(config)   # raises ProviderUnavailableError
    check.require_stack(stack.document, stack.name)
"""

from __future__ import annotations

import os
import platform
import re
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksguard.errors import ProviderUnavailableError
from eksguard.testing.config import SETTINGS, HarnessConfig
from eksguard.testing.terraform import resolve_binary

REGISTRY_TIMEOUT = 5.0
"""Seconds to wait for the registry: long enough for a slow proxy, short enough that an
offline machine learns it at once."""

PACKED = re.compile(r"terraform-provider-aws_(?P<version>[^_]+)_(?P<platform>[a-z0-9]+_[a-z0-9]+)\.zip")
"""A packed mirror entry: ``HOST/hashicorp/aws/terraform-provider-aws_VERSION_OS_ARCH.zip``."""

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
_CLAUSE = re.compile(r"\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*")

BAD_CONSTRAINT = ("{text!r} is not a Terraform version constraint: use operators =, !=, >, >=, <, <=, ~> "
                  "before versions, comma-separated, e.g. '>= 5.0, < 7.0'")
MISSING_VERSION = (
    "eksguard: Terraform cannot install hashicorp/aws {wanted} for {platform}: {origin} has {available}. "
    "Checked: {checked}. Fix: add a matching version to the mirror (`terraform providers mirror "
    "-platform={platform} DIR` on a machine with registry access), or point {mirror_setting} at a mirror "
    "that has one{relax}.")
REGISTRY_UNREACHABLE = (
    "eksguard: Terraform cannot install hashicorp/aws: no provider mirror is set and {host} does not "
    "answer. Checked: {checked}. Fix: set {mirror_setting} to a filesystem mirror of providers "
    "(the layout `terraform providers mirror DIR` writes: DIR/{host}/hashicorp/aws/...), or let this "
    "machine reach {host}.")


def setting_names(name: str) -> str:
    """Every way to give one setting, for messages."""
    setting = next(s for s in SETTINGS if s.name == name)
    return f"{setting.env} / {setting.option} / ini {setting.ini}"


@dataclass(frozen=True)
class Version:
    """A provider version; a constraint may leave out minor and patch (they are 0)."""

    major: int
    minor: int = 0
    patch: int = 0
    prerelease: str = ""

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """The version ``text`` names, or None when it names none."""
        parsed = _parse_version(text)
        return parsed[0] if parsed else None

    @property
    def key(self) -> tuple[Any, ...]:
        """Semantic-version order: a prerelease sorts before its release."""
        if not self.prerelease:
            return (self.major, self.minor, self.patch, True, ())
        identifiers = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease.split("."))
        return (self.major, self.minor, self.patch, False, identifiers)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-{self.prerelease}" if self.prerelease else "")


def _parse_version(text: str) -> tuple[Version, int] | None:
    """The version and how many of major.minor.patch were written (``~>`` needs that)."""
    match = _VERSION.fullmatch(text)
    if not match:
        return None
    parts = match.group(1, 2, 3)
    major, minor, patch = (int(part or 0) for part in parts)
    return Version(major, minor, patch, match.group(4) or ""), sum(part is not None for part in parts)


def _version_order(text: str) -> tuple[Any, ...]:
    version = Version.parse(text)
    return (1, version.key) if version else (0, text)


@dataclass(frozen=True)
class Clause:
    """One ``operator version`` of a constraint."""

    operator: str
    version: Version
    parts: int
    """How many of major.minor.patch were written: ``~>`` lets only the last one grow."""

    def allows(self, version: Version) -> bool:
        have, bound = version.key, self.version.key
        if self.operator == "~>":
            upper = (Version(self.version.major + 1) if self.parts < 3
                     else Version(self.version.major, self.version.minor + 1))
            return bound <= have < upper.key
        return {"=": have == bound, "!=": have != bound, ">": have > bound, ">=": have >= bound,
                "<": have < bound, "<=": have <= bound}[self.operator]


@dataclass(frozen=True)
class Constraint:
    """A Terraform version constraint, e.g. ``>= 5.0, < 7.0`` or ``~> 5.100``.

    Example::

        Constraint.parse("~> 5.1").allows(Version(5, 100))  # True
    """

    text: str
    clauses: tuple[Clause, ...]

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """Raises ValueError (``BAD_CONSTRAINT``) when ``text`` is not one."""
        clauses = []
        for part in text.split(","):
            match = _CLAUSE.fullmatch(part)
            parsed = _parse_version(match.group(2)) if match else None
            if match is None or parsed is None:
                raise ValueError(BAD_CONSTRAINT.format(text=text))
            clauses.append(Clause(match.group(1) or "=", *parsed))
        return cls(text=text, clauses=tuple(clauses))

    def allows(self, version: Version) -> bool:
        # As Terraform: a prerelease is chosen only when a clause names it exactly.
        if version.prerelease and not any(c.operator == "=" and c.version == version for c in self.clauses):
            return False
        return all(clause.allows(version) for clause in self.clauses)


def current_platform() -> str:
    """This machine as Terraform names platforms, e.g. ``linux_amd64``."""
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64", "i386": "386", "i686": "386"}.get(machine, machine)
    return f"{platform.system().lower()}_{'arm' if arch.startswith('armv') else arch}"


def mirror_versions(mirror: Path, host: str) -> dict[str, set[str]]:
    """Version -> platforms of ``hashicorp/aws`` in a filesystem mirror, packed
    (``terraform-provider-aws_VERSION_OS_ARCH.zip``) or unpacked (``VERSION/OS_ARCH/``)."""
    found: dict[str, set[str]] = {}
    base = mirror / host / "hashicorp" / "aws"
    for entry in base.iterdir() if base.is_dir() else ():
        if entry.is_dir():
            platforms = {target.name for target in entry.iterdir() if target.is_dir()}
            if platforms:
                found.setdefault(entry.name, set()).update(platforms)
        elif match := PACKED.fullmatch(entry.name):
            found.setdefault(match["version"], set()).add(match["platform"])
    return found


def implied_mirror_dirs(environ: Mapping[str, str], app: str = "terraform") -> list[Path]:
    """Terraform's implied local mirror directories, which it reads when the CLI
    configuration has no ``provider_installation`` block (the harness's, without a mirror)."""
    home = Path(environ.get("HOME") or Path.home())
    dirs = [home / ".terraform.d" / "plugins"]
    if sys.platform == "darwin":
        return [*dirs, home / "Library/Application Support/io.terraform/plugins",
                Path("/Library/Application Support/io.terraform/plugins")]
    data_home = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    data_dirs = (environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":")
    return [*dirs, *(Path(d) / app / "plugins" for d in (data_home, *data_dirs) if d)]


def registry_problem(url: str, timeout: float = REGISTRY_TIMEOUT) -> str | None:
    """None when the registry answers at ``url``; else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed https URL
            response.read(1)
    except urllib.error.HTTPError:
        return None  # it answered: Terraform's own error, if any, is the better message
    except urllib.error.URLError as error:
        if isinstance(error.reason, ssl.SSLError):
            return None  # it answered; Terraform may trust a CA that Python does not
        return str(error.reason)
    except OSError as error:  # a timeout while reading
        return str(error) or type(error).__name__
    return None


def stack_constraint(document: Mapping[str, Any]) -> str | None:
    """The ``hashicorp/aws`` version constraint a synthesized stack pins, if any."""
    required = document.get("terraform", {}).get("required_providers", {})
    for entry in required if isinstance(required, list) else [required]:
        aws = entry.get("aws")
        if isinstance(aws, dict):
            return aws.get("version") or None
    return None


@dataclass(frozen=True)
class ProviderCheck:
    """Where Terraform will install ``hashicorp/aws`` from, and which versions are there."""

    platform: str
    host: str
    mirrors: tuple[Path, ...]
    """Empty: the registry, which answered."""
    versions: Mapping[str, frozenset[str]]
    """Version -> platforms across ``mirrors``."""
    origin: str
    """The mirrors as a message names them."""
    configured_constraint: str | None = None
    """The constraint the config sets for every stack; None: each stack's own."""

    @classmethod
    def for_config(cls, config: HarnessConfig, environ: Mapping[str, str] | None = None,
                   registry_timeout: float = REGISTRY_TIMEOUT) -> ProviderCheck:
        """Find the source and check the configured constraint against it.

        Raises ``ProviderUnavailableError`` (or ``EksguardError`` without a Terraform binary).
        """
        environ = os.environ if environ is None else environ
        # OpenTofu resolves hashicorp/aws on its own registry, and lays out mirrors by that host.
        tofu = Path(resolve_binary(config.terraform)).name.startswith("tofu")
        host, app = ("registry.opentofu.org", "opentofu") if tofu else ("registry.terraform.io", "terraform")
        if config.provider_mirror:
            mirrors = [Path(config.provider_mirror)]
            origin = f"the provider mirror {config.provider_mirror} ({setting_names('provider_mirror')})"
        else:
            implied = implied_mirror_dirs(environ, app)
            mirrors = [d for d in implied if mirror_versions(d, host)]
            origin = f"Terraform's implied local mirror {', '.join(map(str, mirrors))} (no provider mirror set)"
            if not mirrors:
                url = f"https://{host}/.well-known/terraform.json"
                problem = registry_problem(url, registry_timeout)
                if problem:
                    checked = [f"{d / host / 'hashicorp' / 'aws'} (none)" for d in implied]
                    raise ProviderUnavailableError(REGISTRY_UNREACHABLE.format(
                        checked="; ".join([*checked, f"{url} ({problem})"]), host=host,
                        mirror_setting=setting_names("provider_mirror")))
                return cls(platform=current_platform(), host=host, mirrors=(), versions={}, origin=host,
                           configured_constraint=config.aws_provider_version)
        versions: dict[str, set[str]] = {}
        for mirror in mirrors:
            for version, platforms in mirror_versions(mirror, host).items():
                versions.setdefault(version, set()).update(platforms)
        check = cls(platform=current_platform(), host=host, mirrors=tuple(mirrors),
                    versions={v: frozenset(p) for v, p in versions.items()}, origin=origin,
                    configured_constraint=config.aws_provider_version)
        wanted_by = f"set with {setting_names('aws_provider_version')}"
        check.require(config.aws_provider_version, wanted_by)
        return check

    def require(self, constraint: str | None, wanted_by: str) -> None:
        """Raise ``ProviderUnavailableError`` unless the mirrors have a version for this
        platform that ``constraint`` (None: any) allows. Nothing to check on the registry."""
        if not self.mirrors:
            return
        try:
            allowed = Constraint.parse(constraint) if constraint else None
        except ValueError as error:
            raise ProviderUnavailableError(f"eksguard: hashicorp/aws version ({wanted_by}): {error}") from None
        usable = sorted((version for text, platforms in self.versions.items() if self.platform in platforms
                         and (version := Version.parse(text))), key=lambda version: version.key)
        if any(allowed is None or allowed.allows(version) for version in usable):
            return
        available = ", ".join(f"{text} ({', '.join(sorted(self.versions[text]))})"
                              for text in sorted(self.versions, key=_version_order))
        raise ProviderUnavailableError(MISSING_VERSION.format(
            wanted=f"{constraint!r} ({wanted_by})" if constraint else "(any version)",
            platform=self.platform, origin=self.origin, available=available or "no hashicorp/aws",
            checked="; ".join(str(m / self.host / "hashicorp" / "aws") for m in self.mirrors),
            mirror_setting=setting_names("provider_mirror"),
            relax=(f", or set {setting_names('aws_provider_version')} to a constraint that accepts one of "
                   f"its versions, e.g. '{usable[-1]}'") if usable else ""))

    def require_stack(self, document: Mapping[str, Any], name: str) -> None:
        """Check the stack's own pin, when the config does not replace it."""
        if self.configured_constraint is None:
            self.require(stack_constraint(document), f"pinned by stack {name}")
