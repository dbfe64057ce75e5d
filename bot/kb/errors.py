"""The one error type a broken knowledge base raises."""

from __future__ import annotations


class KnowledgeError(Exception):
    """A knowledge-base file is missing, unreadable or invalid.

    The message names the file, the record (by id and line) and the key path in it, and what is wrong, e.g.
    `knowledge/countries.yaml: country 'brunei' (line 4): stats.values.deaths: expected int, got str`.
    """

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file, self.where, self.problem = file, where, problem
        location = f"{file}: {where}" if where else file
        super().__init__(f"{location}: {problem}")
