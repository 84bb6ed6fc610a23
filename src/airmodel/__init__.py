"""airmodel: a regional air-quality model for greater Beijing (Beijing-Tianjin-Hebei)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("airmodel")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"


def run(source, output=None, overrides=None, force=False, restart=None):
    """Run a scenario (a TOML path or a dict) and return its output as an ``xarray.Dataset``.

    Mirrors ``airmodel run``: ``output`` is the NetCDF path (a temporary one if None), ``overrides`` a list of
    ``section.key=value`` strings, ``force`` allows overwriting, ``restart`` a checkpoint to continue from.
    """
    from .driver import run_to_dataset

    return run_to_dataset(source, output=output, overrides=overrides, force=force, restart=restart)


__all__ = ["run", "__version__"]
