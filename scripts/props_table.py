"""Generate the README's props table from the props classes' field docstrings (as
``eksguard._docs.documented`` publishes them for ``help()``), and its readiness-rule table
from the rules themselves, and its table of the EKS rules the emulator enforces from
``eksguard.testing.moto_eks.rules.RULES``.

    python scripts/props_table.py          # rewrite the table in README.md
    python scripts/props_table.py --check  # exit 1 when README.md is stale
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- props:begin -->", "<!-- props:end -->"
READINESS_BEGIN, READINESS_END = "<!-- readiness:begin -->", "<!-- readiness:end -->"
EMULATOR_BEGIN, EMULATOR_END = "<!-- emulator-rules:begin -->", "<!-- emulator-rules:end -->"
CLASSES = ("EksClusterProps", "NodeRoleProps", "Imdsv2LaunchTemplateProps", "ManagedNodeGroupOptions",
           "ManagedNodeGroupProps", "ClusterOidcProviderProps", "IrsaRoleOptions", "IrsaRoleProps",
           "PodIdentityRoleOptions", "PodIdentityRoleProps", "WorkloadIdentityProps", "AccessEntryOptions",
           "AccessEntryProps", "AddonIdentityOptions", "CoreAddonsOptions", "SecureEksClusterProps",
           "ClusterNetworkProps", "TerraformCloudOidcProviderProps", "TerraformCloudWorkspaceRoleProps",
           "TerraformCloudPlanRoleOptions", "GitHubActionsOidcProviderProps", "GitHubActionsRoleProps",
           "AutoModeOptions", "AutoModeNodeRoleProps", "KarpenterProps")


def table() -> str:
    import eksguard
    from eksguard._docs import field_docs

    rows = ["| props class | field | required | what it is, and its default |", "|---|---|---|---|"]
    for name in CLASSES:
        cls = getattr(eksguard, name)
        # What @documented read from the source: the text help() shows, never a copy.
        docs = field_docs(cls)
        for field in dataclasses.fields(cls):
            required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            text = docs.get(field.name, "").replace("|", "\\|")
            rows.append(f"| `{name}` | `{field.name}` | {'yes' if required else ''} | {text} |")
    return "\n".join(rows)


def readiness_table() -> str:
    from eksguard.guardrails.readiness import READINESS_RULES

    rows = ["| rule | finding | fix |", "|---|---|---|"]
    rows += [f"| {r.id} | {r.title} | {r.fix.replace('|', chr(92) + '|')} |" for r in READINESS_RULES.values()]
    return "\n".join(rows)


def render(readme: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    readme = pattern.sub(lambda _: f"{BEGIN}\n{table()}\n{END}", readme)
    pattern = re.compile(re.escape(READINESS_BEGIN) + ".*?" + re.escape(READINESS_END), re.S)
    readme = pattern.sub(lambda _: f"{READINESS_BEGIN}\n{readiness_table()}\n{READINESS_END}", readme)
    from eksguard.testing.moto_eks.rules import rules_table

    pattern = re.compile(re.escape(EMULATOR_BEGIN) + ".*?" + re.escape(EMULATOR_END), re.S)
    return pattern.sub(lambda _: f"{EMULATOR_BEGIN}\n{rules_table()}\n{EMULATOR_END}", readme)


if __name__ == "__main__":
    current = README.read_text()
    fresh = render(current)
    if "--check" in sys.argv:
        sys.exit(0 if fresh == current else 1)
    README.write_text(fresh)
