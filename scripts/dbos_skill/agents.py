"""Where each coding agent looks for skills, from each agent's own documentation.

One folder per agent and scope: the shared `.agents/skills` wherever the agent documents it
(so agents that share it get one copy), else the agent's own folder. The README's install
section cites the same sources; change both together.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Optional

SCOPES = ("project", "user")


class Agent(NamedTuple):  # a NamedTuple, not a dataclass: the CLI imports this table at start
    name: str
    project: str  # relative to the project directory
    user: str  # relative to the home directory
    source: Optional[str]  # the agent's own documentation; None where it could not be read

    def skills_dir(self, scope: str, project: Path, home: Path) -> Path:
        return project / self.project if scope == "project" else home / self.user


AGENTS = {
    agent.name: agent
    for agent in (
        # Project `.claude/skills/`, personal `~/.claude/skills/`; Claude Code does not read `.agents/skills`.
        Agent("claude-code", ".claude/skills", ".claude/skills", "https://code.claude.com/docs/en/skills"),
        # REPO `$CWD/.agents/skills` (up to the repository root), USER `$HOME/.agents/skills`.
        Agent("codex", ".agents/skills", ".agents/skills", "https://developers.openai.com/codex/skills"),
        # `.agents/skills/` and `.cursor/skills/` (project), `~/.agents/skills/` and `~/.cursor/skills/` (user).
        Agent("cursor", ".agents/skills", ".agents/skills", "https://cursor.com/docs/skills"),
        # Workspace `.gemini/skills/` or the `.agents/skills/` alias (which wins); user `~/.gemini/skills/` or `~/.agents/skills/`.
        Agent("gemini-cli", ".agents/skills", ".agents/skills", "https://geminicli.com/docs/cli/skills/"),
        # Project `.github/skills`, `.claude/skills` or `.agents/skills`; personal `~/.copilot/skills` or `~/.agents/skills`.
        Agent("github-copilot", ".agents/skills", ".agents/skills", "https://docs.github.com/en/copilot/concepts/agents/about-agent-skills"),
        # `.opencode/skills/`, `.claude/skills/`, `.agents/skills/` (project); `~/.config/opencode/skills/`,
        # `~/.claude/skills/`, `~/.agents/skills/` (global).
        Agent("opencode", ".agents/skills", ".agents/skills", "https://opencode.ai/docs/skills/"),
        # Not verified from Amp's own manual (https://ampcode.com/manual#agent-skills could not be read
        # offline); the folders are the vercel-labs `skills` installer's.
        Agent("amp", ".agents/skills", ".config/agents/skills", None),
    )
}
ALL = "all"


def resolve_agents(names: list[str]) -> list[Agent]:
    """The agents named (in table order, each once); `all` names every agent."""
    wanted = set(AGENTS) if ALL in names else set(names)
    return [agent for name, agent in AGENTS.items() if name in wanted]
