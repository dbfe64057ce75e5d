"""knowledge/README.md tells the truth: its file table lists every file, and its "Adding a fact" example loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.kb.loader import load_knowledge

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
README = (KNOWLEDGE / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of one `## title` section of the README."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"knowledge/README.md has no '## {title}' section"
    return match.group(1)


def test_the_file_table_lists_every_file_in_the_folder():
    listed = re.findall(r"^\| `([^`]+)` \|", section("Files"), re.M)
    assert len(listed) == len(set(listed)), listed
    assert sorted(listed) == sorted(p.name for p in KNOWLEDGE.iterdir() if p.is_file())


def test_the_adding_a_fact_example_loads_when_appended_to_facts_yaml(tmp_path):
    [example] = re.findall(r"```yaml\n(.*?)```", section("Adding a fact"), re.S)
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    with (root / "facts.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + example)
    kb = load_knowledge(root)
    added = kb.facts[-1]
    assert len(kb.facts) == len(load_knowledge(KNOWLEDGE).facts) + 1
    assert added.id == re.search(r"- id: (\S+)", example).group(1)
    paragraph = kb.article.section(added.source.section).paragraphs[added.source.paragraphs[0] - 1]
    assert "950 metric tons of rice" in added.text and "950 metric tons of rice" in paragraph.text
