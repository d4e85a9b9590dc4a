"""Ranking themes for the theme picker: `tui.project.search`."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.project.model import Theme
from tui.project.search import FUZZY_CUTOFF, Match, ThemeIndex, normalise, rank_themes

# A medical-students-on-placement IPA codebook. Several names are near misses for "belonging"
# (Belonging somewhere else, Longing for home, Blending in, Bending the rules, Being a burden,
# Becoming a doctor, Belief in the NHS), so finding "Sense of belonging" first means something.
CODEBOOK = [
    "Sense of belonging",
    "Belonging somewhere else",
    "Longing for home",
    "Blending in",
    "Bending the rules",
    "Being a burden",
    "Becoming a doctor",
    "Belief in the NHS",
    "Being seen as a student",
    "Being ignored",
    "Learning from nurses",
    "Bulletin as a voice",
    "Fear of exposure",
    "Imposter feelings",
    "Standing in the corner",
    "Outsider on the ward",
    "Hierarchy on the ward",
    "Ward round anxiety",
    "Feeling useful",
    "Feeling in the way",
    "Getting in the way",
    "Not knowing the routine",
    "Asking questions",
    "Shame after mistakes",
    "Support from peers",
    "Role models",
    "Losing a patient",
    "Caring for patients",
    "Death and dying",
    "Emotional labour",
    "Humour as coping",
    "Laughing it off",
    "Identity as a doctor",
    "Professional identity",
    "Time pressure",
    "Burnout",
    "Finding a voice",
    "Silence in teaching",
    "Blaming oneself",
    "Sensing hostility",
]


def themes_named(*names: str) -> list[Theme]:
    """Themes with the given names, ids 1, 2, 3... in that order."""
    return [Theme(i, f"guid-{i}", name, None, "statement") for i, name in enumerate(names, 1)]


@pytest.fixture(scope="module")
def codebook() -> list[Theme]:
    """The codebook above as themes."""
    return themes_named(*CODEBOOK)


def names(matches: list[Match]) -> list[str]:
    """The theme names of `matches`, in order."""
    return [match.theme.name for match in matches]


def above(found: list[str], better: str, worse: str) -> bool:
    """`better` is found, and `worse` is either not found or found after it."""
    return better in found and (worse not in found or found.index(better) < found.index(worse))


# normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sense of Belonging", "sense of belonging"),
        ("  sense \t of\n\nbelonging  ", "sense of belonging"),
        ("SENSE", "sense"),
        ("élan", "elan"),
        ("Élan VITAL", "elan vital"),
        ("naïve café", "naive cafe"),
        ("Straße", "strasse"),
        ("ﬁnding", "finding"),
        ("ℌope", "hope"),
        ("[laughs]", "[laughs]"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_folds_case_accents_and_whitespace(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text())
def test_normalise_is_idempotent_and_trimmed(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip()
    assert "  " not in once


# empty query


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_lists_every_theme_in_the_given_order(
    codebook: list[Theme], query: str
) -> None:
    matches = rank_themes(query, codebook)
    assert [match.theme for match in matches] == codebook
    assert all(match.score == 0 and not match.exact for match in matches)


def test_empty_query_respects_the_limit(codebook: list[Theme]) -> None:
    assert [match.theme for match in rank_themes("", codebook, limit=5)] == codebook[:5]


# tiers


def test_exact_name_comes_first_and_is_flagged() -> None:
    themes = themes_named("Sense of belonging", "Belonging to the team", "Belonging")
    matches = rank_themes("belonging", themes)
    assert names(matches)[0] == "Belonging"
    assert [match.exact for match in matches] == [True, False, False]
    assert matches[0].score == 100


def test_exact_ignores_case_accents_and_spacing() -> None:
    themes = themes_named("Élan  vital", "Elan vital and drive")
    matches = rank_themes(" ELAN vital ", themes)
    assert names(matches) == ["Élan  vital", "Elan vital and drive"]
    assert [match.exact for match in matches] == [True, False]


def test_tiers_exact_then_prefix_then_substring_then_fuzzy() -> None:
    themes = themes_named(
        "Sport and exercise",  # substring: "port" inside "sport"
        "Part of the team",  # fuzzy: "part" is one letter off "port"
        "Peer support",  # substring
        "Portfolio pressure",  # prefix of the name
        "Port",  # exact
        "Ward portal",  # prefix of a later word
        "Nothing alike",  # no match at all
    )
    matches = rank_themes("port", themes)
    assert names(matches) == [
        "Port",
        "Ward portal",
        "Portfolio pressure",
        "Peer support",
        "Sport and exercise",
        "Part of the team",
    ]
    scores = [match.score for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 100
    assert all(90 <= score < 100 for score in scores[1:3])
    assert all(80 <= score < 90 for score in scores[3:5])
    assert scores[5] < 80


def test_prefix_tier_orders_by_score_so_a_name_start_beats_an_equal_word_start() -> None:
    themes = themes_named("Her doubts", "Doubts here")  # same length, same coverage
    assert names(rank_themes("doubt", themes)) == ["Doubts here", "Her doubts"]


def test_ties_go_to_the_shorter_name_then_alphabetical() -> None:
    themes = themes_named("Fear of the ward", "Fear of exposure", "Fear of blame", "Fear of bees")
    assert names(rank_themes("fear", themes)) == [
        "Fear of bees",
        "Fear of blame",
        "Fear of exposure",  # as long as "Fear of the ward", and first alphabetically
        "Fear of the ward",
    ]


def test_duplicate_names_are_both_kept_in_given_order() -> None:
    themes = themes_named("Guilt", "Guilt")
    matches = rank_themes("guilt", themes)
    assert [match.theme.id for match in matches] == [1, 2]
    assert all(match.exact for match in matches)


# typos, word order, partial words


@pytest.mark.parametrize(
    "query",
    [
        "belnging",  # a dropped letter
        "belonigng",  # swapped letters
        "belonging sense",  # word order
        "sens belong",  # half-typed words, out of order
        "sense of belnging",
        "senseofbelonging",  # no spaces
        "SENSE OF BELONGING",
    ],
)
def test_sense_of_belonging_is_found_first(codebook: list[Theme], query: str) -> None:
    assert names(rank_themes(query, codebook))[0] == "Sense of belonging"


def test_typo_result_keeps_near_misses_below(codebook: list[Theme]) -> None:
    matches = rank_themes("belnging", codebook)
    found = names(matches)
    assert found[0] == "Sense of belonging"
    assert "Belonging somewhere else" in found
    # Words that merely share letters with "belonging" are well below it, or gone.
    assert matches[0].score > max(m.score for m in matches if m.theme.name == "Being a burden")
    assert "Fear of exposure" not in found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hierachy", "Hierarchy on the ward"),
        ("imposter feelngs", "Imposter feelings"),
        ("feelings imposter", "Imposter feelings"),
        ("fear exp", "Fear of exposure"),
        ("bulletin voice", "Bulletin as a voice"),
        ("blamin onesel", "Blaming oneself"),
        ("[laughs]", "Laughing it off"),
        ("burn out", "Burnout"),  # a space too many: only the whole-name comparison sees it
        ("deathand dying", "Death and dying"),
    ],
)
def test_other_typos_and_fragments_find_the_theme_first(
    codebook: list[Theme], query: str, expected: str
) -> None:
    assert names(rank_themes(query, codebook))[0] == expected


@pytest.mark.parametrize("query", ["zzzz", "qxjv", "xyzzy plugh", "!!!", "(", "[/]", "12345"])
def test_junk_finds_nothing(codebook: list[Theme], query: str) -> None:
    assert rank_themes(query, codebook) == []


def test_fuzzy_scores_stay_in_their_band(codebook: list[Theme]) -> None:
    matches = rank_themes("belnging", codebook)
    assert matches
    assert all(FUZZY_CUTOFF * 0.79 - 0.01 <= match.score < 80 for match in matches)
    assert not any(match.exact for match in matches)


def test_uppercase_query_finds_the_same_themes(codebook: list[Theme]) -> None:
    assert names(rank_themes("SENSE", codebook)) == names(rank_themes("sense", codebook))
    assert names(rank_themes("SENSE", codebook))[:2] == ["Sense of belonging", "Sensing hostility"]


def test_accents_are_ignored_both_ways() -> None:
    themes = themes_named("Élan", "Café culture", "Naive questions")
    assert names(rank_themes("elan", themes)) == ["Élan"]
    assert rank_themes("elan", themes)[0].exact
    assert names(rank_themes("cafe", themes)) == ["Café culture"]
    assert names(rank_themes("naïve", themes)) == ["Naive questions"]


# paths


@pytest.fixture(scope="module")
def tree() -> tuple[list[Theme], dict[int, str]]:
    """A PET "Identity as a doctor" over two statements, next to unrelated themes."""
    themes = [
        Theme(1, "g1", "Identity as a doctor", None, "pet"),
        Theme(2, "g2", "Standing in the corner", 1, "statement"),
        Theme(3, "g3", "Being called doctor", 1, "statement"),
        Theme(4, "g4", "Corner of the ward", None, "statement"),
        Theme(5, "g5", "Identity and the corner", None, "statement"),
        Theme(6, "g6", "Time pressure", None, "statement"),
    ]
    paths = {
        1: "Identity as a doctor",
        2: "Identity as a doctor/Standing in the corner",
        3: "Identity as a doctor/Being called doctor",
        4: "Corner of the ward",
        5: "Identity and the corner",
        6: "Time pressure",
    }
    return themes, paths


def test_a_parent_word_in_the_query_lifts_its_children(
    tree: tuple[list[Theme], dict[int, str]],
) -> None:
    themes, paths = tree
    with_paths = names(rank_themes("identity standing corner", themes, paths=paths))
    without = names(rank_themes("identity standing corner", themes))
    assert with_paths[0] == "Standing in the corner"
    assert above(with_paths, "Standing in the corner", "Corner of the ward")
    # Without the path, "identity" counts for nothing in "Standing in the corner".
    score = {m.theme.name: m.score for m in rank_themes("identity standing corner", themes)}
    boosted = {
        m.theme.name: m.score for m in rank_themes("identity standing corner", themes, paths=paths)
    }
    assert boosted["Standing in the corner"] > score["Standing in the corner"]
    assert "Standing in the corner" in without


def test_identity_corner_finds_the_statement_under_identity(
    tree: tuple[list[Theme], dict[int, str]],
) -> None:
    themes, paths = tree
    found = names(rank_themes("identity corner", themes, paths=paths))
    # The name holding both words wins; the statement under "Identity" comes next, ahead of
    # themes with only one of the words.
    assert found[:2] == ["Identity and the corner", "Standing in the corner"]
    assert above(found, "Standing in the corner", "Corner of the ward")
    assert above(found, "Standing in the corner", "Identity as a doctor")
    assert "Time pressure" not in found


def test_path_words_weigh_less_than_name_words(
    tree: tuple[list[Theme], dict[int, str]],
) -> None:
    themes, paths = tree
    matches = {m.theme.name: m.score for m in rank_themes("identity corner", themes, paths=paths)}
    assert matches["Identity and the corner"] > matches["Standing in the corner"]


def test_path_only_matches_rank_after_name_matches(
    tree: tuple[list[Theme], dict[int, str]],
) -> None:
    themes, paths = tree
    found = names(rank_themes("identity", themes, paths=paths))
    assert found[:2] == ["Identity as a doctor", "Identity and the corner"]
    assert set(found[2:]) == {"Standing in the corner", "Being called doctor"}


def test_a_path_that_does_not_end_with_the_name_still_counts() -> None:
    themes = themes_named("Standing in the corner")
    found = rank_themes("outsider corner", themes, paths={1: "Outsider/Something else"})
    assert names(found) == ["Standing in the corner"]


# literal text, limits, the index


@pytest.mark.parametrize(
    "query", ["[laughs]", "(", ")", "[/]", ".*", "a|b", "\\", "[b]bold[/b]", "$", "^", "\x1b[31m"]
)
def test_markup_and_regex_characters_are_plain_text(query: str) -> None:
    themes = themes_named("Nervous laughter (laughs)", "[laughs] as deflection", "Cost: $5 a.*b")
    rank_themes(query, themes)  # would raise if the query reached a regex or markup parser
    literal = [m.theme.name for m in rank_themes(query, themes) if m.score >= 80]
    assert literal == [name for name in names(rank_themes(query, themes)) if query in name.lower()]


def test_brackets_match_literally() -> None:
    themes = themes_named("Nervous laughter (laughs)", "[laughs] as deflection", "Laughing it off")
    assert names(rank_themes("[laughs]", themes))[0] == "[laughs] as deflection"
    assert names(rank_themes("(laughs)", themes))[0] == "Nervous laughter (laughs)"
    assert names(rank_themes("(", themes)) == ["Nervous laughter (laughs)"]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_gives_nothing(codebook: list[Theme], limit: int) -> None:
    assert rank_themes("sense", codebook, limit=limit) == []
    assert rank_themes("", codebook, limit=limit) == []


def test_limit_keeps_the_best(codebook: list[Theme]) -> None:
    everything = rank_themes("be", codebook)
    assert len(everything) > 3
    assert rank_themes("be", codebook, limit=3) == everything[:3]
    assert rank_themes("belnging", codebook, limit=1) == rank_themes("belnging", codebook)[:1]


def test_limit_spans_literal_and_fuzzy_tiers() -> None:
    themes = themes_named("Portfolio", "Part of it", "Port")
    assert names(rank_themes("port", themes, limit=2)) == ["Port", "Portfolio"]
    assert names(rank_themes("port", themes, limit=3)) == ["Port", "Portfolio", "Part of it"]


def test_index_ranks_like_the_function_and_can_be_reused(codebook: list[Theme]) -> None:
    index = ThemeIndex(codebook)
    assert len(index) == len(codebook)
    for query in ["b", "be", "bel", "beln", "belng", "belngi", "belnging", "belonging sense", ""]:
        assert index.rank(query) == rank_themes(query, codebook)
    # Asking again (after its memory of recent words is warm) gives the same answer.
    assert index.rank("belnging") == rank_themes("belnging", codebook)


# keeping the index up to date


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of the names normalised and the indexes built from scratch, from now on."""
    import tui.project.search as search

    counts = {"normalised": 0, "built": 0}
    normalise_ = search.normalise
    init = search.ThemeIndex.__init__

    def counting_normalise(text: str) -> str:
        counts["normalised"] += 1
        return normalise_(text)

    def counting_init(self: ThemeIndex, *args: object, **kwargs: object) -> None:
        counts["built"] += 1
        init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "normalise", counting_normalise)
    monkeypatch.setattr(search.ThemeIndex, "__init__", counting_init)
    return counts


