"""The Binder environment, built from binder/ alone, runs a chapter.

Does what repo2docker does with this repository, minus Docker: a fresh virtual environment (Python
3.11, binder/runtime.txt), `pip install -r binder/requirements.txt` from the repository root, then
binder/postBuild. It then checks that JupyterLab will open the MyST chapters as notebooks (jupytext's
lab extension and server extension installed, jupytext the default viewer for Markdown), converts a
chapter with jupytext and executes it with nbclient in that environment's own kernel: no cell may fail.

The environment test is slow (a full install: about two minutes the first time, less with pip's
cache), so it is deselected by default: `make test` runs `pytest -m binder tests/test_binder.py`.
The check of the specification files runs with the unit tests. BINDER_TEST_CHAPTER picks another
chapter (default: Chapter 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
CHAPTER = os.environ.get("BINDER_TEST_CHAPTER", "chapters/ch01_heavy_ball_quadratics.md")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# binder/requirements.txt names PyTorch's index for the CPU build; these machines reach only PyPI, where
# a lookup on that index fails at once (no DNS). pip retries five times with back-off by default, for
# every package (minutes in all): here it tries once and waits 5 s at most, then goes on with PyPI and
# the local wheel directory, which holds torch==2.13.0+cpu. Where the index is reachable it is used,
# as on Binder.
PIP_OFFLINE_INDEX = ["--retries", "0", "--timeout", "5"]

EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

source, workdir, target = sys.argv[1:4]
nb = nbformat.read(source, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import sys; print('KERNEL-PREFIX=' + sys.prefix)"))
client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": workdir}})
try:
    client.execute()
finally:
    nbformat.write(nb, target)
"""


def run(cmd, *, env, cwd=ROOT, timeout=1200):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n" \
                                 f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def test_binder_specification():
    """binder/ names Python 3.11 and installs the package's `binder` extra under constraints.txt, with
    PyTorch's CPU build from PyTorch's index (the same version as the pin)."""
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    lines = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert lines == [f"--extra-index-url {TORCH_CPU_INDEX}", "-c ../constraints.txt", "torch==2.13.0+cpu",
                     "-e .[binder]"], lines
    assert os.access(BINDER / "postBuild", os.X_OK), "binder/postBuild must be executable"
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["binder"]
    names = {req.split("=")[0].split("[")[0].strip().lower() for req in extra}
    assert {"jupyterlab", "jupytext", "ipywidgets", "torch", "myst-nb", "otter-grader"} <= names
    pins = {line.split("==")[0].lower() for line in (ROOT / "constraints.txt").read_text().splitlines()
            if "==" in line}
    assert names <= pins, f"binder extra not locked in constraints.txt: {names - pins}"
    torch_pin = next(line for line in (ROOT / "constraints.txt").read_text().splitlines() if line.startswith("torch=="))
    assert torch_pin + "+cpu" in lines and "torch==2.13.0" in extra, (torch_pin, extra)


@pytest.mark.binder
def test_fresh_binder_environment_executes_a_chapter(tmp_path):
    venv = tmp_path / "binder-venv"
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env |= {
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),  # repo2docker's ~/.jupyter
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),  # no user-level kernels from this machine
        "JUPYTER_PREFER_ENV_PATH": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    run([sys.executable, "-m", "venv", venv], env=env)
    py = venv / "bin" / "python"
    run([py, "-m", "pip", "install", "--quiet", *PIP_OFFLINE_INDEX, "-r", "binder/requirements.txt"], env=env)
    run([py, "-m", "pip", "check"], env=env)
    run(["bash", BINDER / "postBuild"], env=env)

    # JupyterLab will open .md chapters as notebooks
    run([py, "-c", "import jupyterlab, jupytext, ipywidgets, torch, myst_nb, otter, accelbook"], env=env)
    torch_version = run([py, "-c", "import torch; print(torch.__version__, torch.version.cuda)"], env=env).stdout.split()
    assert torch_version == ["2.13.0+cpu", "None"], f"Binder must get PyTorch's CPU build, got {torch_version}"
    assert (venv / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext" / "package.json").is_file()
    server_ext = json.loads((venv / "etc" / "jupyter" / "jupyter_server_config.d" / "jupytext.json").read_text())
    assert server_ext["ServerApp"]["jpserver_extensions"]["jupyterlab_jupytext"] is True
    labconfig = json.loads((tmp_path / "jupyter-config" / "labconfig" / "default_setting_overrides.json").read_text())
    viewers = labconfig["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook" and "python" not in viewers, viewers

    # one chapter, converted by jupytext and executed in this environment's kernel
    chapter = ROOT / CHAPTER
    notebook, executed = tmp_path / "chapter.ipynb", tmp_path / "executed.ipynb"
    run([venv / "bin" / "jupytext", "--to", "ipynb", "--output", notebook, chapter], env=env)
    script = tmp_path / "execute.py"
    script.write_text(EXECUTE)
    run([py, script, notebook, chapter.parent, executed], env=env)

    import nbformat

    nb = nbformat.read(executed, as_version=4)
    # the live explorer cells are tagged skip-execution (a reader runs them; unattended runs skip them)
    code = [cell for cell in nb.cells
            if cell.cell_type == "code" and "skip-execution" not in cell.metadata.get("tags", [])]
    assert len(code) > 1 and all(cell.get("execution_count") for cell in code), "not every cell ran"
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{CHAPTER} raised in the Binder environment: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    prefix = "".join(out.get("text", "") for out in code[-1].outputs)
    assert f"KERNEL-PREFIX={venv}" in prefix, f"the chapter ran in another environment: {prefix!r}"
