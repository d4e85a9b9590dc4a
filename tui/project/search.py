"""Rank the themes of a codebook against what the user types in the theme picker.

Pure Python over rapidfuzz: no Textual, no SQLite. Build a `ThemeIndex` once per codebook and
call `ThemeIndex.rank` on every keystroke; `rank_themes` is the one-shot convenience. Both
normalise the query and the names with `normalise` (case, accents, spacing) first.

Results come in four tiers, best first, and the scores fall down the list:

- exact (100): the name equals the query;
- prefix (90 to 99): the name, or one of its words, starts with the query;
- substring (80 to 89): the name contains the query;
- fuzzy (below 80): the name is close word by word, or as a whole.

Within a tier: higher score first, then the shorter name, then the name, then the given order.
The literal tiers score by how much of the name the query covers, and a prefix of the whole
name beats a prefix of a later word of the same length.

The fuzzy score (0..100 before it is scaled into its band) is the larger of:

- a word score: each query word is compared (`fuzz.ratio`) with every word of the name, and
  with the same-length start of each word at `_PREFIX_WEIGHT` (so a half-typed word counts), and
  keeps its best match; a word of the theme's parents (from `paths`) counts at `PATH_WEIGHT`. The
  word score is the mean of those best matches weighted by word length, so "of" matters less
  than "belonging", and word order does not matter;
- the `fuzz.ratio` of the whole query and the whole name, which sees a space too many or too few
  ("burn out", "senseofbelonging").

Names scoring below `FUZZY_CUTOFF` are dropped, so "zzzz" finds nothing. Query words are compared
with the codebook's vocabulary of distinct words rather than with every name, themes that can no
longer reach the cutoff stop being scored, and the index remembers the last few query words,
since typing changes only the last one. The query is only ever compared as text: never a regex.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tui.project.model import Theme

__all__ = ["FUZZY_CUTOFF", "PATH_WEIGHT", "Match", "ThemeIndex", "normalise", "rank_themes"]

#: A fuzzy match scoring below this (0..100, before it is scaled into the fuzzy band) is dropped.
FUZZY_CUTOFF: float = 55.0

#: How much a query word matching a word of the parent's path counts, against a name word's 1.0.
PATH_WEIGHT: float = 0.8

#: A query word must match a name word at least this well to count at all.
_WORD_CUTOFF: float = 70.0

#: A query word must match a word's prefix at least this well (before weighting) to count.
_PREFIX_CUTOFF: float = 80.0

#: A match against a word's prefix (a half-typed word) counts this much of a whole-word match.
_PREFIX_WEIGHT: float = 0.95

#: Query words shorter than this match only whole words exactly, or as an exact prefix.
_SHORT_WORD: int = 3

#: How many query words' results a `ThemeIndex` remembers.
_RECENT_WORDS: int = 32

#: Score bands, so that scores fall monotonically down the ranked list.
_EXACT_SCORE = 100.0
_PREFIX_BAND = (90.0, 99.0)
_SUBSTRING_BAND = (80.0, 89.0)
_FUZZY_TOP = 79.0

_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W")


@dataclass(frozen=True)
class Match:
    """One theme found for a query, with how well it matched."""

    theme: Theme
    #: 0..100, higher is better; see the module docstring for the bands.
    score: float
    #: The theme's name equals the query, ignoring case, accents and spacing.
    exact: bool


def normalise(text: str) -> str:
    """Fold case and accents, collapse runs of whitespace to one space, and strip the ends."""
    if text.isascii():
        return " ".join(text.lower().split())
    # Unicode's compatibility caseless match: fold, decompose, and again, since each can undo
    # the other ("ℌ" decomposes to "H").
    decomposed = unicodedata.normalize(
        "NFKD", unicodedata.normalize("NFKD", text.casefold()).casefold()
    )
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFC", stripped).split())


def _words(normalised: str) -> list[str]:
    """The words of an already normalised text, punctuation dropped."""
    if normalised.replace(" ", "").isalnum():
        return normalised.split()  # the common case, and much quicker than the regex
    return _WORD.findall(normalised)


def _in_band(band: tuple[float, float], fraction: float) -> float:
    """A score inside `band`, placed by `fraction` (0..1)."""
    low, high = band
    return low + (high - low) * min(max(fraction, 0.0), 1.0)


def _spaced(normalised: str) -> str:
    """A leading space, then the text with every non-word character made a space (same offsets)."""
    if normalised.replace(" ", "").isalnum():
        return " " + normalised
    return " " + _NON_WORD.sub(" ", normalised)


def _parent_of(path: str, name: str) -> str:
    """The part of a "Parent/Child" path above the theme called `name`."""
    if path.endswith("/" + name):
        return path[: -len(name) - 1]
    if path == name:
        return ""
    return path.rpartition("/")[0]


class ThemeIndex:
    """The themes of a codebook, normalised once, ready to be ranked on every keystroke."""

    def __init__(self, themes: Sequence[Theme], paths: Mapping[int, str] | None = None) -> None:
        """Index `themes`; `paths` maps a theme id to its "Parent/Child" path, if known."""
        self._themes: list[Theme] = list(themes)
        self._names: list[str] = [normalise(theme.name) for theme in self._themes]
        self._spaced: list[str] = [_spaced(name) for name in self._names]
        # Positions by (name length, name, position): the order within every tier but the fuzzy.
        self._by_length: list[int] = sorted(
            range(len(self._names)), key=lambda p: (len(self._names[p]), self._names[p], p)
        )
        self._vocabulary: list[str] = []
        # For each word of the vocabulary, the themes that have it in their name / parents' path.
        self._in_name: list[list[int]] = []
        self._in_path: list[list[int]] = []
        self._word_ids: dict[str, int] = {}
        # For each theme, the vocabulary ids of its name's words / of its parents' other words.
        self._name_ids: list[list[int]] = []
        self._path_ids: list[list[int]] = [[] for _ in self._themes]
        for position, name in enumerate(self._names):
            ids = self._ids(name)
            self._name_ids.append(ids)
            for word in ids:
                self._in_name[word].append(position)
        if paths:
            parent_words: dict[str, list[int]] = {}
            for position, theme in enumerate(self._themes):
                path = paths.get(theme.id)
                if not path:
                    continue
                parent = _parent_of(path, theme.name)
                ids = parent_words.get(parent)
                if ids is None:
                    ids = parent_words[parent] = self._ids(normalise(parent))
                own = self._name_ids[position]
                others = [word for word in ids if word not in own]
                self._path_ids[position] = others
                for word in others:
                    self._in_path[word].append(position)
        # Each vocabulary word cut to n characters, made when a query word of length n first comes.
        self._prefixes: dict[int, list[str]] = {}
        # The vocabulary ids of the words starting with one or two given characters, made lazily.
        self._starting: dict[str, list[int]] | None = None
        # The last few query words and their `_best_per_theme`: typing changes only the last word.
        # This memory makes an index unsafe to use from two threads at once.
        self._recent: dict[str, dict[int, float]] = {}

    def __len__(self) -> int:
        """The number of themes indexed."""
        return len(self._themes)

    def _ids(self, normalised: str) -> list[int]:
        """The vocabulary ids of the distinct words of a normalised text, adding new words."""
        ids: list[int] = []
        for word in dict.fromkeys(_words(normalised)):
            found = self._word_ids.get(word)
            if found is None:
                found = self._word_ids[word] = len(self._vocabulary)
                self._vocabulary.append(word)
                self._in_name.append([])
                self._in_path.append([])
            ids.append(found)
        return ids

    def rank(self, query: str, limit: int = 50) -> list[Match]:
        """The themes matching `query`, best first, at most `limit` of them."""
        if limit <= 0:
            return []
        wanted = normalise(query)
        if not wanted:
            return [Match(theme, 0.0, False) for theme in self._themes[:limit]]

        # Literal tiers. Walking names shortest first leaves each tier in its final order: a
        # literal score falls as the name grows, so (score, length, name) sorts like (length, name).
        names = self._names
        exact: list[int] = []
        starts_name: list[int] = []
        starts_word: list[int] = []
        inside: list[int] = []
        if _NON_WORD.match(wanted):
            # "(aside" or "[laughs]": a later word starts after a space.
            at_word, haystacks = " " + wanted, names
        else:
            # Compare with punctuation as spaces, so "belonging" starts a word of "(belonging)".
            at_word, haystacks = " " + _NON_WORD.sub(" ", wanted), self._spaced
        for position in [p for p in self._by_length if wanted in names[p]]:
            name = names[position]
            if name == wanted:
                exact.append(position)
            elif name.startswith(wanted):
                starts_name.append(position)
            elif at_word in haystacks[position]:
                starts_word.append(position)
            else:
                inside.append(position)

        def prefix_key(position: int) -> tuple[float, int, str, int]:
            """Sorts prefix matches best first."""
            name = names[position]
            return (-self._prefix_score(name, wanted), len(name), name, position)

        # Each prefix list is already in key order (the score falls as the name grows); merge them.
        prefix = list(heapq.merge(starts_name, starts_word, key=prefix_key))
        ranked: list[Match] = [Match(self._themes[p], _EXACT_SCORE, True) for p in exact[:limit]]
        for position in prefix[: limit - len(ranked)]:
            score = self._prefix_score(names[position], wanted)
            ranked.append(Match(self._themes[position], round(score, 2), False))
        for position in inside[: limit - len(ranked)]:
            score = _in_band(_SUBSTRING_BAND, len(wanted) / len(names[position]))
            ranked.append(Match(self._themes[position], round(score, 2), False))
        if len(ranked) >= limit:
            return ranked

        literal = set(exact).union(starts_name, starts_word, inside)
        fuzzy = [
            (-_FUZZY_TOP * raw / 100.0, len(names[position]), names[position], position)
            for position, raw in self._fuzzy(wanted, literal).items()
        ]
        fuzzy.sort()
        for negative, _, _, position in fuzzy[: limit - len(ranked)]:
            ranked.append(Match(self._themes[position], round(-negative, 2), False))
        return ranked

    @staticmethod
    def _prefix_score(name: str, wanted: str) -> float:
        """The score of a name that has `wanted` at the start of itself or of one of its words."""
        # A name that starts with the query edges out one where a later word does.
        fraction = 0.9 * len(wanted) / len(name) + (0.1 if name.startswith(wanted) else 0.0)
        return _in_band(_PREFIX_BAND, fraction)

    def _fuzzy(self, wanted: str, skip: set[int]) -> dict[int, float]:
        """Raw fuzzy scores (FUZZY_CUTOFF..100) of the themes not in `skip`, by position."""
        raw: dict[int, float] = {}
        query_words = _words(wanted)
        if query_words:
            weights = [min(len(word), 10) for word in query_words]
            total = float(sum(weights))
            needed = FUZZY_CUTOFF * total
            # Per theme, the sum over query words of weight x best similarity. Long words first:
            # once the words left weigh too little to lift an unseen theme over the cutoff, only
            # the themes already found are scored, so "the" and "of" cost little.
            sums: dict[int, float] = {}
            remaining = total
            for weight, word in sorted(zip(weights, query_words), key=lambda pair: -pair[0]):
                best = self._best_per_theme(word)
                if remaining * 100.0 >= needed:
                    for position, score in best.items():
                        sums[position] = sums.get(position, 0.0) + weight * score
                else:
                    # Also drop the themes that can no longer reach the cutoff.
                    reachable = needed - remaining * 100.0
                    sums = {
                        position: summed + weight * best.get(position, 0.0)
                        for position, summed in sums.items()
                        if summed >= reachable
                    }
                remaining -= weight
            for position, summed in sums.items():
                score = summed / total
                if score >= FUZZY_CUTOFF and position not in skip:
                    raw[position] = score
        if len(wanted) >= _SHORT_WORD:
            whole = process.extract(
                wanted, self._names, scorer=fuzz.ratio, limit=None, score_cutoff=FUZZY_CUTOFF
            )
            for _, score, position in whole:
                if position not in skip and score > raw.get(position, 0.0):
                    raw[position] = score
        return raw

    def _best_per_theme(self, word: str) -> dict[int, float]:
        """Each theme with a word close to `word`, and how close; remembered for a while."""
        found = self._recent.get(word)
        if found is None:
            if len(self._recent) >= _RECENT_WORDS:
                del self._recent[next(iter(self._recent))]
            found = self._recent[word] = self._spread(self._similar_words(word))
        return found

    def _similar_words(self, word: str) -> dict[int, float]:
        """The vocabulary words close to one query word: their ids and similarity (0..100)."""
        if len(word) < _SHORT_WORD:
            # "of", "a", "t": only a word that is exactly it, or starts with it.
            if self._starting is None:
                self._starting = {}
                for vocab_id, vocab_word in enumerate(self._vocabulary):
                    for start in {vocab_word[:1], vocab_word[:2]}:
                        self._starting.setdefault(start, []).append(vocab_id)
            return {
                vocab_id: 100.0 if self._vocabulary[vocab_id] == word else 100.0 * _PREFIX_WEIGHT
                for vocab_id in self._starting.get(word, ())
            }
        whole = process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, limit=None, score_cutoff=_WORD_CUTOFF
        )
        prefixes = self._prefixes.get(len(word))
        if prefixes is None:
            prefixes = self._prefixes[len(word)] = [w[: len(word)] for w in self._vocabulary]
        started = process.extract(
            word, prefixes, scorer=fuzz.ratio, limit=None, score_cutoff=_PREFIX_CUTOFF
        )
        similar: dict[int, float] = {vocab_id: score for _, score, vocab_id in whole}
        for _, score, vocab_id in started:
            score *= _PREFIX_WEIGHT
            if score > similar.get(vocab_id, 0.0):
                similar[vocab_id] = score
        return similar

    def _spread(self, similar: dict[int, float]) -> dict[int, float]:
        """Each theme having one of the `similar` words, and its best similarity to them."""
        best: dict[int, float] = {}
        for vocab_id, score in similar.items():
            for position in self._in_name[vocab_id]:
                if score > best.get(position, 0.0):
                    best[position] = score
            score *= PATH_WEIGHT
            for position in self._in_path[vocab_id]:
                if score > best.get(position, 0.0):
                    best[position] = score
        return best


def rank_themes(
    query: str,
    themes: Sequence[Theme],
    *,
    limit: int = 50,
    paths: Mapping[int, str] | None = None,
) -> list[Match]:
    """The themes matching `query`, best first; build a `ThemeIndex` instead to rank repeatedly."""
    return ThemeIndex(themes, paths).rank(query, limit)
