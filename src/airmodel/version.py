"""The installed version of airmodel (a leaf module, so that any layer can name it in provenance)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("airmodel")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
