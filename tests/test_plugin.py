"""The Claude Code plugin: .claude-plugin/marketplace.json and plugin.json.

The format is documented at https://code.claude.com/docs/en/plugins-reference (plugin.json) and
https://code.claude.com/docs/en/plugin-marketplaces (marketplace.json). The structural checks
below always run; the Claude Code CLI (npm package @anthropic-ai/claude-code, whose
`claude plugin validate` and `claude plugin install` work offline) runs when it is on PATH or
named by CLAUDE_CLI, and .ci/run installs it where npm is available.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from dbos_skill import __version__
from dbos_skill.bundle import SKILL_FILE, SKILL_NAME

PLUGIN_DIR = REPO / ".claude-plugin"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
# Top-level keys the plugins reference documents (a subset is enough: ours must be among them).
PLUGIN_KEYS = {"name", "version", "description", "author", "homepage", "repository", "license", "keywords",
               "commands", "agents", "skills", "hooks", "mcpServers", "outputStyles", "lspServers"}
MARKETPLACE_KEYS = {"name", "owner", "plugins", "description", "version", "metadata"}
CLAUDE = os.environ.get("CLAUDE_CLI") or shutil.which("claude")
needs_claude = pytest.mark.skipif(CLAUDE is None, reason="the Claude Code CLI is not installed (npm install -g @anthropic-ai/claude-code, or set CLAUDE_CLI)")


def load(name: str) -> dict:
    return json.loads((PLUGIN_DIR / name).read_text(encoding="utf-8"))


def relative_path(value: str) -> Path:
    assert isinstance(value, str) and value.startswith("./") and ".." not in Path(value).parts, f"{value!r}: paths start with ./ and stay in the plugin"
    return (REPO / value).resolve()


def test_marketplace_json_has_the_documented_shape() -> None:
    marketplace = load("marketplace.json")
    assert set(marketplace) <= MARKETPLACE_KEYS
    assert KEBAB.match(marketplace["name"])
    assert isinstance(marketplace["owner"], dict) and isinstance(marketplace["owner"]["name"], str) and marketplace["owner"]["name"]
    assert isinstance(marketplace["plugins"], list) and len(marketplace["plugins"]) == 1
    entry = marketplace["plugins"][0]
    assert KEBAB.match(entry["name"])
    assert (relative_path(entry["source"]) / ".claude-plugin" / "plugin.json").is_file()


def test_plugin_json_has_the_documented_shape_and_names_the_skill() -> None:
    plugin = load("plugin.json")
    assert set(plugin) <= PLUGIN_KEYS
    assert KEBAB.match(plugin["name"]) and SEMVER.match(plugin["version"])
    assert isinstance(plugin["author"], dict) and plugin["author"]["name"]
    skills = plugin["skills"] if isinstance(plugin["skills"], list) else [plugin["skills"]]
    assert [relative_path(s) for s in skills] == [REPO]  # the repository root is the skill


def test_the_names_and_version_agree_everywhere() -> None:
    plugin, entry = load("plugin.json"), load("marketplace.json")["plugins"][0]
    frontmatter = yaml.safe_load((REPO / SKILL_FILE).read_text(encoding="utf-8").split("---")[1])
    assert plugin["name"] == entry["name"] == frontmatter["name"] == SKILL_NAME
    assert plugin["version"] == __version__


def claude(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(home), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1")
    return subprocess.run([CLAUDE, *args], capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)


@needs_claude
@pytest.mark.parametrize("path", [REPO, PLUGIN_DIR / "plugin.json"], ids=["marketplace", "plugin"])
def test_claude_plugin_validate_strict_accepts_the_manifests(path: Path, tmp_path: Path) -> None:
    result = claude("plugin", "validate", "--strict", str(path), home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout


@needs_claude
def test_claude_code_installs_the_plugin_and_finds_the_skill(tmp_path: Path) -> None:
    added = claude("plugin", "marketplace", "add", str(REPO), home=tmp_path)
    assert added.returncode == 0, added.stdout + added.stderr
    installed = claude("plugin", "install", f"{SKILL_NAME}@{SKILL_NAME}", home=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    details = claude("plugin", "details", f"{SKILL_NAME}@{SKILL_NAME}", home=tmp_path)
    assert details.returncode == 0, details.stdout + details.stderr
    assert re.search(rf"Skills \(1\)\s+{SKILL_NAME}\b", details.stdout), details.stdout
    cached = next((tmp_path / ".claude" / "plugins" / "cache").rglob(SKILL_FILE))
    assert (cached.parent / "references" / "workflow-determinism.md").is_file()