def same_ranking(index: ThemeIndex, themes: list[Theme], queries: list[str]) -> None:
    """`index` ranks like a fresh index of `themes` (by id and score)."""
    fresh = ThemeIndex(themes)
    for query in queries:
        got = [(m.theme.id, m.score) for m in index.rank(query)]
        assert got == [(m.theme.id, m.score) for m in fresh.rank(query)], query


QUERIES = ["belonging", "belnging", "sense", "ward", "home", "longing for home", "be", "xyz"]


def test_an_added_theme_is_found_without_a_rebuild(
    codebook: list[Theme], counted: dict[str, int]
) -> None:
    index = ThemeIndex(codebook)
    index.rank("belonging")
    counted.update(normalised=0, built=0)
    added = Theme(99, "g99", "Homesick on placement", None, "statement")
    index.add(added)
    assert counted == {"normalised": 1, "built": 0}  # only the new name was read
    assert len(index) == len(codebook) + 1
    assert index.rank("homesick")[0].theme == added
    assert index.rank("homesik on placment")[0].theme == added
    same_ranking(index, [*codebook, added], [*QUERIES, "homesick"])


def test_a_renamed_theme_is_found_by_its_new_name_only(
    codebook: list[Theme], counted: dict[str, int]
) -> None:
    index = ThemeIndex(codebook)
    index.rank("belonging")
    counted.update(normalised=0, built=0)
    renamed = Theme(1, "guid-1", "Feeling part of the team", None, "statement")
    index.update(renamed)
    assert counted == {"normalised": 1, "built": 0}
    assert len(index) == len(codebook)
    assert index.rank("feeling part of the team")[0].theme == renamed
    assert 1 not in [m.theme.id for m in index.rank("sense of belonging")]
    same_ranking(index, [renamed, *codebook[1:]], [*QUERIES, "feeling part"])


