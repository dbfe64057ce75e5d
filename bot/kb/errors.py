"""The one error type a broken knowledge base raises."""

from __future__ import annotations


class KnowledgeError(Exception):
    """A knowledge-base file is missing, unreadable or invalid.

    The message names the file, the key path and what is wrong, e.g.
    `knowledge/countries.yaml: countries[3].stats.values.deaths: expected int, got str`.
    """

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file, self.where, self.problem = file, where, problem
        location = f"{file}: {where}" if where else file
        super().__init__(f"{location}: {problem}")
