"""The CDK CLIs on the reference app, as the README tells a user to run them.

`cdktn synth` and `cdktf synth` write byte for byte what `make synth` writes, and
`cdktn deploy` / `cdktn destroy` take the reference to the embedded emulator and away
again: the endpoint through ``AWS_ENDPOINT_URL``, ``hashicorp/aws`` from the configured
provider mirror (or the registry). The CLIs are the ones `make cli` installs from
tools/cli/package-lock.json, run with a Node >= 22.19 first on PATH.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from eksguard.testing import (
    Emulator,
    HarnessConfig,
    assert_cluster,
    expect_equal,
    read_access_entries,
    read_addons,
    read_cluster,
    read_inventory,
    read_node_group,
)

pytestmark = pytest.mark.eksguard_integration

ROOT = Path(__file__).resolve().parents[2]
CLI_DIR = ROOT / "tools" / "cli"
PROJECT_NODE = ROOT / ".tools" / "node" / "node_modules" / "node" / "bin" / "node"
MIN_NODE = (22, 19)  # cdktn-cli's engines; Node 20 crashes it (markAsUncloneable)
STACK = "eksguard-reference"
FIX = "Fix: run `make cli` (the pinned CLIs from tools/cli/package-lock.json, and Node 22)."
APP_SETTING_PREFIXES = ("EKSGUARD_", "TF_CLOUD_", "TF_WORKSPACE", "CDKTF_OUTDIR")
"""Environment main.py (or the CDK app) reads: each test sets what it means to."""
REAL_AWS = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
"""Never let a deploy meant for the emulator reach a real account."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CliTools:
    """The installed CLIs and the Node that runs them."""

    bin_dir: Path
    node: Path

    def env(self, **settings: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(APP_SETTING_PREFIXES)}
        env.update(settings)
        env["PATH"] = os.pathsep.join([str(self.node.parent), str(self.bin_dir), env.get("PATH", "")])
        env["CHECKPOINT_DISABLE"] = "1"  # no version check against checkpoint-api.hashicorp.com
        return env

    def run(self, command: list[str], env: dict[str, str], timeout: int, check: bool = True,
            ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            pytest.fail(f"`{' '.join(command)}` exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}"
                        f"\n--- stderr\n{result.stderr[-6000:]}", pytrace=False)
        return result


def _node_version(node: Path) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30).stdout
        return tuple(int(part) for part in out.strip().lstrip("v").split(".")[:2])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


@pytest.fixture(scope="module")
def cli() -> CliTools:
    """The pinned CLIs, or a failure (never a skip) saying what is missing and how to fix it."""
    problems = []
    for package, pinned in json.loads((CLI_DIR / "package.json").read_text())["dependencies"].items():
        manifest = CLI_DIR / "node_modules" / package / "package.json"
        installed = json.loads(manifest.read_text())["version"] if manifest.is_file() else None
        if installed != pinned:
            found = "not installed" if installed is None else f"{installed} installed"
            problems.append(f"{package} {pinned} (tools/cli/package.json): {found} in {manifest.parent}")
    candidates = [PROJECT_NODE, *filter(None, [shutil.which("node")])]
    versions = {Path(c): _node_version(Path(c)) for c in candidates}
    node = next((n for n, v in versions.items() if v and v >= MIN_NODE), None)
    if node is None:
        problems.append(f"no Node >= {'.'.join(map(str, MIN_NODE))}: checked " + ", ".join(
            f"{n} ({'.'.join(map(str, v)) if v else 'missing'})" for n, v in versions.items()))
    if problems:
        pytest.fail("eksguard: the CDK CLIs are not ready:\n  " + "\n  ".join(problems) + f"\n{FIX}", pytrace=False)
    return CliTools(bin_dir=CLI_DIR / "node_modules" / ".bin", node=node)


def written(outdir: Path) -> dict[str, bytes]:
    """Every file a synth wrote, by path relative to its output folder."""
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


def test_cdktn_and_cdktf_synth_write_what_make_synth_writes(cli: CliTools, tmp_path: Path) -> None:
    # GIVEN the reference app with its default settings, each synth into its own folder
    env = cli.env()

    # WHEN make synth, cdktn synth and cdktf synth run it (at once: each mostly waits on jsii)
    with ThreadPoolExecutor() as pool:
        runs = [pool.submit(cli.run, ["make", "--no-print-directory", "synth"],
                            {**env, "CDKTF_OUTDIR": str(tmp_path / "make")}, 900),
                *(pool.submit(cli.run, [tool, "synth", "--output", str(tmp_path / tool)], env, 900)
                  for tool in ("cdktn", "cdktf"))]
        for run in runs:
            run.result()

    # THEN the CLIs wrote the same files, byte for byte
    expected = written(tmp_path / "make")
    assert sorted(expected) == ["manifest.json", f"stacks/{STACK}/cdk.tf.json"]
    for tool in ("cdktn", "cdktf"):
        files = written(tmp_path / tool)
        assert sorted(files) == sorted(expected), f"{tool} synth wrote {sorted(files)}"
        differ = [name for name in expected if files[name] != expected[name]]
        assert differ == [], f"{tool} synth differs from make synth in {differ} (see {tmp_path})"


