"""Repository-wide pytest configuration.

nbval compares every output of every cell with the committed one.  Two things are deliberately not
compared: stderr streams (library warnings and log lines are not part of what the book shows; the
notebooks are written to emit none, and ``scripts/execute_notebooks.py`` refuses to commit any), and
``_build/`` is never collected (see ``norecursedirs`` in pyproject.toml).
"""

import os

from lib.notebook import TF_ENVIRONMENT

for _key, _value in TF_ENVIRONMENT.items():
    os.environ.setdefault(_key, _value)

try:
    import nbval.plugin as _nbval_plugin
except ImportError:  # pragma: no cover - nbval is pinned in requirements.txt
    _nbval_plugin = None

if _nbval_plugin is not None:
    _transform = _nbval_plugin.transform_streams_for_comparison

    def _without_stderr(outputs):
        kept = [o for o in outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        return _transform(kept)

    _nbval_plugin.transform_streams_for_comparison = _without_stderr
