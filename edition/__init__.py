"""edition: a static site generator for scholarly editions.

``build(config)`` is the whole build; the command line and ``build.py``
only parse arguments and call it.
"""
from edition.config import Config, load_config
from edition.pipeline import BuildResult, build

__all__ = ["BuildResult", "Config", "build", "load_config"]
__version__ = "0.1.0"
