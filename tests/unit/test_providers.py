"""The provider check that runs before Terraform: version constraints, mirror layouts,
Terraform's implied local mirrors, the registry probe, and the one message."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from eksguard.errors import EksguardError, ProviderUnavailableError
from eksguard.testing import providers
from eksguard.testing.config import HarnessConfig
from eksguard.testing.providers import (
    BAD_CONSTRAINT,
    Constraint,
    ProviderCheck,
    Version,
    current_platform,
    implied_mirror_dirs,
    mirror_versions,
    registry_problem,
    stack_constraint,
)

HOST = "registry.terraform.io"
PLATFORM = current_platform()


@pytest.mark.parametrize(("constraint", "version", "allowed"), [
    ("5.100.0", "5.100.0", True),
    ("= 5.100.0", "5.100.1", False),
    ("=5.100", "5.100.0", True),
    ("!= 5.100.0", "5.100.0", False),
    ("!= 5.100.0", "5.99.0", True),
    ("> 5.99", "5.100.0", True),
    ("> 5.100.0", "5.100.0", False),
    (">= 5.0", "5.100.0", True),
    (">=5", "4.67.0", False),
    ("< 6", "5.100.0", True),
    ("< 6", "6.0.0", False),
    ("<= 6.0", "6.0.0", True),
    ("<= 6.0", "6.0.1", False),
    ("~> 5.100.0", "5.100.9", True),
    ("~> 5.100.0", "5.101.0", False),
    ("~> 5.1", "5.100.0", True),
    ("~> 5.1", "6.0.0", False),
    ("~> 5.1", "5.0.9", False),
    ("~> 5", "5.100.0", True),
    ("~> 5", "6.0.0", False),
    (">= 5.0, < 6.0", "5.100.0", True),
    (">= 5.0, < 6.0", "6.69.1", False),
    (">= 5.0,!= 5.100.0", "5.100.0", False),
    ("6.69.1", "5.100.0", False),
    # A prerelease is chosen only by an exact constraint, as in Terraform.
    (">= 5.0", "6.0.0-beta1", False),
    ("6.0.0-beta1", "6.0.0-beta1", True),
    ("6.0.0", "6.0.0-beta1", False),
    ("< 6.0.0", "6.0.0-beta1", False),
])
def test_constraint_allows_versions_as_terraform_does(constraint, version, allowed):
    # GIVEN a Terraform version constraint and a provider version
    # WHEN the constraint is asked about the version
    parsed = Version.parse(version)
    assert parsed is not None
    # THEN it answers as Terraform would
    assert Constraint.parse(constraint).allows(parsed) is allowed


@pytest.mark.parametrize("text", ["", ">= 5.0,", "=> 5.0", "== 5.0", "~ 5.0", ">= five", "5.0 6.0", ">= v5.0"])
def test_a_bad_constraint_is_rejected_with_the_syntax(text):
    # GIVEN text that is not a Terraform version constraint / WHEN parsed
    with pytest.raises(ValueError) as caught:
        Constraint.parse(text)
    # THEN the message names the text and the syntax
    assert str(caught.value) == BAD_CONSTRAINT.format(text=text)
    assert str(caught.value).startswith(f"{text!r} is not a Terraform version constraint: use operators")


@pytest.mark.parametrize(("lower", "higher"), [
    ("5.99.0", "5.100.0"),
    ("6.0.0-alpha", "6.0.0-beta"),
    ("6.0.0-beta.2", "6.0.0-beta.10"),
    ("6.0.0-beta", "6.0.0"),
    ("5.100.0", "6.0.0-alpha"),
])
def test_versions_order_semantically(lower, higher):
    # GIVEN two versions / WHEN ordered / THEN numbers compare as numbers, a prerelease before its release
    assert Version.parse(lower).key < Version.parse(higher).key  # type: ignore[union-attr]


def test_versions_parse_and_print():
    assert (Version.parse("5.100.0+build.1"), Version.parse("not-a-version")) == (Version(5, 100, 0), None)
    assert str(Version.parse("6.0.0-beta1")) == "6.0.0-beta1"


@pytest.mark.parametrize(("system", "machine", "expected"), [
    ("Linux", "x86_64", "linux_amd64"),
    ("Linux", "aarch64", "linux_arm64"),
    ("Darwin", "arm64", "darwin_arm64"),
    ("Linux", "armv7l", "linux_arm"),
    ("FreeBSD", "i386", "freebsd_386"),
])
def test_the_platform_is_named_as_terraform_names_it(monkeypatch, system, machine, expected):
    # GIVEN a machine / WHEN named / THEN as Terraform's OS_ARCH
    monkeypatch.setattr(providers.platform, "system", lambda: system)
    monkeypatch.setattr(providers.platform, "machine", lambda: machine)
    assert current_platform() == expected


def _unpacked(mirror: Path, version: str, platform: str = PLATFORM, host: str = HOST) -> Path:
    target = mirror / host / "hashicorp" / "aws" / version / platform
    target.mkdir(parents=True)
    (target / f"terraform-provider-aws_v{version}_x5").write_text("")
    return mirror


def _packed(mirror: Path, version: str, platform: str = PLATFORM, host: str = HOST) -> Path:
    base = mirror / host / "hashicorp" / "aws"
    base.mkdir(parents=True, exist_ok=True)
    (base / f"terraform-provider-aws_{version}_{platform}.zip").write_text("")
    return mirror


def test_mirror_versions_reads_packed_and_unpacked_layouts(tmp_path):
    # GIVEN a mirror with both layouts, another provider, and files Terraform ignores
    _unpacked(tmp_path, "5.100.0", "linux_amd64")
    _unpacked(tmp_path, "5.100.0", "darwin_arm64")
    _packed(tmp_path, "6.69.1", "linux_arm64")
    _packed(tmp_path, "5.100.0", "windows_amd64")
    (tmp_path / HOST / "hashicorp" / "aws" / "index.json").write_text("{}")
    (tmp_path / HOST / "hashicorp" / "aws" / "4.0.0").mkdir()  # no platform inside
    _unpacked(tmp_path, "3.2.0", host="registry.opentofu.org")
    (tmp_path / HOST / "hashicorp" / "tls" / "4.0.0" / "linux_amd64").mkdir(parents=True)
    # WHEN listed / THEN every hashicorp/aws version of the host, with its platforms
    assert mirror_versions(tmp_path, HOST) == {
        "5.100.0": {"linux_amd64", "darwin_arm64", "windows_amd64"}, "6.69.1": {"linux_arm64"}}
    assert mirror_versions(tmp_path / "missing", HOST) == {}


@pytest.mark.skipif(providers.sys.platform == "darwin", reason="the XDG directories are for Linux and Unix")
@pytest.mark.parametrize(("environ", "expected"), [
    ({"HOME": "/h"}, ["/h/.terraform.d/plugins", "/h/.local/share/terraform/plugins",
                      "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins"]),
    ({"HOME": "/h", "XDG_DATA_HOME": "/data", "XDG_DATA_DIRS": "/a:/b"},
     ["/h/.terraform.d/plugins", "/data/terraform/plugins", "/a/terraform/plugins", "/b/terraform/plugins"]),
])
def test_implied_mirror_dirs_follow_terraforms_documented_list(environ, expected):
    # GIVEN a home and XDG variables / WHEN listed / THEN Terraform's implied local mirror directories
    assert implied_mirror_dirs(environ) == [Path(p) for p in expected]


@pytest.mark.parametrize(("document", "expected"), [
    ({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "6.69.1"}}}}, "6.69.1"),
    ({"terraform": {"required_providers": [{"aws": {"version": ">= 5.0"}}]}}, ">= 5.0"),
    ({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}}}, None),
    ({}, None),
])
def test_stack_constraint_is_the_stacks_aws_pin(document, expected):
    assert stack_constraint(document) == expected


@pytest.fixture
def terraform(tmp_path: Path) -> str:
    """A Terraform binary that is never run: the check only resolves it."""
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\nexit 1\n")
    binary.chmod(0o755)
    return str(binary)


@pytest.fixture
def no_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the registry is probed."""
    def probed(url: str, timeout: float) -> str:
        raise AssertionError(f"the registry was probed: {url}")
    monkeypatch.setattr(providers, "registry_problem", probed)


