"""The wheel built from the repository installs into a fresh virtual environment and runs there,
without the source tree: what a colleague gets when the wheel is shared with them.

To stay quick and offline the new environment does not download the dependencies again: it sees
the ones already installed for the tests through a ``.pth`` file pointing at a folder of links to
exactly those distributions (cin-xl's dependencies and theirs), never at the site-packages holding
the editable install. cin-xl itself comes only from the wheel.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: what the wheel is built from (a copy, so the build leaves nothing in the repository)
SOURCES = ("pyproject.toml", "README.md", "cin_xl", "rules")

pytestmark = pytest.mark.slow


def _requirement_names(dist: metadata.Distribution) -> list[str]:
    names = []
    for req in dist.requires or []:
        if "extra ==" in req:
            continue  # optional extras ([test] and the like) are not needed to run
        names.append(re.match(r"[A-Za-z0-9._-]+", req).group(0))
    return names


def dependency_closure(name: str) -> list[metadata.Distribution]:
    """The installed distributions ``name`` needs to run, itself excluded (platform-only ones that
    are not installed here, such as pywin32, are skipped)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = _requirement_names(metadata.distribution(name))
    while todo:
        req = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if req in seen:
            continue
        try:
            dist = metadata.distribution(req)
        except metadata.PackageNotFoundError:
            continue
        seen[req] = dist
        todo.extend(_requirement_names(dist))
    return list(seen.values())


def _link_dependencies(target: Path) -> None:
    """Links in ``target`` to the top-level files of every dependency of cin-xl (not cin-xl)."""
    target.mkdir()
    for dist in dependency_closure("cin-xl"):
        base = Path(dist.locate_file(""))
        tops = {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            source = base / top
            if source.exists() and not (target / top).exists() and not top.startswith("cin_xl"):
                (target / top).symlink_to(source)


def _build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    # as docs/user-guide.md says; pip fetches the build backend (setuptools) from the package index
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
                   check=True, cwd=tmp)
    wheels = list(dist.glob("cin_xl-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_installs_and_runs_the_demo_in_a_fresh_venv(tmp_path):
    wheel = _build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    _link_dependencies(tmp_path / "deps")
    (site / "test-dependencies.pth").write_text(str(tmp_path / "deps") + "\n")
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, env=clean_env, cwd=tmp_path)

    where = subprocess.run([str(python), "-c", "import cin_xl, cin_xl_rules; print(cin_xl.__file__); "
                            "print(cin_xl_rules.__file__)"], check=True, capture_output=True, text=True,
                           env=clean_env, cwd=tmp_path).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where  # from the wheel, not the source tree
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, env=clean_env)
    assert check.returncode == 0, check.stdout + check.stderr

    out = tmp_path / "demo"
    run = subprocess.run([str(bin_dir / "cin-xl"), "demo", "-n", "30", "-o", str(out)], capture_output=True,
                         text=True, env=clean_env, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    made = {p.suffix for p in out.iterdir()}
    assert {".xlsx", ".xml", ".html", ".csv"} <= made, sorted(p.name for p in out.iterdir())
    assert "Traceback" not in run.stderr
