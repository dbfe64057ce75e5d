"""Answers become embeds or text within Discord's limits, split at word boundaries, never rejected."""

from __future__ import annotations

import random

import discord
import pytest

from bot.answer import Answer, Field, SourceRef
from bot.discordbot.render import (
    CONTENT_LIMIT,
    EMBED_TOTAL_LIMIT,
    fits,
    render,
    render_embeds,
    render_sources,
    render_text,
    shorten,
    split_text,
)

WORDS = ["ASEAN", "envoys", "met", "in", "Seoul", "on", "June", "15,", "2020,", "to", "discuss", "vaccines."]


def prose(n_words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(n_words):
        out.append(rng.choice(WORDS))
        if i % 40 == 39:
            out.append("\n\n")
    return " ".join(out).replace(" \n\n ", "\n\n")


def words_of(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("limit", [20, 100, 1024, 4096])
def test_split_text_keeps_every_word_whole_and_fits(limit):
    text = prose(3000)
    chunks = split_text(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert words_of(" ".join(chunks)) == words_of(text)  # nothing lost, no word cut in two


def test_split_text_prefers_paragraph_breaks():
    text = ("a " * 30).strip() + "\n\n" + ("b " * 30).strip()
    assert split_text(text, 80) == [("a " * 30).strip(), ("b " * 30).strip()]


def test_only_a_word_longer_than_the_limit_is_cut():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_shorten_cuts_between_words():
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("short", 12) == "short"


def test_a_huge_answer_is_paged_within_every_limit():
    answer = Answer(
        title="T " * 200,
        body=prose(2000, 1),
        fields=tuple(Field(f"Field {i} " + "n" * 300, prose(400, i)) for i in range(40)),
        sources=tuple(SourceRef(f"s{i}", f"Heading number {i}", (i, i + 1)) for i in range(300)),
        suggestions=("!country Vietnam", "!help"),
    )
    pages = render_embeds(answer)
    assert len(pages) > 5
    for n, page in enumerate(pages, start=1):
        assert page.embed is not None and fits(page.embed)
        assert len(page.embed) <= EMBED_TOTAL_LIMIT
        assert page.embed.footer.text.endswith(f"page {n}/{len(pages)}")
        assert "and 2" in page.embed.footer.text  # sources that do not fit are counted, not cut
    text = " ".join((p.embed.description or "") + " " + " ".join(f.value for f in p.embed.fields) for p in pages)
    for f in answer.fields:
        assert " ".join(words_of(f.value)) in " ".join(words_of(text))
    assert "`!country Vietnam`" in text  # suggestions come last


def test_a_short_answer_is_one_page_without_pager_text():
    answer = Answer(title="Vietnam", body="Represented by **Nguyen Vu Tu**.", fields=(Field("Deaths", "0", True),),
                    sources=(SourceRef("lead", "ASEAN envoys meet", (7,)),))
    (page,) = render(answer)
    assert page.embed.title == "Vietnam"
    assert page.embed.fields[0].inline
    assert page.embed.footer.text == 'Source: "ASEAN envoys meet" ¶7'
    assert page.embed.colour == discord.Colour.blurple()


def test_text_pages_fit_in_a_message():
    answer = Answer(title="Long", body=prose(3000, 2), sources=(SourceRef("lead", "Lead", (1,)),))
    pages = render_text(answer)
    assert len(pages) > 1
    assert all(p.content is not None and len(p.content) <= CONTENT_LIMIT and p.embed is None for p in pages)
    assert pages[-1].content.endswith(f"(page {len(pages)}/{len(pages)})")
    assert words_of(" ".join(p.content.rsplit("\n\n(page", 1)[0] for p in pages)) == words_of(answer.to_text())


def test_every_real_answer_fits(engine):
    lines = [*(ex for spec in engine.specs for ex in spec.examples), "How much rice did Korea donate?", "!stats",
             "!quote"]
    for line in lines:
        answer = engine.answer(line)
        for page in render(answer):
            assert fits(page.embed), line
        for page in render(answer, embeds=False):
            assert len(page.content) <= CONTENT_LIMIT, line


def test_sources_show_the_cited_paragraphs(kb):
    section = kb.article.sections[1]
    messages = render_sources(kb.article, [SourceRef(section.id, section.heading, (1, 2))])
    (embeds,) = messages
    assert embeds[0].title == section.heading
    assert section.paragraphs[0].text in embeds[0].description
    assert "**¶2**" in embeds[0].description


def test_many_sources_are_split_into_messages(kb):
    refs = [SourceRef(s.id, s.heading, tuple(p.number for p in s.paragraphs)) for s in kb.article.sections]
    messages = render_sources(kb.article, refs)
    assert len(messages) > 1
    for embeds in messages:
        assert len(embeds) <= 10
        assert sum(len(e) for e in embeds) <= EMBED_TOTAL_LIMIT
        assert all(fits(e) for e in embeds)
    assert render_sources(kb.article, [SourceRef("no-such-section", "x", (1,))]) == []