def test_a_deleted_theme_is_gone(codebook: list[Theme], counted: dict[str, int]) -> None:
    index = ThemeIndex(codebook)
    index.rank("belonging")
    counted.update(normalised=0, built=0)
    index.remove(1)
    index.remove(12345)  # not indexed: ignored
    assert counted == {"normalised": 0, "built": 0}
    assert len(index) == len(codebook) - 1
    assert 1 not in [m.theme.id for m in index.rank("sense of belonging")]
    assert 1 not in [m.theme.id for m in index.rank("")]
    same_ranking(index, codebook[1:], QUERIES)


def test_sync_reindexes_only_what_changed(codebook: list[Theme], counted: dict[str, int]) -> None:
    paths = {theme.id: f"Belonging/{theme.name}" for theme in codebook[:5]}
    index = ThemeIndex(codebook, paths)
    counted.update(normalised=0, built=0)
    changed = [
        Theme(2, "guid-2", "Somewhere else entirely", None, "statement"),  # renamed
        *codebook[2:10],  # 1 deleted
        Theme(11, "guid-11", codebook[10].name, None, "pet"),  # only its level changed
        *codebook[11:],
        Theme(77, "g77", "Night shift loneliness", None, "statement"),  # added
    ]
    index.sync(changed, paths)
    assert counted["built"] == 0
    assert counted["normalised"] <= 2  # the renamed and the added names
    assert index.rank("somewhere else entirely")[0].theme.id == 2
    assert index.rank("night shift lonelines")[0].theme.id == 77
    assert index.rank(codebook[10].name)[0].theme.level == "pet"
    assert 1 not in [m.theme.id for m in index.rank("sense of belonging")]
    # Unchanged since: nothing is re-read.
    counted.update(normalised=0)
    index.sync(changed, paths)
    assert counted == {"normalised": 0, "built": 0}
    # A parent renamed moves its children's path words.
    moved = {theme_id: path.replace("Belonging/", "Homesick/") for theme_id, path in paths.items()}
    index.sync(changed, moved)
    assert counted["built"] == 0
    found = [m.theme.id for m in index.rank("homesick")]
    assert set(found) == {t.id for t in changed if t.id in moved and t.id != 2} | {2}


