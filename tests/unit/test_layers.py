"""Imports go one way: bot → commands → storage, and a feature package reaches another only
through the surface its `__init__` names. A wrong-way arrow fails here."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "storage": ("bot", "commands", "nio", "apscheduler", "aiohttp"),
    "commands": ("bot", "nio"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_goes_the_wrong_way(package: str) -> None:
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


FEATURES = sorted(p.name for p in (ROOT / "commands").iterdir() if (p / "__init__.py").is_file())
CATALOG = ROOT / "commands" / "catalog.py"
"""The one place that names each feature's chat module, to build the registry."""


def feature_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[1] if parts[0] == "commands" and len(parts) > 2 else None


def internals_reached(path: Path, mine: str | None) -> list[str]:
    """Modules inside a feature package other than `mine` that `path` imports directly."""
    reached = []
    for module in imported_modules(path):
        parts = module.split(".")
        inside = parts[0] == "commands" and len(parts) > 2 and parts[1] in FEATURES
        if inside and parts[1] != mine:
            reached.append(module)
    return reached


def test_features_use_each_others_public_surface_only() -> None:
    wrong = []
    for top in ("bot", "commands"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path != CATALOG:
                reached = internals_reached(path, feature_of(path))
                wrong += [f"{path.relative_to(ROOT)} imports {m}" for m in reached]
    assert wrong == []


KERNEL = {
    "__init__",
    "catalog",
    "context",
    "error_text",
    "errors",
    "event_size",
    "framework",
    "i18n",
    "jobs",
    "permissions",
    "ratelimit",
    "render",
    "roles",
}
"""The shared kernel at the top of commands/: a module serving one feature goes in its package."""


def test_the_top_of_commands_is_the_kernel_and_public_names_exist() -> None:
    assert {p.stem for p in (ROOT / "commands").glob("*.py")} == KERNEL
    for feature in FEATURES:
        package = importlib.import_module(f"commands.{feature}")
        assert all(hasattr(package, name) for name in getattr(package, "__all__", []))


def test_the_checker_sees_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from nio import AsyncClient\nimport bot.app\n")
    assert {"nio", "bot.app"} <= imported_modules(bad)
    assert feature_of(ROOT / "commands" / "meetings" / "chat.py") == "meetings"
    probe = tmp_path / "probe.py"
    probe.write_text("from commands.digests.split import split_notice\nimport commands.digests\n")
    assert internals_reached(probe, "meetings") == ["commands.digests.split"]
    assert internals_reached(probe, "digests") == []
