"""Field documentation of props dataclasses, from one source: the docstring under each field.

``@documented`` reads those string literals from the class's source once, when the module
is imported, and publishes them three ways: in the class's ``__doc__`` (a Google-style
"Attributes:" section, so ``help()`` and IDEs show each field's meaning), in each
``dataclasses.Field.metadata["doc"]``, and in ``cls.__field_docs__``. The README's props
table (``scripts/props_table.py``) is generated from the same data.

Example::

    @documented
    @dataclass(frozen=True, kw_only=True)
    class TaintProps:
        key: str
        '''The taint key.'''
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import linecache
import textwrap
import types
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

DOC_KEY = "doc"
"""The key of a field's description in ``dataclasses.Field.metadata``."""

ATTRIBUTES_HEADING = "Attributes:"
_WIDTH = 88


def documented(cls: T) -> T:
    """Publish the field docstrings of a dataclass; place it above ``@dataclass(...)``,
    so that it sees the fields the dataclass created."""
    if "__dataclass_fields__" not in vars(cls):  # not even a subclass of one
        raise TypeError(f"@documented goes above @dataclass: {cls.__qualname__} is not a dataclass yet")
    docs: dict[str, str] = {}
    for base in reversed(cls.__mro__[1:]):
        docs.update(getattr(base, "__field_docs__", {}))
    docs.update(_own_field_docstrings(cls))
    fields = dataclasses.fields(cls)
    docs = {f.name: docs[f.name] for f in fields if f.name in docs}
    cls.__field_docs__ = types.MappingProxyType(docs)  # type: ignore[attr-defined]
    for f in fields:
        if f.name in docs and f.metadata.get(DOC_KEY) != docs[f.name]:
            # Base classes share their Field objects with subclasses; the text is the same.
            f.metadata = types.MappingProxyType({**f.metadata, DOC_KEY: docs[f.name]})
    cls.__doc__ = _with_attributes(cls.__doc__, fields, docs)
    return cls


def field_docs(cls: type) -> dict[str, str]:
    """Field name -> description, for every documented field of a ``@documented`` class."""
    return dict(getattr(cls, "__field_docs__", {}))


def _own_field_docstrings(cls: type) -> dict[str, str]:
    """The string literal right after each annotated field in the class body, whitespace
    collapsed; empty when the source is not available (a bytecode-only install)."""
    node = _class_node(cls)
    if node is None:
        return {}
    docs = {}
    for stmt, following in zip(node.body, node.body[1:]):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[stmt.target.id] = " ".join(following.value.value.split())
    return docs


def _class_node(cls: type) -> ast.ClassDef | None:
    try:
        filename = inspect.getsourcefile(cls)
    except TypeError:
        return None
    tree = _module_tree(filename) if filename else None
    if tree is None:
        return None
    body: list[ast.stmt] = tree.body
    node: ast.stmt | None = None
    for part in cls.__qualname__.split("."):
        if part == "<locals>":  # a class defined in a function
            continue
        node = next((n for n in body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == part), None)
        if node is None:
            return None
        body = node.body
    return node if isinstance(node, ast.ClassDef) else None


@functools.lru_cache(maxsize=None)
def _module_tree(filename: str) -> ast.Module | None:
    """Each module's source is parsed once, however many classes it documents."""
    source = "".join(linecache.getlines(filename))
    return ast.parse(source) if source else None


def _with_attributes(doc: str | None, fields: tuple[dataclasses.Field[Any], ...],
                     docs: dict[str, str]) -> str:
    """The class docstring (cleaned) followed by one ``name (type): description`` entry per
    documented field, in field order."""
    # Decorating twice replaces the section instead of adding a second one.
    text = (inspect.cleandoc(doc) if doc else "").split(f"\n\n{ATTRIBUTES_HEADING}\n")[0]
    entries = []
    for f in fields:
        if f.name not in docs:
            continue
        entries.append(textwrap.fill(
            f"{f.name} ({_type_name(f.type)}): {docs[f.name]}", width=_WIDTH,
            initial_indent="    ", subsequent_indent="        ", break_on_hyphens=False,
            break_long_words=False))
    if not entries:
        return text
    return f"{text}\n\n{ATTRIBUTES_HEADING}\n" + "\n".join(entries) + "\n"


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)