def _check(terraform: str, environ: dict[str, str] | None = None, **settings: str) -> ProviderCheck:
    return ProviderCheck.for_config(HarnessConfig(terraform=terraform, **settings), environ or {"HOME": "/none"})


@pytest.mark.usefixtures("no_registry")
@pytest.mark.parametrize(("layout", "constraint"), [(_unpacked, ">= 5.0, < 6.0"), (_packed, "~> 5.100"), (_packed, None)])
def test_a_mirror_with_a_matching_version_passes(tmp_path, terraform, layout, constraint):
    # GIVEN a mirror holding 5.100.0 for this platform, in either layout
    mirror = layout(tmp_path / "mirror", "5.100.0")
    # WHEN checked against a constraint it meets (or none)
    check = _check(terraform, provider_mirror=str(mirror), **({"aws_provider_version": constraint} if constraint else {}))
    # THEN it passes without asking the registry
    assert (check.mirrors, dict(check.versions)) == ((mirror,), {"5.100.0": frozenset({PLATFORM})})


@pytest.mark.usefixtures("no_registry")
def test_a_mirror_without_the_version_names_what_it_has_and_the_settings(tmp_path, terraform):
    # GIVEN a mirror with 5.100.0 for this platform and 6.69.1 for another one
    mirror = _unpacked(tmp_path / "mirror", "5.100.0")
    _packed(mirror, "6.69.1", "plan9_mips")
    # WHEN the configured constraint wants 6.x
    with pytest.raises(ProviderUnavailableError) as caught:
        _check(terraform, provider_mirror=str(mirror), aws_provider_version=">= 6.0")
    # THEN one message says what was wanted, what the mirror has, what was checked and the fixes
    assert str(caught.value) == (
        f"eksguard: Terraform cannot install hashicorp/aws '>= 6.0' (set with EKSGUARD_AWS_PROVIDER_VERSION / "
        f"--eksguard-aws-provider-version / ini eksguard_aws_provider_version) for {PLATFORM}: the provider "
        f"mirror {mirror} (EKSGUARD_PROVIDER_MIRROR / --eksguard-provider-mirror / ini eksguard_provider_mirror) "
        f"has 5.100.0 ({PLATFORM}), 6.69.1 (plan9_mips). Checked: {mirror}/{HOST}/hashicorp/aws. Fix: add a "
        f"matching version to the mirror (`terraform providers mirror -platform={PLATFORM} DIR` on a machine "
        f"with registry access), or point EKSGUARD_PROVIDER_MIRROR / --eksguard-provider-mirror / ini "
        f"eksguard_provider_mirror at a mirror that has one, or set EKSGUARD_AWS_PROVIDER_VERSION / "
        f"--eksguard-aws-provider-version / ini eksguard_aws_provider_version to a constraint that accepts one "
        f"of its versions, e.g. '5.100.0'.")
    assert isinstance(caught.value, EksguardError)


