"""Answers that state a member state's figures: the asked kind first, in one sentence, then all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer import Answer, Field
from bot.engine.format import capital, num, sources
from bot.kb.models import Country

if TYPE_CHECKING:
    from bot.engine.core import Engine

def noun(eng: Engine, kind: str) -> str:
    """How a kind of figure reads in a sentence ("active cases")."""
    figure = eng.kb.figure(kind)
    return figure.noun if figure else kind


def leaders(rows: list[tuple[Country, int]], rank: str) -> tuple[list[Country], int]:
    """The member states with the most (rank "most") or the fewest of a figure, every one of them when several
    share that value, and the value."""
    best = (max if rank == "most" else min)(v for _, v in rows)
    return [c for c, v in rows if v == best], best


def names(countries: list[Country]) -> str:
    """"Cambodia", "Cambodia and Laos", "Cambodia, Laos and Vietnam"."""
    said = [c.name for c in countries]
    return " and ".join(said) if len(said) < 3 else ", ".join(said[:-1]) + " and " + said[-1]


def value(country: Country, kind: str) -> int | None:
    """A country's figure of one kind, if the article gives it."""
    return country.stats.value(kind) if country.stats else None


def sentence(eng: Engine, country: Country, kinds: tuple[str, ...]) -> str:
    """"Laos had 0 active cases (none)" for the asked kinds."""
    parts = []
    for kind in kinds:
        v = value(country, kind)
        if v is not None:
            parts.append(f"**{num(v)}** {noun(eng, kind)}" + (" (none)" if v == 0 else ""))
    said = " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{capital(country.in_sentence)} had {said}"


def one(eng: Engine, country: Country, kinds: tuple[str, ...]) -> Answer:
    """One member state's asked figures, first, then all of its figures."""
    s = country.stats
    if s is None:
        return Answer(title=f"{country.name}: no figures", body="The article gives no figures for it.",
                      kind="not_covered")
    kinds = kinds or tuple(f.id for f in eng.kb.figures)
    fields = tuple(Field(f.label, num(v), True) for f in eng.kb.figures if (v := value(country, f.id)) is not None)
    title = f"{country.name}: {', '.join(noun(eng, k) for k in kinds)} as of {s.as_of}"
    return Answer(title=title, body=f"{sentence(eng, country, kinds)} as of {s.as_of}, the article reports.",
                  fields=fields, sources=sources(eng.kb, [s.source]))


def several(eng: Engine, countries: list[Country], kinds: tuple[str, ...], rank: str | None = None) -> Answer:
    """The asked figures of several member states side by side ("compare singapore and indonesia deaths"); with
    `rank` ("most" or "fewest"), which of them has the most or fewest first."""
    kinds = kinds or tuple(f.id for f in eng.kb.figures[:1])
    rows = [c for c in countries if c.stats]
    as_of = rows[0].stats.as_of if rows and rows[0].stats else ""
    lines = [f"• {sentence(eng, c, kinds)}." for c in rows]
    ranked = [(v, c) for c in rows if (v := value(c, kinds[0])) is not None]
    if rank == "sum" and len(ranked) > 1:  # "combined?": the article gives no total, it is added up here
        names = " and ".join(c.in_sentence for _, c in ranked)
        lines.insert(0, f"Together, {names} had {num(sum(v for v, _ in ranked))} {noun(eng, kinds[0])} "
                        "(added up from the article's figures).")
    elif rank and len(ranked) > 1:
        v, top = (max if rank == "most" else min)(ranked, key=lambda vc: vc[0])
        ties = [c for w, c in ranked if w == v]
        what = noun(eng, kinds[0])
        first = capital(top.in_sentence)
        if len(ties) > 1:
            lead = f"{capital(' and '.join(c.in_sentence for c in ties))} had the same number of {what} ({num(v)})."
        elif len(ranked) == 2:
            w, other = next((w, c) for w, c in ranked if c is not top)
            more = "more" if rank == "most" else "fewer"
            lead = f"{first} had {more} {what} ({num(v)}) than {other.in_sentence} ({num(w)})."
        else:
            lead = f"{first} had the {'most' if rank == 'most' else 'fewest'} {what} of these ({num(v)})."
        lines.insert(0, lead)
    title = f"{' vs '.join(c.name for c in rows)}: {', '.join(noun(eng, k) for k in kinds)} as of {as_of}"
    return Answer(title=title, body="\n".join(lines),
                  sources=sources(eng.kb, [c.stats.source for c in rows if c.stats]))
