"""The buttons' custom ids carry everything a press needs, within Discord's 100 characters."""

from __future__ import annotations

from discord.ui import DynamicItem
from msgspec.structs import replace

from bot.answer import Answer, SourceRef
from bot.discordbot.citations import (
    article_mark,
    decode_positions,
    decode_sources,
    encode_positions,
    encode_sources,
)
from bot.discordbot.views import CUSTOM_ID_LIMIT, PAGE_TEMPLATE, Pager, SourceButton, answer_digest, answer_view
from bot.kb.article import Article
from bot.kb.loader import KnowledgeBase


def test_citations_round_trip_by_section_id() -> None:
    refs = (SourceRef("lead", "Lead", (1, 2, 3, 7)), SourceRef("vietnam", "Vietnam", ()))
    assert encode_sources(refs) == "lead.1-3.7;vietnam"
    assert decode_sources(encode_sources(refs)) == (SourceRef("lead", "", (1, 2, 3, 7)), SourceRef("vietnam", "", ()))
    assert decode_sources("lead.1.3") == (SourceRef("lead", "", (1, 3)),)  # the form buttons were posted with before


def test_citations_round_trip_by_position(kb: KnowledgeBase) -> None:
    article = kb.article
    refs = tuple(SourceRef(s.id, "", (1, 2)) for s in article.sections)
    text = ";".join(encode_positions(article, refs))
    assert decode_positions(article, text) == refs
    assert encode_positions(article, (SourceRef("no-such-section", "", (1,)),)) == []


def test_the_article_mark_changes_with_its_layout(kb: KnowledgeBase) -> None:
    article = kb.article
    first = article.sections[0]
    fewer = Article(article.title, (replace(first, paragraphs=first.paragraphs[:-1]), *article.sections[1:]))
    assert len(article_mark(article)) == 6
    assert article_mark(article) == article_mark(Article(article.title, article.sections))
    assert article_mark(fewer) != article_mark(article)


def test_long_citations_are_written_by_position(kb: KnowledgeBase) -> None:
    article = kb.article
    refs = tuple(SourceRef(s.id, s.heading, (1, 2, 3)) for s in article.sections)  # far over 100 as section ids
    button = SourceButton.citing(refs, article)
    assert button is not None and button.custom_id.startswith("rt:s:")
    assert len(button.custom_id) <= CUSTOM_ID_LIMIT
    assert button.sources(article) == tuple(replace(r, heading="") for r in refs)
    short = SourceButton.citing(refs[:1], article)
    assert short is not None and short.custom_id == f"rt:src:{refs[0].section}.1-3"


def test_citations_beyond_even_positions_cite_the_first_passages(kb: KnowledgeBase) -> None:
    article = kb.article
    refs = tuple(SourceRef(s.id, "", tuple(range(1, 40, 2))) for s in article.sections)
    button = SourceButton.citing(refs, article)
    assert button is not None and len(button.custom_id) <= CUSTOM_ID_LIMIT
    kept = button.sources(article)
    assert kept and kept == tuple(replace(r, heading="") for r in refs[:len(kept)])


def test_a_changed_article_refuses_positions(kb: KnowledgeBase) -> None:
    article = kb.article
    refs = tuple(SourceRef(s.id, "", (1,)) for s in article.sections)
    button = SourceButton.citing(refs, article)
    assert button is not None
    changed = Article(article.title, article.sections[1:])
    assert button.sources(changed) is None


def test_page_buttons_fit_and_parse() -> None:
    answer = Answer(title="t", body="b")
    pager = Pager(123456789012345678, answer_digest(answer), "!summary", 0, 3)
    assert pager.fits()
    previous, following = pager.buttons()
    assert previous.item.disabled and not following.item.disabled
    match = PAGE_TEMPLATE.fullmatch(following.custom_id)
    assert match is not None and match["line"] == "!summary" and match["page"] == "1"
    assert not Pager(123456789012345678, pager.digest, "x" * 80, 0, 3).fits()


def test_answer_digest_reads_the_text_not_the_context() -> None:
    answer = Answer(title="t", body="b")
    assert answer_digest(answer) == answer_digest(replace(answer, context=replace(answer.context, turn=3)))
    assert answer_digest(answer) != answer_digest(replace(answer, body="c"))


def test_every_view_is_dynamic_only(kb: KnowledgeBase) -> None:
    pager = Pager(1, answer_digest(Answer(title="t")), "!summary", 1, 3)
    view = answer_view((SourceRef("lead", "", (1,)),), kb.article, pager)
    assert view is not None and view.timeout is None
    buttons = [item.item for item in view.children if isinstance(item, DynamicItem)]
    assert [button.label for button in buttons] == ["Previous", "Next", "Source"]
    assert answer_view((), kb.article) is None
