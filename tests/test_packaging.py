"""Every data file the package reads at run time is shipped in the wheel (package-data in pyproject.toml).

An editable install reads files from the source tree, so a pattern that misses
a file (such as `cli/init_template/*` for `cli/init_template/tests/pack.test.yaml`) only breaks a
regular `pip install`; this checks the patterns against the tree instead.
"""

import glob
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kpi_engine"


def data_files() -> set[str]:
    """Non-Python files under the package, through the `standard` link to `definitions/` too."""
    found = set()
    for folder, _, names in os.walk(PACKAGE, followlinks=True):
        for name in names:
            relative = (Path(folder) / name).relative_to(PACKAGE).as_posix()
            if not name.endswith((".py", ".pyc")) and "__pycache__" not in relative:
                found.add(relative)
    return found


def shipped() -> set[str]:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["kpi_engine"]
    return {match for pattern in patterns for match in glob.glob(pattern, root_dir=PACKAGE, recursive=True)}


def test_every_data_file_is_in_package_data():
    assert data_files() - shipped() == set()


def test_the_standard_library_templates_and_schemas_are_data_files():
    files = data_files()
    assert {"formula.lark", "schemas/pack.schema.json", "cli/init_template/pack.yaml", "standard/rentabilite.yaml"} <= files
