"""lib.notebook: the set-up every chapter runs, and show_source."""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lib.notebook import setup_notebook, show_source, source_code
from lib.updates import adam_update

ROOT = Path(__file__).resolve().parents[1]


def test_setup_notebook_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got -1"):
        setup_notebook(seed=-1)


def _run_notebook(cells, env):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}})
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def test_setup_notebook_draws_inline_whatever_mplbackend_says():
    """With MPLBACKEND=Agg in the kernel's environment a figure is still an output of its cell (today a
    committed chapter's figures would vanish and strict nbval would fail); without setup_notebook it is not."""
    env = {"MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    plot = "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()"
    nb = _run_notebook(["from lib.notebook import setup_notebook\nsetup_notebook(0)", plot,
                        "import matplotlib; print(matplotlib.get_backend())"], env)
    assert any("image/png" in o.get("data", {}) for o in nb.cells[1].outputs)
    assert "inline" in nb.cells[2].outputs[0]["text"]
    bare = _run_notebook([plot], env)  # the control: the environment really does switch the backend off
    assert not any("image/png" in o.get("data", {}) for o in bare.cells[0].outputs)


def test_source_code_is_highlighted_and_can_be_cut():
    code = source_code(adam_update)
    assert code.data.startswith("def adam_update(")
    html = code._repr_html_()
    assert '<span class="k">def</span>' in html  # Pygments markup, rendered alike by Jupyter and the book
    excerpt = source_code(adam_update, start="v *= beta_1", stop="alpha_t = ")
    assert excerpt.data.startswith("v *= beta_1\n") and "alpha_t" not in excerpt.data
    assert "w -= learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)" in excerpt.data
    with pytest.raises(ValueError, match="start='nowhere' does not occur"):
        source_code(adam_update, start="nowhere")


def test_show_source_displays_once_and_returns_nothing(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert show_source(adam_update) is None
    assert len(shown) == 1 and shown[0].data == source_code(adam_update).data
