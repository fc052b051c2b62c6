"""Write a copy of _config.yml for a build elsewhere, with or without executing the chapters.

    python scripts/book_config.py OUT.yml [--execute]

``_config.yml`` builds from the committed outputs (``execute_notebooks: "off"``), which ``make test``
checks (strict ``pytest --nbval`` re-runs every chapter and compares every output).  ``--execute``
gives a configuration that re-runs every chapter during the build (``make book-executed``).  The
local Sphinx extensions are found relative to the configuration file, so their paths are made absolute.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def write_config(path: Path, *, execute: bool = False) -> Path:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "force" if execute else "off"
    extensions = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {name: str((ROOT / folder).resolve()) for name, folder in extensions.items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--execute", action="store_true", help="execute every chapter during the build")
    args = parser.parse_args()
    write_config(args.out, execute=args.execute)
