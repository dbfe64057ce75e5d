"""Questions about the group photo: who stands where ("second from left", "far right", "next to Oh")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer import Answer, SourceRef
from bot.dialogue import Context
from bot.engine.format import person_line, sources
from bot.kb.models import Person

if TYPE_CHECKING:
    from bot.engine.core import Engine
    from bot.engine.reading import Question

ORDINALS = 12  # the vocabulary's ordinal_1 ... ordinal_12


def _nth(q: Question) -> int | None:
    """The ordinal the question names first ("second" -> 2), if any."""
    found = [(q.first(f"ordinal_{n}") or 0, n) for n in range(1, ORDINALS + 1) if q.has(f"ordinal_{n}")]
    return min(found)[1] if found else None


def _place(n: int, side: str) -> str:
    if n == 1:
        return f"far {side}"
    words = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth"]
    return f"{words[n] if n < len(words) else n} from {side}"


def answer(eng: Engine, q: Question) -> Answer | None:
    """Who stands at a place in the photo, where a person stands, who stands next to them, or who took it."""
    photo = eng.kb.event.photo
    if photo is None or not (q.has("photo") or (q.has("left", "right") and _nth(q))):
        return None
    lineup = photo.from_left
    refs = sources(eng.kb, [photo.source])
    people = [e for e in q.of_kind("person") if e.id in lineup]
    if q.has("who") and q.has("credit") and photo.credit:
        p = eng.kb.people[photo.credit]
        return _said(eng, p, f"The photo was taken by **{p.name}** ({p.title}).", refs)
    if q.has("how_many") and not people:  # "how many people are in the photo"
        return Answer(title="The photo", body=f"The caption names **{len(lineup)}** people, from left: "
                      + ", ".join(eng.kb.people[p].name for p in lineup) + ".", sources=refs)
    side = "left" if q.has("left") else ("right" if q.has("right") else None)
    n = _nth(q) or (1 if side else None)
    if len(people) == 2 and q.has("beside"):  # "who stood between thant sin and nguyen vu tu"
        i, j = sorted(lineup.index(e.id) for e in people)
        inside = [eng.kb.people[p] for p in lineup[i + 1 : j]]
        if inside:
            names = " and ".join(f"**{person_line(eng.kb, x)}**" for x in inside)
            return _said(eng, inside[0], f"Between {people[0].name} and {people[1].name} in the photo: {names}.", refs)
    if people and q.has("beside"):
        i = lineup.index(people[0].id)
        around = [eng.kb.people[lineup[j]] for j in (i - 1, i + 1) if 0 <= j < len(lineup)]
        p = eng.kb.people[people[0].id]
        names = " and ".join(person_line(eng.kb, x) for x in around)
        return _said(eng, p, f"In the photo, {p.name} stands between {names}." if len(around) == 2
                     else f"In the photo, {p.name} stands next to {names}.", refs)
    if people and not (side and _nth(q)):
        i = lineup.index(people[0].id)
        p = eng.kb.people[people[0].id]
        return _said(eng, p, f"**{p.name}** stands **{_place(i + 1, 'left')}** in the photo "
                             f"({_place(len(lineup) - i, 'right')}).", refs)
    if side and n and n <= len(lineup):
        pid = lineup[n - 1] if side == "left" else lineup[-n]
        p = eng.kb.people[pid]
        return _said(eng, p, f"**{_place(n, side).capitalize()}** in the photo: **{person_line(eng.kb, p)}**.", refs)
    return None


def _said(eng: Engine, person: Person, body: str, refs: tuple[SourceRef, ...]) -> Answer:
    return Answer(title=f"The photo: {person.name}", body=body, sources=refs,
                  context=Context(entities=(person.id,), attribute="photo"))
