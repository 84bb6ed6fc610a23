"""No NaN or infinity reaches a kernel from a scenario: every numeric key of the scenario schema, and every number
inside a key's lists and tables, is refused when it is nan, inf or -inf (TOML reads all three), with an InputError
that names the key and the value. Validation only: nothing is run."""
import pytest

from airmodel.chemistry.box import BOX_KEYS, ENVIRONMENT_KEYS, load_box_config
from airmodel.cli import main
from airmodel.emissions.settings import CONTROL_KEYS, EMISSIONS_KEYS, POINT_SOURCE_SCHEMA
from airmodel.errors import InputError
from airmodel.met.settings import METEOROLOGY_SCHEMA
from airmodel.scenario import SCHEMA, SPECIES_SCHEMA, load, read_toml

BAD = ("nan", "inf", "-inf")

#: Keys that hold numbers inside a list or table, with a valid value whose LAST number is replaced by the bad one.
CONTAINERS = {
    "domain.layer_interfaces": "[0.0, 50.0, 120.0, {}]",
    "meteorology.rotation_centre": "[0.0, {}]",
    "meteorology.terrain_centre": "[0.0, {}]",
    "species.O3.initial": '{{ shape = "cone", centre = [0.0, 0.0], radius = 1.0, height = 1.0, background = {} }}',
    "controls.0.box": "[116.0, 39.0, 117.0, {}]",
    "controls.0.polygon": "[[116.0, 39.0], [117.0, 39.0], [117.0, {}]]",
    "controls.0.emission_factor": "{{ NOx = {} }}",
    "output.snapshots": '["start", 6.0, {}]',
}
#: Where the bad number lies inside each container, as the message names it.
CONTAINER_PLACE = {
    "domain.layer_interfaces": "domain.layer_interfaces[3]",
    "meteorology.rotation_centre": "meteorology.rotation_centre[1]",
    "meteorology.terrain_centre": "meteorology.terrain_centre[1]",
    "species.O3.initial": "species.O3.initial.background",
    "controls.0.box": "box[3]",
    "controls.0.polygon": "polygon[2][1]",
    "controls.0.emission_factor": "emission_factor.NOx",
    "output.snapshots": "output.snapshots[2]",
}
#: List and table keys that hold no numbers (file names, names, choices).
NOT_NUMERIC = {"meteorology.files", "meteorology.standard_names", "meteorology.regimes", "emissions.point_files",
               "emissions.region_totals_files", "emissions.gridded_files", "emissions.road_files",
               "emissions.vehicle_activity_files", "controls.0.sectors", "controls.0.pollutants",
               "controls.0.source_ids", "controls.0.vehicle_classes", "controls.0.road_types", "boundary.variables",
               "output.variables"}


def _tables():
    """Every table of the scenario schema, as (the --set prefix, the schema)."""
    yield from ((section, schema) for section, schema in SCHEMA.items())
    yield "species.O3", SPECIES_SCHEMA
    yield "emissions.point.0", POINT_SOURCE_SCHEMA
    yield "emissions", EMISSIONS_KEYS
    yield "controls.0", CONTROL_KEYS


def _numeric(k) -> bool:
    return int in k.types or float in k.types


def _plain_cases():
    for prefix, schema in _tables():
        for name, k in schema.items():
            if _numeric(k) and f"{prefix}.{name}" not in CONTAINERS:
                yield f"{prefix}.{name}"


PLAIN = sorted(set(_plain_cases()))


@pytest.fixture(scope="module")
def base(scenarios):
    """The demo scenario with a point source and a control, so that their keys are validated too."""
    raw = read_toml(scenarios / "demo.toml")
    raw["emissions"]["point"] = [{"species": "O3", "x": 116.4, "y": 39.9, "z": 10.0, "rate": 1.0}]
    raw["controls"] = [{"name": "cut", "reduction": 0.5}]
    return raw


def test_the_walk_covers_every_key():
    """Every key of the schema is either a plain numeric key (tested below), a container of numbers (tested
    below) or holds no numbers: a new list or table key must be placed in one of them."""
    assert "meteorology.station_lat" in PLAIN and "run.hours" in PLAIN and "emissions.point.0.rate" in PLAIN
    assert "emissions.utc_offset_hours" in PLAIN and "controls.0.reduction" in PLAIN
    assert "species.O3.inflow" in PLAIN and "domain.nx" in PLAIN
    for prefix, schema in _tables():
        for name, k in schema.items():
            full = f"{prefix}.{name}"
            if list in k.types or dict in k.types:
                assert full in CONTAINERS or full in NOT_NUMERIC, full
    assert set(METEOROLOGY_SCHEMA) == set(SCHEMA["meteorology"])


def test_the_base_is_valid(base):
    load(base)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("dotted", PLAIN)
def test_every_numeric_key_refuses_nan_and_inf(base, dotted, bad):
    with pytest.raises(InputError) as e:
        load(base, overrides=[f"{dotted}={bad}"])
    message = str(e.value)
    name = dotted.split(".")[-1]
    assert f"{name}: {bad}" in message or f"{name}: expected" in message, message
    assert bad in message, message  # an integer key says "expected an integer, got nan"


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("dotted", sorted(CONTAINERS))
def test_numbers_inside_lists_and_tables_refuse_nan_and_inf(base, dotted, bad):
    with pytest.raises(InputError) as e:
        load(base, overrides=[f"{dotted}={CONTAINERS[dotted].format(bad)}"])
    message = str(e.value)
    assert f"{CONTAINER_PLACE[dotted]}: {bad} is not a finite number" in message, message


def test_a_float_key_states_what_is_valid(base):
    with pytest.raises(InputError, match=r"run\.time_step: inf is not a finite number; expected a finite number "
                                         r"> 0 \(model time step \(s\)"):
        load(base, overrides=["run.time_step=inf"])


def test_layer_interfaces_must_be_numbers(base):
    with pytest.raises(InputError, match="domain.layer_interfaces: expected a list of heights"):
        load(base, overrides=['domain.layer_interfaces=["0", "50"]'])


@pytest.mark.parametrize("override", ["run.hours=nan", "run.time_step=inf", "domain.resolution=-inf",
                                      "meteorology.wind_scale=nan", "species.O3.inflow=inf",
                                      "domain.layer_interfaces=[0.0, 50.0, nan]"])
def test_cli_exit_2_no_traceback_nothing_written(scenarios, tmp_path, capsys, override):
    out = tmp_path / "x.nc"
    code = main(["run", "demo", "-o", str(out), "--no-progress", "--set", override])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "is not a finite number" in err and "Traceback" not in err
    assert override.split("=")[0].split(".")[-1] in err
    assert not out.exists() and not (tmp_path / "x.nc.part").exists()


BOX_CASES = sorted(f"{section}.{name}" for section, schema in (("box", BOX_KEYS), ("environment", ENVIRONMENT_KEYS))
                   for name, k in schema.items() if _numeric(k))


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("dotted", BOX_CASES + ["box.emission_profile"])
def test_box_model_keys_refuse_nan_and_inf(scenarios, dotted, bad):
    value = "[" + ", ".join(["1.0"] * 23 + [bad]) + "]" if dotted == "box.emission_profile" else bad
    with pytest.raises(InputError) as e:
        load_box_config(scenarios / "box" / "urban_voc_limited.toml", overrides=[f"{dotted}={value}"])
    message = str(e.value)
    assert dotted.split(".")[-1] in message and bad in message, message
