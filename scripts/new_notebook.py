"""Create a new chapter notebook that starts with the book's setup cell.

    python scripts/new_notebook.py book/05_momentum.ipynb "Momentum and Nesterov" --tensorflow
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import SETUP_CELL  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("title")
    parser.add_argument("--tensorflow", action="store_true", help="the chapter compares with tf.keras")
    args = parser.parse_args()
    if args.path.exists():
        raise SystemExit(f"{args.path} exists already")
    setup_args = "seed=0, tensorflow=True" if args.tensorflow else "seed=0"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(SETUP_CELL.format(args=setup_args), metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell(f"# {args.title}"),
    ]
    nbformat.write(nb, args.path)
    print(f"created {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