@pytest.mark.usefixtures("no_registry")
def test_an_empty_mirror_fails_even_without_a_constraint(tmp_path, terraform):
    # GIVEN a mirror folder without hashicorp/aws / WHEN checked / THEN it says so up front
    with pytest.raises(ProviderUnavailableError) as caught:
        _check(terraform, provider_mirror=str(tmp_path))
    assert str(caught.value).startswith(
        f"eksguard: Terraform cannot install hashicorp/aws (any version) for {PLATFORM}: the provider mirror "
        f"{tmp_path} (EKSGUARD_PROVIDER_MIRROR / --eksguard-provider-mirror / ini eksguard_provider_mirror) "
        f"has no hashicorp/aws. Checked: {tmp_path}/{HOST}/hashicorp/aws. Fix: add")
    assert str(caught.value).endswith("at a mirror that has one.")


@pytest.mark.usefixtures("no_registry")
def test_a_bad_configured_constraint_stops_with_the_setting_named(tmp_path, terraform):
    mirror = _unpacked(tmp_path / "mirror", "5.100.0")
    with pytest.raises(ProviderUnavailableError) as caught:
        _check(terraform, provider_mirror=str(mirror), aws_provider_version="=> 5")
    assert str(caught.value) == (
        "eksguard: hashicorp/aws version (set with EKSGUARD_AWS_PROVIDER_VERSION / --eksguard-aws-provider-version"
        " / ini eksguard_aws_provider_version): " + BAD_CONSTRAINT.format(text="=> 5"))


@pytest.mark.usefixtures("no_registry")
@pytest.mark.parametrize(("configured", "stopped"), [(None, True), (">= 5.0", False)])
def test_the_stack_pin_is_checked_only_when_the_config_does_not_replace_it(tmp_path, terraform, configured, stopped):
    # GIVEN a 5.100.0 mirror and a stack pinning 6.69.1, as cdktn's bindings do
    mirror = _unpacked(tmp_path / "mirror", "5.100.0")
    check = _check(terraform, provider_mirror=str(mirror), **({"aws_provider_version": configured} if configured else {}))
    document = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "6.69.1"}}}}
    # WHEN the stack is about to be deployed
    if not stopped:
        check.require_stack(document, "demo")  # THEN the configured constraint replaces the pin
        return
    with pytest.raises(ProviderUnavailableError) as caught:
        check.require_stack(document, "demo")
    # THEN the pin is checked and named
    assert str(caught.value).startswith(
        f"eksguard: Terraform cannot install hashicorp/aws '6.69.1' (pinned by stack demo) for {PLATFORM}: "
        f"the provider mirror {mirror} ")


