"""The guard against stale compiled kernels (airmodel.kernels.drop_stale_compiled_code)."""
import airmodel.kernels as kernels
from airmodel.kernels import photolysis


def _touch(folder, *names):
    for name in names:
        (folder / name).write_bytes(b"x")


def test_a_changed_source_removes_the_package_cache_and_nothing_else(tmp_path):
    ours = ("chemistry.cos_zenith_in_call-320.py311.nbi", "chemistry.cos_zenith_in_call-320.py311.1.nbc",
            "photolysis.cos_zenith-60.py311.nbi", "advection._advect_tasks-850.py311.2.nbc")
    others = ("mech_grs_aero_abc.integrate_cell-12.py311.nbi", "chemistry.cpython-311.pyc", "notes.txt")
    _touch(tmp_path, *ours, *others)
    (tmp_path / "airmodel_kernels.sha256").write_text("0" * 64 + "\n")  # written for other sources
    assert kernels.drop_stale_compiled_code(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(others + ("airmodel_kernels.sha256",))
    # the same sources again: nothing removed
    _touch(tmp_path, *ours)
    assert not kernels.drop_stale_compiled_code(tmp_path)
    assert all((tmp_path / name).exists() for name in ours)


def test_a_first_run_writes_the_digest(tmp_path):
    folder = tmp_path / "new"
    assert kernels.drop_stale_compiled_code(folder)
    digest = (folder / "airmodel_kernels.sha256").read_text().strip()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert not kernels.drop_stale_compiled_code(folder)


def test_an_unreadable_stamp_counts_as_changed_sources(tmp_path):
    (tmp_path / "airmodel_kernels.sha256").write_bytes(b"\xff\xfe not ascii")
    _touch(tmp_path, "advection.advect-1.py311.nbi")
    assert kernels.drop_stale_compiled_code(tmp_path)
    assert not (tmp_path / "advection.advect-1.py311.nbi").exists()


def test_a_cache_that_cannot_be_written_is_left_as_it_is(tmp_path, monkeypatch):
    from pathlib import Path

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "read-only", str(self))

    _touch(tmp_path, "advection.advect-1.py311.nbi")
    monkeypatch.setattr(Path, "unlink", refuse)
    assert not kernels.drop_stale_compiled_code(tmp_path)  # no error: Numba's own checks are all there is
    assert not (tmp_path / "airmodel_kernels.sha256").exists()


def test_the_folder_is_numbas_own():
    # a cached kernel's cache folder, as Numba located it
    assert kernels._numba_cache_folder() == type(kernels._numba_cache_folder())(photolysis.cos_zenith._cache._cache_path)


def test_importing_the_kernels_runs_the_guard(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = "import airmodel.kernels as k; print(k._numba_cache_folder())"
    folder = Path(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                 check=True).stdout.strip())
    assert tmp_path in folder.parents and (folder / "airmodel_kernels.sha256").exists()
    (folder / "airmodel_kernels.sha256").write_text("0" * 64 + "\n")
    _touch(folder, "diffusion.vertical_diffusion-10.py311.nbi")
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
    assert not (folder / "diffusion.vertical_diffusion-10.py311.nbi").exists()
