"""airmodel: a regional air-quality model for greater Beijing (Beijing-Tianjin-Hebei)."""
from .version import __version__


def run(source, output=None, overrides=None, force=False, restart=None):
    """Run a scenario (a TOML path or a dict) and return its output as an ``xarray.Dataset``.

    Mirrors ``airmodel run``: ``output`` is the NetCDF path (a temporary one if None), ``overrides`` a list of
    ``section.key=value`` strings, ``force`` allows overwriting, ``restart`` a checkpoint to continue from.
    """
    # Lazy on purpose: `import airmodel` (and so every `airmodel.x` import) must not load the whole model.
    from .driver import run_to_dataset

    return run_to_dataset(source, output=output, overrides=overrides, force=force, restart=restart)


__all__ = ["run", "__version__"]