@pytest.mark.usefixtures("no_registry")
def test_terraforms_implied_local_mirror_is_used_without_the_registry(tmp_path, terraform):
    # GIVEN no configured mirror, and hashicorp/aws in $XDG_DATA_HOME/terraform/plugins
    implied = _packed(tmp_path / "data" / "terraform" / "plugins", "5.100.0")
    environ = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_DATA_DIRS": "/nonexistent"}
    # WHEN checked against a constraint it meets / THEN it passes without asking the registry
    assert _check(terraform, environ, aws_provider_version=">= 5.0").mirrors == (implied,)
    # AND WHEN against one it does not / THEN the message names the implied mirror
    with pytest.raises(ProviderUnavailableError) as caught:
        _check(terraform, environ, aws_provider_version="~> 6.0")
    assert f"for {PLATFORM}: Terraform's implied local mirror {implied} (no provider mirror set) has 5.100.0" in str(caught.value)


@pytest.mark.skipif(providers.sys.platform == "darwin", reason="the XDG directories are for Linux and Unix")
def test_no_mirror_and_no_registry_says_what_to_set(tmp_path, terraform, monkeypatch):
    # GIVEN no mirror anywhere and a registry that does not answer
    monkeypatch.setattr(providers, "registry_problem", lambda url, timeout: "[Errno -2] Name or service not known")
    environ = {"HOME": "/h", "XDG_DATA_HOME": "/d", "XDG_DATA_DIRS": "/s"}
    # WHEN checked
    with pytest.raises(ProviderUnavailableError) as caught:
        _check(terraform, environ)
    # THEN one message lists what was checked and the setting to use
    assert str(caught.value) == (
        "eksguard: Terraform cannot install hashicorp/aws: no provider mirror is set and registry.terraform.io "
        "does not answer. Checked: /h/.terraform.d/plugins/registry.terraform.io/hashicorp/aws (none); "
        "/d/terraform/plugins/registry.terraform.io/hashicorp/aws (none); "
        "/s/terraform/plugins/registry.terraform.io/hashicorp/aws (none); "
        "https://registry.terraform.io/.well-known/terraform.json ([Errno -2] Name or service not known). "
        "Fix: set EKSGUARD_PROVIDER_MIRROR / --eksguard-provider-mirror / ini eksguard_provider_mirror to a "
        "filesystem mirror of providers (the layout `terraform providers mirror DIR` writes: "
        "DIR/registry.terraform.io/hashicorp/aws/...), or let this machine reach registry.terraform.io.")


def test_a_reachable_registry_passes_and_opentofu_uses_its_own(tmp_path, monkeypatch):
    # GIVEN OpenTofu, no mirror, and a registry that answers
    tofu = tmp_path / "tofu"
    tofu.write_text("#!/bin/sh\n")
    tofu.chmod(0o755)
    probed: list[str] = []
    monkeypatch.setattr(providers, "registry_problem", lambda url, timeout: probed.append(url))
    # WHEN checked / THEN it asks OpenTofu's registry, and there are no versions to check
    check = _check(str(tofu), {"HOME": str(tmp_path), "XDG_DATA_DIRS": str(tmp_path)})
    assert (probed, check.mirrors, check.host) == (
        ["https://registry.opentofu.org/.well-known/terraform.json"], (), "registry.opentofu.org")
    check.require_stack({"terraform": {"required_providers": {"aws": {"version": "99.0.0"}}}}, "any")


@pytest.fixture
def http_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("path", ["/ok", "/missing"])
def test_a_registry_that_answers_is_reachable(http_server, path):
    # GIVEN a server that answers, even with an HTTP error / WHEN probed / THEN it is reachable
    assert registry_problem(http_server + path, timeout=5) is None


def test_a_registry_that_does_not_answer_says_why():
    # GIVEN a port nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # WHEN probed / THEN the reason is the connection error
    assert registry_problem(f"http://127.0.0.1:{port}/", timeout=5) == "[Errno 111] Connection refused"
