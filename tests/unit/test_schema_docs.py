"""README.md's table of scenario keys and docs/scenario_keys.md are what tools/schema_docs.py writes from the schema."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generator():
    spec = importlib.util.spec_from_file_location("schema_docs", ROOT / "tools" / "schema_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_key_table_is_current():
    gen = generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == gen.readme_text(readme), "README.md's scenario key table is out of date: run " \
                                              "`python tools/schema_docs.py`"


def test_key_reference_is_current():
    gen = generator()
    path = ROOT / "docs" / "scenario_keys.md"
    assert path.is_file() and path.read_text(encoding="utf-8") == gen.reference_text(), \
        "docs/scenario_keys.md is out of date: run `python tools/schema_docs.py`"


def test_reference_lists_every_key():
    gen = generator()
    text = gen.reference_text()
    for _, schema, _ in gen.scenario_tables() + gen.ENSEMBLE_TABLES + gen.BOX_TABLES:
        for name in schema:
            assert f"| `{name}` |" in text, name
    from airmodel.scenario import SCHEMA
    for section, schema in SCHEMA.items():
        assert f"[{section}]" in text
        for name in schema:
            assert f"| `{name}` |" in text
