"""``summarizer schema --result`` works on its own with validators other than ours.

The printed file is written to disk and given, alone, to stock ``jsonschema``
(Draft 2020-12, no registry) and to Ajv (draft 2020-12, strict mode) in Node. Ajv is
installed from the npm registry into a temporary folder (npm's own cache makes a
rerun quick), so that test is marked slow; under CI (``CI=true``) a missing Node or
npm fails it instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from summarizer.cli import main

NODE_SCRIPT = Path(__file__).parent / "node" / "ajv_validate.js"


def printed(*args: str) -> dict:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def files(tmp_path_factory, seed_path) -> tuple[Path, Path, dict, dict]:
    folder = tmp_path_factory.mktemp("interop")
    schema = printed("schema", "--result")
    seed = printed("summarize", str(seed_path), "--model", "offline", "--no-cache")
    (folder / "result.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (folder / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    return folder / "result.schema.json", folder / "seed.json", schema, seed


def test_printed_schemas_use_standard_keywords_only(files):
    _, _, result_schema, _ = files
    text = json.dumps(result_schema) + json.dumps(printed("schema"))
    assert '"x-' not in text
    assert result_schema["$defs"]["summary"]["$id"] == "urn:summarizer:schema:summary:1.0.0"
    assert "1.0.0" in result_schema["title"] and result_schema["$id"].endswith(":1.0.0")


def test_stock_jsonschema_validates_the_seed_with_the_printed_file_alone(files):
    schema_path, seed_path, _, _ = files
    schema = json.loads(schema_path.read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)  # no registry: every $ref must resolve inside
    seed = json.loads(seed_path.read_text())
    assert list(validator.iter_errors(seed)) == []
    seed["summary"]["key_claims"][0]["claimant"] = 7  # the bundled brief schema is enforced
    assert any("claimant" in str(e.absolute_path) for e in validator.iter_errors(seed))


def _node_and_npm() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, npm
    reason = "Node.js and npm are needed for the Ajv check"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}, and CI must run it")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def ajv(tmp_path_factory) -> tuple[str, dict[str, str]]:
    node, npm = _node_and_npm()
    prefix = tmp_path_factory.mktemp("ajv")
    subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", "ajv@8"],
        check=True,
        timeout=300,
    )
    return node, {**os.environ, "NODE_PATH": str(prefix / "node_modules")}


@pytest.mark.slow
def test_ajv_strict_validates_the_seed_with_the_printed_file_alone(files, ajv, tmp_path):
    schema_path, seed_path, _, seed = files
    node, env = ajv

    def check(document: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node, str(NODE_SCRIPT), str(schema_path), str(document)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    valid = check(seed_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    seed["summary"]["key_claims"][0]["claimant"] = 7
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(seed), encoding="utf-8")
    invalid = check(broken)
    assert invalid.returncode == 1 and "claimant" in invalid.stdout, invalid.stdout
