"""The domain knows nothing of the UI: tui.project and tui.formats never import Textual."""

import pkgutil
import subprocess
import sys

import tui.formats
import tui.project


def domain_modules() -> list[str]:
    return [
        info.name
        for package in (tui.project, tui.formats)
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")
    ]


def test_domain_has_modules() -> None:
    assert {"tui.project.store", "tui.project.search", "tui.formats.transcripts"} <= set(domain_modules())


def test_importing_the_domain_loads_no_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {domain_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