@pytest.mark.requires("eks", "eks:access-entries", "eks:pod-identity-associations", "eks:addons")
def test_cdktn_deploys_and_destroys_the_reference_on_the_emulator(
        cli: CliTools, aws_emulator: Emulator, eksguard_config: HarnessConfig, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    # GIVEN the README's recipe: the emulator through AWS_ENDPOINT_URL with test
    # credentials, a cluster name no other test uses, hashicorp/aws from the configured
    # mirror (then the constraint the harness uses, and no `terraform providers lock`,
    # which always asks the registry) or else the registry
    cluster_name = f"cli-{uuid.uuid4().hex[:8]}"
    settings = {"AWS_ENDPOINT_URL": aws_emulator.endpoint, "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": aws_emulator.region,
                "AWS_DEFAULT_REGION": aws_emulator.region, "EKSGUARD_CLUSTER_NAME": cluster_name}
    flags = ["--output", str(tmp_path / "cdktf.out"), "--auto-approve"]
    if eksguard_config.provider_mirror:
        tfrc = tmp_path / "mirror.tfrc"
        tfrc.write_text("provider_installation {\n"
                        f"  filesystem_mirror {{\n    path = {json.dumps(eksguard_config.provider_mirror)}\n  }}\n}}\n")
        settings["TF_CLI_CONFIG_FILE"] = str(tfrc)
        flags.append("--skip-provider-lock")
    if eksguard_config.aws_provider_version:
        settings["EKSGUARD_AWS_PROVIDER_VERSION"] = eksguard_config.aws_provider_version
    if eksguard_config.terraform:
        settings["TERRAFORM_BINARY_NAME"] = eksguard_config.terraform
    env = {k: v for k, v in cli.env(**settings).items() if k not in REAL_AWS}
    timeout = eksguard_config.command_timeout
    state = tmp_path / "cdktf.out" / "stacks" / STACK / "terraform.tfstate"
    before = read_inventory(aws_emulator.client)
    request.addfinalizer(_destroy_leftovers(cli, state, flags, env, timeout))  # before deploy

    # WHEN cdktn deploys it
    outputs_file = tmp_path / "outputs.json"
    cli.run(["cdktn", "deploy", *flags, "--outputs-file", str(outputs_file)], env, timeout=timeout)

    # THEN the stack's outputs name the cluster, and the emulator holds it as declared:
    # private, on its two subnets, API authentication only, both node groups, the access
    # entries and the add-ons
    out = json.loads(outputs_file.read_text())[STACK]
    assert out["cluster_name"] == cluster_name
    eks = aws_emulator.client("eks")
    cluster = read_cluster(eks, cluster_name)
    assert_cluster(cluster, version="1.35", role_arn=cluster.role_arn, subnet_ids=out["private_subnet_ids"])
    assert cluster.access_config == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    for group, capacity_type in (("on-demand", "ON_DEMAND"), ("spot", "SPOT")):
        node_group = read_node_group(eks, cluster_name, group)
        assert (node_group.capacity_type, node_group.role_arn) == (
            capacity_type, out[f"{group.replace('-', '_')}_node_role_arn"])
    entries = read_access_entries(eks, cluster_name)
    expect_equal("access entry types", {arn: e.type for arn, e in entries.items()}, {
        out["platform_admins_role_arn"]: "STANDARD", out["shop_viewers_role_arn"]: "STANDARD",
        out["on_demand_node_role_arn"]: "EC2_LINUX", out["spot_node_role_arn"]: "EC2_LINUX"})
    expect_equal("add-ons", {name: a.status for name, a in read_addons(eks, cluster_name).items()},
                 {name: "ACTIVE" for name in ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver",
                                              "eks-pod-identity-agent")})

    # WHEN cdktn destroys it THEN the state is empty and nothing the run created remains
    cli.run(["cdktn", "destroy", *flags], env, timeout=timeout)
    assert json.loads(state.read_text())["resources"] == []
    assert read_inventory(aws_emulator.client).minus(before) == {}


def _destroy_leftovers(cli: CliTools, state: Path, flags: list[str], env: dict[str, str],
                       timeout: int) -> Callable[[], None]:
    """Teardown: destroy what a failed test left in the state; a failure is logged with
    the command that finishes it, never raised over the test's own error."""
    def destroy() -> None:
        if not state.is_file() or not json.loads(state.read_text()).get("resources"):
            return
        command = ["cdktn", "destroy", "--skip-synth", *flags]
        result = cli.run(command, env, timeout=timeout, check=False)
        if result.returncode != 0:
            log.error("eksguard: `%s` (in %s) failed, state kept at %s:\n%s", " ".join(command), ROOT, state,
                      result.stderr[-4000:])
    return destroy
