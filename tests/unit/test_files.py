"""airmodel/files.py, the one way outputs are written: temporary name, rename, --force, no symbolic links."""
import os

import pytest

from airmodel.errors import InputError
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
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    out = save_figure_atomic(fig, tmp_path / "f.png", force=False, dpi=50)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and not leftovers(tmp_path)


def test_a_folder_is_not_replaced_by_a_file(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        write_text_atomic(tmp_path / "out.csv", "x", force=True)
