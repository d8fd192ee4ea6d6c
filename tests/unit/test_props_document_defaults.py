"""Every optional prop of every props/options class documents its default."""

from __future__ import annotations

import dataclasses

import pytest

import eksguard
from eksguard._docs import field_docs

PROPS_CLASSES = list(dict.fromkeys(getattr(eksguard, name) for name in eksguard.__all__
                                   if name.endswith(("Props", "Options", "Spec"))))


def test_the_walk_finds_the_props_classes():
    assert len(PROPS_CLASSES) == 25


@pytest.mark.parametrize("cls", PROPS_CLASSES, ids=lambda c: c.__name__)
def test_optional_fields_document_their_default(cls):
    docs = field_docs(cls)  # what help() and the README table show
    missing = [f.name for f in dataclasses.fields(cls)
               if (f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
               and "Default:" not in docs.get(f.name, "")]
    assert missing == [], f"{cls.__name__}: fields without 'Default:' in their docstring"
    assert dataclasses.fields(cls) and cls.__dataclass_params__.frozen
