"""The parent domain in a thread of its own (airmodel/driver.py, ParentThread): with two Numba threads a nested run
steps the parent beside the inner domain, one thread each, and gives the same files, bit for bit, as the two
domains stepped one after the other (one thread); checkpoints are written for both domains at the same instant; an
error in either domain stops the run as before (exit 3, nothing written, no thread left running)."""
import copy
import logging
import threading

import numba
import pytest

import airmodel
from airmodel.cli import main
from airmodel.driver import domain_output
from airmodel.errors import OutputWriteError
from airmodel.model import Model
from airmodel.scenario import dump_toml
from tests.regression.test_nesting_files import NESTED
from tests.regression.test_restart import assert_identical

pytestmark = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs at least 2 Numba threads")
THREAD_NOTE = "steps in a thread of its own"


def nested(tmp_path, hours=2, **run):
    raw = copy.deepcopy(NESTED)
    raw["run"].update(hours=hours, **run)
    path = tmp_path / "nested.toml"
    path.write_text(dump_toml(raw))
    return path


def parent_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "airmodel-parent-domain"]


def test_same_files_as_one_domain_after_the_other(tmp_path, caplog):
    """2 h, parent on 2 inner steps, hourly checkpoints: threads = 2 (the parent in its own thread) against
    threads = 1 (one domain after the other), both domains' files and checkpoints bitwise; then a restart of the
    threaded run from its checkpoint equals the straight run."""
    scenario = nested(tmp_path)
    caplog.set_level(logging.INFO, logger="airmodel")
    one, two = tmp_path / "one.nc", tmp_path / "two.nc"
    airmodel.run(scenario, output=one, overrides=["run.threads=1"])
    assert THREAD_NOTE not in caplog.text
    airmodel.run(scenario, output=two, overrides=["run.threads=2"])
    assert THREAD_NOTE in caplog.text
    assert numba.get_num_threads() == 2  # the caller's thread count is given back
    for name in ("", "d01"):
        assert_identical(domain_output(one, name) if name else one, domain_output(two, name) if name else two)
        for stamp in ("20080801T010000", "20080801T020000"):  # every domain's checkpoints, at the same instants
            assert (tmp_path / ("two.nc.checkpoints" + (".d01" if name else "")) / f"checkpoint_{stamp}.nc").is_file()
    resumed = tmp_path / "resumed.nc"
    airmodel.run(scenario, output=resumed, overrides=["run.threads=2"],
                 restart=tmp_path / "two.nc.checkpoints" / "checkpoint_20080801T010000.nc")
    assert_identical(two, resumed)
    assert_identical(domain_output(two, "d01"), domain_output(resumed, "d01"))
    assert not parent_threads()


@pytest.mark.parametrize("domain_nx, label", [(30, "parent"), (20, "inner")])
def test_an_error_in_either_domain_stops_the_run(tmp_path, capsys, monkeypatch, domain_nx, label):
    """A process that writes a NaN at the third step of one domain (the parent: nx = 30; the inner domain: 20):
    exit 3 naming the process, no output of either domain, and the parent's thread ended."""
    original = Model.step

    def faulty(self):
        original(self)
        if self.grid.nx == domain_nx and self.step_index == 3:
            self.concentration[0, 0, 1, 1] = float("nan")
            self._check(self.concentration * self.transport.volume[None], "a faulty process")

    monkeypatch.setattr(Model, "step", faulty)
    out = tmp_path / "out.nc"
    assert main(["run", str(nested(tmp_path, hours=2, threads=2)), "-o", str(out)]) == 3, label
    err = capsys.readouterr().err
    assert "a faulty process produced an invalid concentration nan" in err and "Traceback" not in err
    assert not out.exists() and not domain_output(out, "d01").exists()
    assert not parent_threads()


def test_a_failed_last_checkpoint_of_the_parent_fails_the_run(tmp_path, capsys, monkeypatch):
    """The parent's checkpoint at the end of the run cannot be written (after the inner domain has taken the
    parent's last state): the run fails as it does with the domains one after the other, the same exit code."""
    import airmodel.driver as driver

    original = driver.write_checkpoint

    def failing(folder, model, writer, identity):
        if folder.name.endswith(".d01") and model.step_index == model.scenario.n_steps:
            raise OutputWriteError(f"{folder}: writing the checkpoint failed (No space left on device)", folder)
        return original(folder, model, writer, identity)

    monkeypatch.setattr(driver, "write_checkpoint", failing)
    codes = [main(["run", str(nested(tmp_path, hours=2, threads=threads)), "-o", str(tmp_path / f"t{threads}.nc")])
             for threads in (1, 2)]
    err = capsys.readouterr().err
    assert codes == [4, 4] and err.count("No space left on device") == 2, (codes, err[-2000:])
    assert not parent_threads()