def test_many_removals_compact_the_index_and_keep_the_ranking() -> None:
    themes = [Theme(i, f"g{i}", f"Theme {i} of the ward round", None, "code") for i in range(3000)]
    themes.append(Theme(5000, "g5000", "Sense of belonging", None, "code"))
    index = ThemeIndex(themes)
    for theme in themes[:2500]:
        index.remove(theme.id)
    assert len(index) == 501
    assert len(index._themes) < 3000  # compacted: the removed ones no longer take room
    same_ranking(index, themes[2500:], ["theme 2999", "ward", "belnging", "", "round"])


def test_empty_codebook() -> None:
    assert rank_themes("anything", []) == []
    assert rank_themes("", []) == []


# properties over arbitrary input

name_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30
)


@settings(max_examples=300, deadline=None)
@given(query=st.text(max_size=30), theme_names=st.lists(name_text, max_size=12))
def test_ranking_invariants(query: str, theme_names: list[str]) -> None:
    themes = themes_named(*theme_names)
    paths = {theme.id: f"Parent {theme.id}/{theme.name}" for theme in themes}
    for matches in (rank_themes(query, themes), rank_themes(query, themes, paths=paths)):
        ids = [match.theme.id for match in matches]
        assert len(ids) == len(set(ids))
        assert set(ids) <= {theme.id for theme in themes}
        scores = [match.score for match in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= score <= 100 for score in scores)
        wanted = normalise(query)
        for match in matches:
            assert match.exact == (bool(wanted) and normalise(match.theme.name) == wanted)
            assert (match.score == 100) == match.exact
        if wanted:
            # Every theme whose name contains the query literally is found.
            literal = {t.id for t in themes if wanted in normalise(t.name)}
            assert literal <= set(ids)
        else:
            assert ids == [theme.id for theme in themes]


