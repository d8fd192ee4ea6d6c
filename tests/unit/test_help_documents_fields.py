"""``help()`` shows what every props field means, from the same text as the README table."""

from __future__ import annotations

import dataclasses
import importlib.util
import pkgutil
import pydoc
import re
from pathlib import Path

import pytest

import eksguard
import eksguard.constructs
import eksguard.modules
from eksguard._docs import ATTRIBUTES_HEADING, DOC_KEY, documented, field_docs

ROOT = Path(__file__).resolve().parents[2]


def _props_table():
    spec = importlib.util.spec_from_file_location("props_table", ROOT / "scripts" / "props_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_dataclasses() -> list[type]:
    """Every dataclass defined in eksguard's construct and module files."""
    found = {}
    for package in (eksguard.constructs, eksguard.modules):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (isinstance(value, type) and dataclasses.is_dataclass(value)
                        and value.__module__ == module.__name__ and not value.__name__.startswith("_")):
                    found[value.__qualname__] = value
    return sorted(found.values(), key=lambda c: c.__name__)


DOCUMENTED = _public_dataclasses()
TABLE_CLASSES = [getattr(eksguard, name) for name in _props_table().CLASSES]


def _rendered(cls: type) -> str:
    """``help(cls)`` as text, overstrike and margins removed, whitespace collapsed."""
    text = re.sub(".\b", "", pydoc.render_doc(cls))
    return " ".join(line.lstrip(" |") for line in text.splitlines()).replace("  ", " ")


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_the_walk_finds_the_props_classes_and_the_structs_they_hold():
    names = {cls.__name__ for cls in DOCUMENTED}
    assert set(_props_table().CLASSES) <= names
    assert {"ServiceAccount", "ServiceAccountPattern", "Taint", "AccessPolicyGrant", "HelmChart",
            "AddonPermissions", "CoreAddonsOptions"} <= names


@pytest.mark.parametrize("cls", DOCUMENTED, ids=lambda c: c.__name__)
def test_every_field_is_documented_in_its_metadata(cls):
    # GIVEN a public dataclass WHEN its fields are read THEN each carries its docstring
    undocumented = [f.name for f in dataclasses.fields(cls) if not f.metadata.get(DOC_KEY)]
    assert undocumented == [], f"{cls.__name__}: fields without a docstring"
    assert {f.name: f.metadata[DOC_KEY] for f in dataclasses.fields(cls)} == field_docs(cls)


@pytest.mark.parametrize("cls", DOCUMENTED, ids=lambda c: c.__name__)
def test_help_shows_each_field_with_its_type_and_description(cls):
    # GIVEN a public dataclass WHEN help() renders it THEN every field's line is there
    rendered = _collapsed(_rendered(cls))
    assert ATTRIBUTES_HEADING in rendered
    for f in dataclasses.fields(cls):
        assert _collapsed(f"{f.name} ({f.type}): {f.metadata[DOC_KEY]}") in rendered, f.name


@pytest.mark.parametrize("cls", TABLE_CLASSES, ids=lambda c: c.__name__)
def test_the_readme_table_rows_are_the_help_texts(cls):
    # GIVEN the generated props table WHEN a class's rows are read THEN each is the help text
    table = _props_table().table()
    for f in dataclasses.fields(cls):
        assert f"| `{cls.__name__}` | `{f.name}` |" in table
        assert f.metadata[DOC_KEY].replace("|", "\\|") + " |" in table


def test_a_subclass_inherits_its_bases_field_docs_and_keeps_its_own():
    @documented
    @dataclass_frozen
    class Base:
        a: int = 1
        """The first. Default: 1."""

    @documented
    @dataclass_frozen
    class Child(Base):
        """A child."""

        b: str
        """The   second,
        wrapped."""

    assert field_docs(Child) == {"a": "The first. Default: 1.", "b": "The second, wrapped."}
    assert Child.__doc__ == ("A child.\n\nAttributes:\n    a (int): The first. Default: 1.\n"
                             "    b (str): The second, wrapped.\n")
    assert documented(Child).__doc__.count(ATTRIBUTES_HEADING) == 1


@pytest.mark.parametrize("cls", [type("Plain", (), {}), type("Undecorated", (eksguard.Taint,), {})],
                         ids=["plain", "dataclass-subclass"])
def test_the_decorator_placed_below_dataclass_is_refused(cls):
    with pytest.raises(TypeError, match="above @dataclass"):
        documented(cls)


def dataclass_frozen(cls):
    return dataclasses.dataclass(frozen=True, kw_only=True)(cls)
