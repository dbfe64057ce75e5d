"""The value every question turns into: rendered by the console and by Discord alike."""

from __future__ import annotations

import msgspec

from bot.dialogue import FRESH, Context


class SourceRef(msgspec.Struct, frozen=True):
    """Where in the article a piece of an answer comes from."""

    section: str  # the section id, e.g. "lead" or "vaccine-cooperation-can-bring-region-world-closer"
    heading: str  # the section heading as printed in the article
    paragraphs: tuple[int, ...] = ()  # 1-based paragraph numbers within the section

    def label(self) -> str:
        """A short human label such as `"Vaccine cooperation ..." ¶3-4`."""
        if not self.paragraphs:
            return f'"{self.heading}"'
        nums = sorted(set(self.paragraphs))
        if len(nums) == 1:
            where = f"¶{nums[0]}"
        elif nums == list(range(nums[0], nums[-1] + 1)):
            where = f"¶{nums[0]}-{nums[-1]}"
        else:
            where = "¶" + ", ".join(str(n) for n in nums)
        return f'"{self.heading}" {where}'


class Field(msgspec.Struct, frozen=True):
    """A titled block of an answer (an embed field on Discord)."""

    name: str
    value: str
    inline: bool = False


class Answer(msgspec.Struct, frozen=True):
    """What the engine returns for one line of user input.

    `kind` tells renderers what happened: "answer" (found), "not_covered" (understood, but the
    article does not say), "unsure" (did-you-mean suggestions), "help", or "error" (bad input).
    """

    title: str
    body: str = ""
    fields: tuple[Field, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    suggestions: tuple[str, ...] = ()
    kind: str = "answer"
    context: Context = FRESH  # what the conversation is about after this answer
    chart: str | None = None  # a picture front ends may attach (`bot.charts`): "stats", "stats:<country id>"

    @property
    def found(self) -> bool:
        """True when the answer carries facts from the article."""
        return self.kind == "answer"

    def to_text(self) -> str:
        """Plain-text rendering: title, body, every field, suggestions and sources."""
        parts = [self.title]
        if self.body:
            parts.append(self.body)
        for f in self.fields:
            parts.append(f"{f.name}:\n{f.value}")
        if self.suggestions:
            parts.append("Did you mean: " + ", ".join(self.suggestions) + "?")
        if self.sources:
            parts.append("Source: " + "; ".join(s.label() for s in self.sources))
        return "\n\n".join(parts)


__all__ = ["Answer", "Field", "SourceRef"]
