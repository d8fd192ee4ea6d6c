"""Every optional prop of every props/options class documents its default."""

from __future__ import annotations

import ast
import dataclasses
import inspect

import pytest

import eksguard

PROPS_CLASSES = list(dict.fromkeys(getattr(eksguard, name) for name in eksguard.__all__
                                   if name.endswith(("Props", "Options", "Spec"))))


def _field_docstrings(cls) -> dict[str, str]:
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__)
    docs = {}
    for stmt, following in zip(node.body, node.body[1:]):
        if isinstance(stmt, ast.AnnAssign) and isinstance(following, ast.Expr) and isinstance(
                following.value, ast.Constant):
            docs[stmt.target.id] = following.value.value
    return docs


def test_the_walk_finds_the_props_classes():
    assert len(PROPS_CLASSES) == 17


@pytest.mark.parametrize("cls", PROPS_CLASSES, ids=lambda c: c.__name__)
def test_optional_fields_document_their_default(cls):
    docs = {}
    for klass in cls.__mro__:
        if dataclasses.is_dataclass(klass):
            docs = {**_field_docstrings(klass), **docs}
    missing = [f.name for f in dataclasses.fields(cls)
               if (f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
               and "Default:" not in docs.get(f.name, "")]
    assert missing == [], f"{cls.__name__}: fields without 'Default:' in their docstring"
    assert dataclasses.fields(cls) and cls.__dataclass_params__.frozen
