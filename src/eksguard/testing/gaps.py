"""Emulator gaps that make a re-plan non-empty, declared in one place, and the check that
a plan after apply is empty but for them.

A change is *explained* when every attribute that drives it is a declared gap of its
resource type, or refers to a resource whose change is itself explained (a cluster
replaced for a gap makes its OIDC provider, and the IRSA trust built on it, unknown).
Anything else is real drift and fails the check. The user's stack is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

EMULATOR_GAPS: dict[str, dict[str, dict[str, str]]] = {
    # The embedded moto has none left: eksguard's EKS extension returns the cluster's
    # accessConfig and a node group's remoteAccess as AWS does.
    "moto": {},
}
"""emulator -> resource type -> attribute -> why the emulator cannot verify it."""


@dataclass(frozen=True)
class Change:
    address: str
    actions: tuple[str, ...]
    attributes: tuple[str, ...]
    """The attributes that drive the change."""


@dataclass(frozen=True)
class UnverifiedAttribute:
    """A change excused by a declared gap: reported as "not verified on <emulator>"."""

    address: str
    attribute: str
    reason: str

    def __str__(self) -> str:
        return f"{self.address}.{self.attribute}: {self.reason}"


@dataclass(frozen=True)
class Idempotence:
    """The verdict on a plan made right after apply."""

    emulator: str
    drift: tuple[Change, ...]
    unverified: tuple[UnverifiedAttribute, ...]

    @property
    def ok(self) -> bool:
        return not self.drift

    def report(self) -> str:
        lines = [f"not verified on {self.emulator}: {item}" for item in self.unverified]
        lines += [f"drift: {c.address} {'/'.join(c.actions)} because of {', '.join(c.attributes)}"
                  for c in self.drift]
        return "\n".join(lines)


def _references(expression: Any) -> Iterable[str]:
    if isinstance(expression, dict):
        yield from expression.get("references", [])
        for value in expression.values():
            if isinstance(value, (dict, list)):
                yield from _references(value)
    elif isinstance(expression, list):
        for item in expression:
            yield from _references(item)


def _driving_attributes(change: dict[str, Any]) -> tuple[str, ...]:
    body = change["change"]
    if "delete" in body["actions"] and "create" in body["actions"]:
        return tuple(sorted({str(path[0]) for path in body.get("replace_paths") or []}))
    before, after, unknown = body.get("before") or {}, body.get("after") or {}, body.get("after_unknown") or {}
    return tuple(sorted(k for k in set(before) | set(after)
                        if k != "tags_all" and (unknown.get(k) is True or before.get(k) != after.get(k))))


def evaluate(plan: dict[str, Any], emulator: str,
             gaps: dict[str, dict[str, str]] | None = None) -> Idempotence:
    """Split a post-apply plan into drift and changes the emulator's gaps explain.

    ``gaps`` (resource type -> attribute -> reason) defaults to ``EMULATOR_GAPS[emulator]``.
    """
    gaps = EMULATOR_GAPS.get(emulator, {}) if gaps is None else gaps
    expressions = {r["address"]: r.get("expressions", {})
                   for r in plan.get("configuration", {}).get("root_module", {}).get("resources", [])}
    changes = [Change(rc["address"], tuple(rc["change"]["actions"]), _driving_attributes(rc))
               for rc in plan.get("resource_changes", [])
               if rc["change"]["actions"] not in (["no-op"], ["read"]) and rc.get("mode") != "data"]
    explained: dict[str, list[UnverifiedAttribute]] = {}
    progress = True
    while progress:
        progress = False
        for change in changes:
            if change.address in explained:
                continue
            rtype = change.address.split(".")[0]
            notes = []
            for attribute in change.attributes:
                if attribute in gaps.get(rtype, {}):
                    notes.append(UnverifiedAttribute(change.address, attribute, gaps[rtype][attribute]))
                    continue
                cause = next((ref for ref in _references(expressions.get(change.address, {}).get(attribute))
                              if any(ref == a or ref.startswith(a + ".") for a in explained)), None)
                if cause is None:
                    break
                notes.append(UnverifiedAttribute(
                    change.address, attribute, f"follows from the change to {cause}"))
            else:
                if change.attributes:
                    explained[change.address] = notes
                    progress = True
    return Idempotence(
        emulator=emulator,
        drift=tuple(c for c in changes if c.address not in explained),
        unverified=tuple(note for notes in explained.values() for note in notes),
    )
