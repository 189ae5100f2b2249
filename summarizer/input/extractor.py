"""The HTML extractor (trafilatura), imported once, lazily, and never half-imported.

Why a module of its own: trafilatura costs ~0.5 s to import, so it is imported only
when the first HTML page arrives, possibly from several loader threads at once. An
import that fails part-way (lxml >= 5.2 moved ``lxml.html.clean`` into the separate
``lxml_html_clean`` package, which trafilatura imports) must not leave a partly
initialised ``trafilatura`` in ``sys.modules``: the next page would then fail with
"module 'trafilatura' has no attribute 'extract'" instead of the real reason. So the
first attempt's outcome is kept, good or bad, and every HTML page of the process gets
the same one-line reason naming the package to install; ``summarizer doctor`` reports
it too.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType

__all__ = ["html_extractor", "missing_package"]

# Modules whose absence has a known fix: the import name, then the package to install.
_PACKAGE_FOR_MODULE = {
    "lxml.html.clean": "lxml_html_clean",
    "lxml_html_clean": "lxml_html_clean",
    "trafilatura": "trafilatura",
    "lxml": "lxml",
}

_lock = threading.Lock()
_outcome: ModuleType | ImportError | None = None


def missing_package(exc: ImportError) -> str:
    """The package to ``pip install`` for a failed import, as best it can be told."""
    text = str(exc)
    if "lxml_html_clean" in text or "lxml.html.clean" in text:
        return "lxml_html_clean"
    name = exc.name or ""
    for module, package in _PACKAGE_FOR_MODULE.items():
        if name == module or name.startswith(module + "."):
            return package
    return name.split(".")[0] or "trafilatura"


def html_extractor() -> ModuleType:
    """The ``trafilatura`` module, or the same ImportError (one line, with the fix) every time."""
    global _outcome
    with _lock:
        if _outcome is None:
            _outcome = _import_once()
    if isinstance(_outcome, ImportError):
        raise _outcome
    return _outcome


def _import_once() -> ModuleType | ImportError:
    before = set(sys.modules)
    try:
        import trafilatura
    except Exception as exc:  # ImportError, or a dependency crashing at import time
        # Drop every module this attempt added, so nothing half-initialised is reused.
        for name in set(sys.modules) - before:
            if name == "trafilatura" or name.startswith("trafilatura."):
                del sys.modules[name]
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        package = missing_package(exc) if isinstance(exc, ImportError) else "trafilatura"
        return ImportError(
            f"HTML support is unavailable: trafilatura cannot be imported ({reason}); "
            f"install the missing package: pip install {package}"
        )
    if not hasattr(trafilatura, "extract"):  # a stale partial module from elsewhere
        return ImportError(
            "HTML support is unavailable: trafilatura is only partly imported; "
            "reinstall it: pip install --force-reinstall trafilatura"
        )
    return trafilatura
