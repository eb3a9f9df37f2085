# One entry point for the checks. `make check` runs exactly what CI runs: .ci/run (a fresh virtual
# environment in .ci/venv, Chromium and PostgreSQL from apt when run as root, the browser-test host,
# every check, the tests under coverage with a private PostgreSQL, the skip and coverage floors).
# The other targets are quicker pieces of it, run in the active virtual environment.
.PHONY: check lint test host constraints

check:
	bash .ci/run

lint:
	python scripts/regenerate.py --check
	ruff check .
	ruff format --check .
	mypy

test:
	python -m pytest -q

# The MCP Apps test host of the browser tests (downloads from npm once; the tests never build it).
host:
	cd tests/browser/host && npm ci --no-audit --no-fund && npm run build

# After changing the dev extra in pyproject.toml: pin the dev tools CI installs.
constraints:
	python .ci/update_constraints.py
