"""reso: answers questions about UN resolutions and cites the exact paragraphs it relies on.

The project's folders stay at the repository's top level, one per layer (`index/`, `assistant/`,
`ui/`, `prompts/`, `evals/`), but they install under this one namespace (`reso.index`,
`reso.assistant`, …; see `[tool.setuptools.package-dir]` in pyproject.toml), so the only new
top-level import an install adds is `reso`. This package itself holds what every layer shares:
the settings (`reso.settings`), the errors and their one table (`reso.errors`), and every wire
shape (`reso.schema`).
"""

from __future__ import annotations

from pathlib import Path as _Path

__version__ = "0.1.0"

# From a source checkout that is not installed (a second work tree, `python -m reso` in a clone),
# the layer folders sit beside this one: let `reso.index` & co. resolve there. An installed copy
# (site-packages/reso/index, …) or an editable install (setuptools' finder) needs nothing of this;
# the guard keeps it from ever looking into site-packages.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "assistant" / "__init__.py").is_file():
    if str(_checkout) not in __path__:
        __path__.append(str(_checkout))
