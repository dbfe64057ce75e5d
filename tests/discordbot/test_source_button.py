"""The Source button's custom id carries its citations, within Discord's 100 characters."""

from __future__ import annotations

from bot.answer import SourceRef
from bot.discordbot.views import CUSTOM_ID_LIMIT, AnswerView, SourceButton, decode_sources, encode_sources


def test_citations_round_trip_through_the_custom_id() -> None:
    refs = (SourceRef("lead", "Lead", (1, 3)), SourceRef("vietnam", "Vietnam", ()))
    assert decode_sources(encode_sources(refs)) == (SourceRef("lead", "", (1, 3)), SourceRef("vietnam", "", ()))
    assert len(SourceButton(refs).custom_id) <= CUSTOM_ID_LIMIT


async def test_too_many_citations_fall_back_to_the_in_memory_button() -> None:
    refs = tuple(SourceRef(f"section-{i}", "", tuple(range(1, 9))) for i in range(8))
    assert not SourceButton.fits(refs)
    view = AnswerView([], refs, lambda: None, 1)  # type: ignore[arg-type, return-value]
    assert [getattr(c, "label", None) for c in view.children] == ["Source"]
    assert not any(isinstance(c, SourceButton) for c in view.children)
    assert view.timeout is not None  # it holds state, so it must expire
    short = AnswerView([], refs[:1], lambda: None, 1)  # type: ignore[arg-type, return-value]
    assert isinstance(short.children[0], SourceButton) and short.timeout is None
