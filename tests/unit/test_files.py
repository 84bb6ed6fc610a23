"""airmodel/files.py, the one way outputs are written: temporary name, rename, --force, no symbolic links."""
import errno
import os

import numpy as np
import pytest

from airmodel.errors import InputError, ModelHealthError, OutputWriteError
from airmodel.files import (atomic_file, atomic_folder, create_temporary, save_figure_atomic, write_csv_atomic,
                            write_text_atomic)


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def test_text_is_written_and_existing_output_needs_force(tmp_path):
    out = tmp_path / "a.md"
    write_text_atomic(out, "one")
    assert out.read_text() == "one"
    with pytest.raises(InputError, match="exists; use --force"):
        write_text_atomic(out, "two")
    assert out.read_text() == "one"
    write_text_atomic(out, "two", force=True)
    assert out.read_text() == "two" and not leftovers(tmp_path)


def test_failure_leaves_nothing(tmp_path):
    out = tmp_path / "a.csv"
    with pytest.raises(RuntimeError):
        with atomic_file(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert not out.exists() and not leftovers(tmp_path)


def test_even_on_error_keeps_the_file(tmp_path):
    out = tmp_path / "member.log"
    with pytest.raises(RuntimeError):
        with atomic_file(out, even_on_error=True) as tmp:
            tmp.write_text("why it failed")
            raise RuntimeError
    assert out.read_text() == "why it failed"


def test_symbolic_links_are_refused(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    for force in (False, True):
        with pytest.raises(InputError, match="symbolic link"):
            write_text_atomic(link, "overwritten", force=force)
    assert target.read_text() == "precious" and link.is_symlink()
    # a link planted at the fixed temporary name is refused too
    out = tmp_path / "run.nc"
    (tmp_path / "run.nc.part").symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        create_temporary(out, fixed=True)
    assert target.read_text() == "precious"


def test_temporary_files_are_new_and_not_private(tmp_path):
    tmp = create_temporary(tmp_path / "x.csv")
    assert tmp.parent == tmp_path and tmp.name.endswith(".part") and tmp.stat().st_size == 0
    umask = os.umask(0)
    os.umask(umask)
    assert tmp.stat().st_mode & 0o777 == 0o666 & ~umask


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_text_atomic(tmp_path / "nodir" / "a.txt", "x")


def test_csv(tmp_path):
    out = write_csv_atomic(tmp_path / "t.csv", [{"a": 1.5, "b": "x", "extra": 0}, {"a": 2.0}], ["a", "b"],
                           lineterminator="\n", cell=lambda v: f"{v:.3g}" if isinstance(v, float) else v)
    assert out.read_text() == "a,b\n1.5,x\n2,\n"


def test_folder_replace_and_merge(tmp_path):
    out = tmp_path / "dir"
    with atomic_folder(out) as tmp:
        (tmp / "a.txt").write_text("1")
    with pytest.raises(InputError, match="give --force"):
        with atomic_folder(out) as tmp:
            pass
    (out / "mine.txt").write_text("keep")
    with atomic_folder(out, force=True, merge=lambda names: [out / "a.txt"]) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == ["b.txt", "mine.txt"]
    with atomic_folder(out, force=True) as tmp:
        (tmp / "c.txt").write_text("3")
    assert sorted(p.name for p in out.iterdir()) == ["c.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_figure(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    out = save_figure_atomic(fig, tmp_path / "f.png", force=False, dpi=50)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and not leftovers(tmp_path)
    # the figure itself: matplotlib's default 6.4 x 4.8 inches at 50 dpi, with the line and axes drawn on it
    import matplotlib.image

    image = matplotlib.image.imread(out)
    assert image.shape[:2] == (240, 320)
    assert 0.005 < np.mean(np.any(image[..., :3] < 0.5, axis=-1)) < 0.2


def test_a_folder_is_not_replaced_by_a_file(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        write_text_atomic(tmp_path / "out.csv", "x", force=True)


def test_a_failed_write_is_an_output_write_error_naming_the_target(tmp_path):
    """A full disk (ENOSPC), a file-size limit (EFBIG) or the NetCDF library's error inside the block: an
    OutputWriteError naming the target, nothing there, no temporary file; any other error passes unchanged."""
    target = tmp_path / "out.txt"
    for error, reason in ((OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
                          (OSError(errno.EFBIG, "File too large"), "File too large"),
                          (RuntimeError("NetCDF: HDF error"), "the NetCDF library failed: HDF error")):
        with pytest.raises(OutputWriteError) as caught:
            with atomic_file(target):
                raise error
        assert str(caught.value).startswith(f"{target}: writing the output failed ({reason};")
        assert caught.value.path == target and not target.exists() and not leftovers(tmp_path)
    with pytest.raises(ValueError):
        with atomic_file(target):
            raise ValueError("not a write")
    with pytest.raises(ModelHealthError):  # a RuntimeError, but not the NetCDF library's
        with atomic_file(target):
            raise ModelHealthError("NetCDF: in a message of the model")
    # a file inside a folder being written: the folder is named, with the file
    folder = tmp_path / "folder"
    with pytest.raises(OutputWriteError, match=r"folder: writing the output folder failed \(table.csv: File too"):
        with atomic_folder(folder) as tmp:
            with atomic_file(tmp / "table.csv"):
                raise OSError(errno.EFBIG, "File too large")
    assert not folder.exists() and not leftovers(tmp_path)
