"""gan_core never imports streamlit, nor the classroom runtime above it: every module, imported in a
fresh interpreter. (The command line is classroom's: `python -m classroom train`.)"""

import pkgutil
import subprocess
import sys

import gan_core
from page_support import ROOT


def test_every_gan_core_module_imports_without_streamlit_or_classroom():
    modules = sorted(m.name for m in pkgutil.iter_modules(gan_core.__path__, "gan_core."))
    assert {"gan_core.trainer", "gan_core.config", "gan_core.checkpoint", "gan_core.theory"} <= set(modules)
    assert not {"gan_core.cli", "gan_core.__main__", "gan_core.presets"} & set(modules)  # moved to classroom
    code = ("import sys, importlib\n"
            f"mods = {['gan_core'] + modules!r}\n"
            "for m in mods:\n"
            "    importlib.import_module(m)\n"
            "    assert 'streamlit' not in sys.modules, 'streamlit pulled in by ' + m\n"
            "    assert 'classroom' not in sys.modules, 'classroom pulled in by ' + m\n"
            "print(len(mods))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == len(modules) + 1
