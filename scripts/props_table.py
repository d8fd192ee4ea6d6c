"""Generate the README's props table from the props classes' field docstrings, and its
readiness-rule table from the rules themselves.

    python scripts/props_table.py          # rewrite the table in README.md
    python scripts/props_table.py --check  # exit 1 when README.md is stale
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- props:begin -->", "<!-- props:end -->"
READINESS_BEGIN, READINESS_END = "<!-- readiness:begin -->", "<!-- readiness:end -->"
CLASSES = ("EksClusterProps", "NodeRoleProps", "Imdsv2LaunchTemplateProps", "ManagedNodeGroupOptions",
           "ManagedNodeGroupProps", "ClusterOidcProviderProps", "IrsaRoleOptions", "IrsaRoleProps",
           "PodIdentityRoleOptions", "PodIdentityRoleProps", "WorkloadIdentityProps", "AccessEntryOptions",
           "AccessEntryProps", "AddonIdentityOptions", "CoreAddonsOptions", "SecureEksClusterProps",
           "ClusterNetworkProps")


def _docstrings(cls: type) -> dict[str, str]:
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        tree = ast.parse(inspect.getsource(inspect.getmodule(klass)))
        node = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == klass.__name__)
        for stmt, following in zip(node.body, node.body[1:]):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)):
                docs[stmt.target.id] = " ".join(following.value.value.split())
    return docs


def table() -> str:
    import eksguard

    rows = ["| props class | field | required | what it is, and its default |", "|---|---|---|---|"]
    for name in CLASSES:
        cls = getattr(eksguard, name)
        docs = _docstrings(cls)
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
    return pattern.sub(lambda _: f"{READINESS_BEGIN}\n{readiness_table()}\n{READINESS_END}", readme)


if __name__ == "__main__":
    current = README.read_text()
    fresh = render(current)
    if "--check" in sys.argv:
        sys.exit(0 if fresh == current else 1)
    README.write_text(fresh)
