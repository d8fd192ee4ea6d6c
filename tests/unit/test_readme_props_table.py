"""The README's props table is generated from the code and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_props_table_is_generated_and_current():
    spec = importlib.util.spec_from_file_location("props_table", ROOT / "scripts" / "props_table.py")
    props_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(props_table)
    readme = (ROOT / "README.md").read_text()
    assert props_table.BEGIN in readme and props_table.END in readme
    assert props_table.READINESS_BEGIN in readme and props_table.READINESS_END in readme
    assert props_table.render(readme) == readme, "run: .venv/bin/python scripts/props_table.py"
