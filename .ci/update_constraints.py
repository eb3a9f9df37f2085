"""Write .ci/constraints.txt: one exact version for every dev tool installed in this environment.

Pinned: every package that only the ``dev`` extra brings (the test runner and its plugins, the
linters, mypy, coverage, the docs toolchain, and what they need). Not pinned: what the
package itself needs at run time (with its ``sandbox`` extra), so CI still installs the
runtime dependencies a user would get. Run it in an environment made with
``pip install -e '.[dev]'`` after changing the dev extra, and commit the result:

    python .ci/update_constraints.py
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

from packaging.requirements import Requirement

OUT = Path(__file__).with_name("constraints.txt")
HEADER = """\
# Exact versions of the dev tools (.ci/run installs with `pip install -c .ci/constraints.txt -e '.[dev]'`).
# Written by `python .ci/update_constraints.py`; the package's runtime dependencies are not pinned here.
"""


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """``name`` and everything it requires (with ``extras``), as installed here."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(name, extras)]
    while todo:
        current, wanted = todo.pop()
        if (_name(current), wanted) in seen:
            continue
        seen.add((_name(current), wanted))
        try:
            requires = metadata.distribution(current).requires or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            contexts = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
            if requirement.marker is None or any(requirement.marker.evaluate(c) for c in contexts):
                todo.append((requirement.name, tuple(sorted(requirement.extras))))
    return {package for package, _ in seen}


def main() -> None:
    runtime = _closure("heygen-lipsync") | _closure("heygen-lipsync", ("sandbox",))
    dev_only = _closure("heygen-lipsync", ("dev",)) - runtime - {"heygen-lipsync"}
    installed = {_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    missing = sorted(dev_only - installed.keys())
    if missing:
        raise SystemExit(f"not installed here: {', '.join(missing)}; run pip install -e '.[dev]' first")
    OUT.write_text(HEADER + "".join(f"{name}=={installed[name]}\n" for name in sorted(dev_only)))
    print(f"{OUT}: {len(dev_only)} dev tools pinned")  # noqa: T201


if __name__ == "__main__":
    main()
