"""Where a construct is placed, checked before jsii sees it: a scope that is not a
construct in a stack, an id that is empty or that a sibling has, are refused as
``ValidationError`` naming the scope's path, rather than as jsii's "There is already a
Construct with name ..." or a ``SerializationError`` with a JavaScript stack.

Every eksguard construct derives from ``EksguardConstruct``; helpers that take an optional
scope call ``require_scope``.
"""

from __future__ import annotations

from typing import Any

from constructs import Construct

from eksguard.errors import ValidationError

ALLOWED_SCOPE = "a construct in a TerraformStack (the stack itself, or a construct inside one)"
ALLOWED_ID = "a non-empty construct id without '/'"


def _path(scope: Construct) -> str:
    return scope.node.path or "(app)"


def require_scope(where: str, field: str, scope: Any) -> None:
    """``scope`` is a construct inside a TerraformStack; ``where`` names the caller."""
    from eksguard._framework import FRAMEWORK, TerraformStack, framework_of

    if not isinstance(scope, Construct):
        shown = scope if scope is None or isinstance(scope, (str, int, float, bool)) else type(scope).__name__
        raise ValidationError(where, field, shown, ALLOWED_SCOPE)
    try:
        TerraformStack.of(scope)
    except Exception:  # jsii: "No stack could be identified for the construct at path ..."
        if any(framework_of(a) not in (None, FRAMEWORK) for a in scope.node.scopes):
            return  # the other framework's stack: construct_path refuses it, naming both frameworks
        raise ValidationError(where, field, _path(scope), ALLOWED_SCOPE) from None


class EksguardConstruct(Construct):
    """A ``Construct`` whose placement is checked first (module docstring)."""

    def __init__(self, scope: Construct, id: str) -> None:
        where = f"{_path(scope)}/{id}" if isinstance(scope, Construct) and isinstance(id, str) else str(id)
        require_scope(where, "scope", scope)
        if not isinstance(id, str) or not id or "/" in id:
            raise ValidationError(_path(scope), "id", id, ALLOWED_ID)
        if scope.node.try_find_child(id) is not None:
            raise ValidationError(_path(scope), "id", id, f"an id no other construct directly under {_path(scope)} has")
        super().__init__(scope, id)