@settings(max_examples=200, deadline=None)
@given(theme_names=st.lists(name_text, min_size=1, max_size=12), pick=st.integers(0, 11))
def test_every_name_finds_itself_first(theme_names: list[str], pick: int) -> None:
    themes = themes_named(*theme_names)
    target = themes[pick % len(themes)]
    if not normalise(target.name):
        return
    top = rank_themes(target.name, themes)[0]
    assert top.exact
    assert normalise(top.theme.name) == normalise(target.name)


def test_accent_folding_of_combining_marks() -> None:
    composed = unicodedata.normalize("NFC", "Réflexion")
    decomposed = unicodedata.normalize("NFD", "Réflexion")
    assert normalise(composed) == normalise(decomposed) == "reflexion"
    assert rank_themes(decomposed, themes_named(composed))[0].exact


def test_search_imports_neither_textual_nor_sqlite() -> None:
    code = (
        "import sys, tui.project.search; "
        "print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('textual', 'sqlite3', 'sqlite_utils')))"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("limit", [3, 10, 50])
def test_a_typo_ranks_the_name_with_the_words_in_the_typed_order_first(limit: int) -> None:
    # The word scores tie (each name has a word close to each typed word): the name most like
    # the query as typed, its words in that order with none between, comes first, though longer.
    names = ["Maturity identity", "Identity of maturity", "Identity maturation", "Maturity of identity"]
    filler = [f"Identity maturity {n}" for n in range(40)]  # many more on the same score
    themes = [Theme(i, f"g{i}", name, None, "code") for i, name in enumerate(names + filler, 1)]
    top = [m.theme.name for m in ThemeIndex(themes).rank("idnetity matur", limit)]
    assert top[0] == "Identity maturation"
