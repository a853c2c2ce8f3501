"""Imports run one way: views -> ui -> classroom (runtime) -> gan_core (engine). Read from the
source (ast), so a lazy import inside a function counts too; the classroom package also imports in
a fresh interpreter without pulling in Streamlit."""

import ast
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# what each layer may not import
FORBIDDEN = {"gan_core": {"streamlit", "ui", "views", "classroom", "threading"},  # threads: the runtime's
             "classroom": {"streamlit", "ui", "views"},
             "ui": {"views"}}


def imported_roots(path: str) -> set[str]:
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def layer_files(layer: str) -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(os.path.join(ROOT, layer))
            for name in names if name.endswith(".py")]


def test_no_layer_imports_a_layer_above_it():
    wrong = [f"{os.path.relpath(path, ROOT)} imports {sorted(imported_roots(path) & banned)}"
             for layer, banned in FORBIDDEN.items() for path in layer_files(layer)
             if imported_roots(path) & banned]
    assert not wrong, "\n".join(wrong)
    assert layer_files("classroom") and layer_files("ui") and layer_files("gan_core")



def imported_modules(path: str) -> set[str]:
    """Every absolute module name a file imports (`from ui.kit import session` gives ui.kit.session too)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


# ui in folders (issue 13): what every page shares (kit), the link API (share), the plot builders
# (figures, canvas); then one folder per page for what it needs beyond them.
UI_SHARED = {"kit", "share", "figures", "canvas"}


def ui_folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "ui" and len(parts) > 1 else None


def test_ui_is_grouped_into_folders():
    top = sorted(os.listdir(os.path.join(ROOT, "ui")))
    loose = [name for name in top if name.endswith(".py") and name != "__init__.py"]
    assert not loose, f"ui/ holds modules outside its folders: {loose}"
    folders = [name for name in top if os.path.isdir(os.path.join(ROOT, "ui", name)) and name != "__pycache__"]
    assert UI_SHARED <= set(folders)
    for name in folders:
        init = os.path.join(ROOT, "ui", name, "__init__.py")
        assert os.path.isfile(init), f"ui/{name}/ has no __init__.py"
        assert ast.get_docstring(ast.parse(open(init, encoding="utf-8").read())), f"ui/{name}/__init__.py says nothing"
    pages = {name[:-3] for name in os.listdir(os.path.join(ROOT, "views")) if name.endswith(".py")}
    assert set(folders) - UI_SHARED <= pages, "a page's folder is named as its file in views/"


def test_the_shared_ui_imports_no_page_folder():
    wrong = [f"{os.path.relpath(path, ROOT)} imports {module}"
             for folder in sorted(UI_SHARED) for path in layer_files(os.path.join("ui", folder))
             for module in sorted(imported_modules(path))
             if ui_folder(module) is not None and ui_folder(module) not in UI_SHARED]
    assert not wrong, "\n".join(wrong)


def test_figures_are_pure_plot_builders():
    wrong = [f"{os.path.relpath(path, ROOT)} imports {module}"
             for path in layer_files(os.path.join("ui", "figures")) for module in sorted(imported_modules(path))
             if module.split(".")[0] == "streamlit" or ui_folder(module) not in (None, "figures")]
    assert not wrong, "\n".join(wrong)


# classroom plumbing that once lived in gan_core (issue 13): the link and preset codec (sharing on the
# one settings codec and its table of a run's settings), the download files, the side-by-side lockstep
# pair, the points-text parser, the recorders a playing page polls, and the presets with the command
# line (issue 19). They sit under classroom's rules (no Streamlit, ui, views).
CLASSROOM_PLUMBING = ("sharing", "settings_codec", "setting_values", "config_fields", "exports", "lockstep",
                      "point_text", "mode_timeline", "image_progress", "presets", "cli")


def test_classroom_plumbing_lives_in_classroom_not_in_the_engine():
    for name in CLASSROOM_PLUMBING:
        assert os.path.isfile(os.path.join(ROOT, "classroom", f"{name}.py")), name
        assert not os.path.exists(os.path.join(ROOT, "gan_core", f"{name}.py")), f"gan_core/{name}.py is back"
    covered = {os.path.relpath(path, ROOT) for path in layer_files("classroom")}
    assert {f"classroom/{name}.py" for name in CLASSROOM_PLUMBING} <= covered


def test_the_engine_imports_nothing_from_the_layers_above():
    assert {"streamlit", "ui", "views", "classroom"} <= FORBIDDEN["gan_core"]
    assert {"streamlit", "ui", "views"} <= FORBIDDEN["classroom"]
    wrong = {os.path.relpath(path, ROOT): sorted(imported_roots(path) & {"streamlit", "ui", "views", "classroom"})
             for path in layer_files("gan_core")}
    assert not {path: roots for path, roots in wrong.items() if roots}


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import streamlit as st\n    from ui.kit.session import get_run\n")
    assert imported_roots(str(bad)) == {"streamlit", "ui"}


def test_the_classroom_runtime_imports_without_streamlit():
    code = ("import sys, importlib, pkgutil, classroom\n"
            "for m in pkgutil.iter_modules(classroom.__path__, 'classroom.'):\n"
            "    importlib.import_module(m.name)\n"
            "assert 'streamlit' not in sys.modules\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
