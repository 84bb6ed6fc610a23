"""airmodel.schema: checking a table against its keys, with messages that name the key and what is valid."""
import pytest

from airmodel.errors import InputError
from airmodel.schema import NUMBER, REQUIRED, check_value, fill_table, key, type_name

SCHEMA = {
    "name": key(str, doc="what it is called"),
    "rate": key(NUMBER, 1.0, minimum=0),
    "step": key(NUMBER, 2.0, minimum=0, exclusive_minimum=True),
    "count": key(int, None, minimum=1),
    "mode": key(str, "fast", choices=("fast", "exact")),
    "on": key(bool, True),
    "items": key(list, []),
    "shape": key((int, float, dict), 0.0),
}


def test_defaults_filled_and_given_values_kept():
    out = fill_table({"name": "a", "rate": 3, "mode": "exact"}, SCHEMA, "t")
    assert out == {"name": "a", "rate": 3, "mode": "exact", "step": 2.0, "count": None, "on": True, "items": [],
                   "shape": 0.0}
    assert list(out)[:3] == ["name", "rate", "mode"]  # the given keys first, then the defaults in schema order


def test_mutable_defaults_are_copies():
    a = fill_table({"name": "a"}, SCHEMA, "t")
    a["items"].append(1)
    assert fill_table({"name": "b"}, SCHEMA, "t")["items"] == []


def test_unknown_key_lists_the_valid_keys():
    with pytest.raises(InputError, match=r"^t: unknown key 'rat'; valid keys: name, rate, step, count, mode, on, "
                                         r"items, shape$"):
        fill_table({"name": "a", "rat": 1}, SCHEMA, "t")


def test_missing_required_key_says_what_it_is():
    with pytest.raises(InputError, match=r"^t: missing key 'name' \(what it is called\)$"):
        fill_table({}, SCHEMA, "t")
    with pytest.raises(InputError, match=r"^t: missing key 'x' \(number\)$"):
        fill_table({}, {"x": key(NUMBER)}, "t")


@pytest.mark.parametrize("table, message", [
    ({"rate": "fast"}, r"^t.rate: expected a number, got 'fast'$"),
    ({"count": 2.5}, r"^t.count: expected an integer, got 2.5$"),
    ({"on": 1}, r"^t.on: expected a true/false, got 1$"),
    ({"items": "a"}, r"^t.items: expected a list, got 'a'$"),
    ({"shape": "cone"}, r"^t.shape: expected an integer or number or table, got 'cone'$"),
    ({"mode": "slow"}, r"^t.mode: unknown value 'slow'; choose one of: fast, exact$"),
    ({"rate": -1}, r"^t.rate: -1 is out of range; it must be at least 0$"),
    ({"step": 0}, r"^t.step: 0 is out of range; it must be greater than 0$"),
    ({"count": 0}, r"^t.count: 0 is out of range; it must be at least 1$"),
])
def test_bad_values(table, message):
    with pytest.raises(InputError, match=message):
        fill_table({"name": "a", **table}, SCHEMA, "t")


@pytest.mark.parametrize("value", [True, False])
def test_true_false_is_not_a_number(value):
    with pytest.raises(InputError, match="expected a number"):
        fill_table({"name": "a", "rate": value}, SCHEMA, "t")
    with pytest.raises(InputError, match="expected an integer"):
        check_value(value, key(int), "t.n")


def test_bounds_are_inclusive_or_exclusive():
    assert fill_table({"name": "a", "rate": 0, "step": 1e-9, "count": 1}, SCHEMA, "t")["rate"] == 0
    check_value(0.0, key(NUMBER, minimum=0), "x")
    with pytest.raises(InputError):
        check_value(0.0, key(NUMBER, minimum=0, exclusive_minimum=True), "x")


def test_optional_key_may_be_given_as_none():
    assert fill_table({"name": "a", "count": None}, SCHEMA, "t")["count"] is None
    with pytest.raises(InputError, match=r"t.rate: expected a number, got None"):
        fill_table({"name": "a", "rate": None}, SCHEMA, "t")


def test_not_a_table():
    with pytest.raises(InputError, match=r"^t: expected a table, got \[1\]$"):
        fill_table([1], SCHEMA, "t")


def test_key_constructor_and_names():
    k = key(int, 3, choices=[1, 3], doc="d", minimum=1)
    assert k.types == (int,) and k.choices == (1, 3) and k.doc == "d" and not k.required
    assert key(str).required and key(str).default is REQUIRED and repr(REQUIRED) == "REQUIRED"
    assert type_name(NUMBER) == "number" and type_name((str, list)) == "string or list" and type_name(bool) == \
        "true/false"
    assert key(NUMBER, minimum=0, exclusive_minimum=True).range_text() == "> 0"
    assert key(int, minimum=1).range_text() == ">= 1" and key(int).range_text() == ""


def test_scenario_folder_is_an_attribute_not_a_key(tmp_path, monkeypatch):
    """Relative input paths are read from Scenario.folder: the file's folder, or for a dict the current folder or
    the one given; the resolved scenario no longer carries it as meteorology.base_dir."""
    from airmodel.scenario import SCHEMA, load, validate

    raw = {"run": {"start": "2008-08-01T00:00:00Z", "hours": 1, "time_step": 600.0},
           "domain": {"layers": 2, "layer_thickness": 100.0}, "species": {"tracer": {}}}
    path = tmp_path / "case" / "s.toml"
    path.parent.mkdir()
    path.write_text('[run]\nstart = "2008-08-01T00:00:00Z"\nhours = 1\ntime_step = 600.0\n'
                    '[domain]\nlayers = 2\nlayer_thickness = 100.0\n[species.tracer]\n')
    monkeypatch.chdir(tmp_path)
    assert load(path).folder == path.parent.resolve()
    assert load(raw).folder == tmp_path
    assert validate(raw, folder=path.parent).folder == path.parent
    assert "base_dir" not in SCHEMA["meteorology"] and "base_dir" not in load(raw).to_toml()
    again = load(load(raw, ["run.hours=2"]), ["run.name=again"])  # a loaded scenario keeps its folder
    assert again.folder == tmp_path and again.n_steps == 12 and again["run"]["name"] == "again"
