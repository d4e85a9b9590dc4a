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

import bisect
import heapq
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import attrgetter

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

#: Up to this many themes still in the running are scored one by one against a further query word.
_FEW: int = 400

#: How many query words' results a `ThemeIndex` remembers.
_RECENT_WORDS: int = 32

#: Score bands, so that scores fall monotonically down the ranked list.
_EXACT_SCORE = 100.0
_PREFIX_BAND = (90.0, 99.0)
_SUBSTRING_BAND = (80.0, 89.0)
_FUZZY_TOP = 79.0

#: An index re-indexes its live themes afresh once more than this many (and more than the live
#: ones) have been removed.
_COMPACT_AFTER: int = 1000

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


#: How many themes tied on score are compared whole with the query (more are taken shortest first).
_MOST_ALIKE = 2000


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


class _Texts:
    """The live names in length order, joined by newlines into texts that `str.find` searches.

    A query never holds a newline, so every occurrence lies inside one name; `starts` says which.
    """

    def __init__(self, order: Sequence[int], names: Sequence[str], spaced: Sequence[str]) -> None:
        self.order = list(order)
        self.names = [names[p] for p in self.order]
        #: The names as they are, and with every non-word character a space (same offsets).
        self.plain = "\n".join(self.names)
        self.spaced = "\n".join([spaced[p] for p in self.order])
        self.lengths = [len(name) for name in self.names]
        #: Where each name starts in the texts, and one past the end.
        self.starts = list(accumulate((length + 1 for length in self.lengths), initial=0))

    def find(self, text: str, needle: str, want: int, accept: Callable[[int], bool]) -> list[int]:
        """Up to `want` accepted positions whose name holds `needle` in `text`, shortest first."""
        found: list[int] = []
        starts, order = self.starts, self.order
        at = text.find(needle)
        while at >= 0:
            k = bisect.bisect_right(starts, at) - 1
            if accept(order[k]):
                found.append(order[k])
                if len(found) >= want:
                    break
            at = text.find(needle, starts[k + 1])  # on to the next name
        return found


_ID = attrgetter("id")
_NAME = attrgetter("name")


class ThemeIndex:
    """The themes of a codebook, normalised once, ranked on every keystroke, kept up to date.

    Build it once per codebook; when themes are created, renamed, moved or deleted, `add`,
    `update` and `remove` (or `sync`, which finds what changed) re-index only those themes.
    """

    def __init__(
        self, themes: Sequence[Theme] = (), paths: Mapping[int, str] | None = None, *, between: Callable[[], None] | None = None
    ) -> None:
        """Index `themes`; `paths` maps a theme id to its "Parent/Child" path, if known. `between`
        is called after every thousand themes (a build in a thread of its own can wait there)."""
        # Per position (a theme's place in the order it was indexed): the theme (None once
        # removed), its normalised name, that name with punctuation as spaces, its path, the
        # vocabulary ids of its name's words and of its parents' other words.
        self._themes: list[Theme | None] = []
        self._names: list[str] = []
        self._spaced: list[str] = []
        self._paths: list[str | None] = []
        self._name_ids: list[list[int]] = []
        self._path_ids: list[list[int]] = []
        self._position_of: dict[int, int] = {}
        self._vocabulary: list[str] = []
        self._word_ids: dict[str, int] = {}
        # For each vocabulary word, the positions having it in their name / parents' path. A
        # removed theme stays listed (its position is skipped) until the index is compacted.
        self._in_name: list[list[int]] = []
        self._in_path: list[list[int]] = []
        self._parent_words: dict[str, list[int]] = {}
        self._removed = 0
        self._clear_caches()
        for count, theme in enumerate(themes, start=1):
            self._append(theme, paths.get(theme.id) if paths else None)
            if between is not None and not count % 1000:
                between()
        # Live positions by (name length, name, position): the order within the literal tiers;
        # and by (name, position), where the names starting with a query sit together.
        self._by_length: list[int] = sorted(range(len(self._names)), key=self._length_key)
        self._by_name: list[tuple[str, int]] = sorted(zip(self._names, range(len(self._names))))
        # What was indexed, as `sync` last saw it: ids, names, paths, positions.
        self._synced: tuple[list[int], list[str], list[str | None], list[int]] | None = (
            list(map(_ID, themes)), list(map(_NAME, themes)), list(self._paths), list(range(len(self._themes)))
        )

    def __len__(self) -> int:
        """The number of themes indexed."""
        return len(self._themes) - self._removed

    def _length_key(self, position: int) -> tuple[int, str, int]:
        name = self._names[position]
        return (len(name), name, position)

    def _clear_caches(self) -> None:
        """Forget everything worked out from the themes, after they change."""
        # Each vocabulary word cut to n characters, made when a query word of length n first comes.
        self._prefixes: dict[int, list[str]] = {}
        # The vocabulary ids of the words starting with one or two given characters, made lazily.
        self._starting: dict[str, list[int]] | None = None
        # The last few query words and their `_best_per_theme` / `_similar_words`: typing changes
        # only the last word. This memory makes an index unsafe to use from two threads at once.
        self._recent: dict[str, dict[int, float]] = {}
        self._recent_similar: dict[str, dict[int, float]] = {}
        # The live names in length order joined into two texts, searched with str.find.
        self._texts: _Texts | None = None

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
                self._prefixes.clear()
                self._starting = None
            ids.append(found)
        return ids

    def _append(self, theme: Theme, path: str | None) -> int:
        """Give `theme` the next position and index its words; the caller keeps the orders."""
        position = len(self._themes)
        name = normalise(theme.name)
        self._themes.append(theme)
        self._names.append(name)
        self._spaced.append(name if name.replace(" ", "").isalnum() else _NON_WORD.sub(" ", name))
        self._paths.append(path)
        own = self._ids(name)
        self._name_ids.append(own)
        for word in own:
            self._in_name[word].append(position)
        others: list[int] = []
        if path:
            parent = _parent_of(path, theme.name)
            ids = self._parent_words.get(parent)
            if ids is None:
                ids = self._parent_words[parent] = self._ids(normalise(parent))
            others = [word for word in ids if word not in own]
            for word in others:
                self._in_path[word].append(position)
        self._path_ids.append(others)
        self._position_of[theme.id] = position
        return position

    # ------------------------------------------------------------------ keeping it up to date

    def add(self, theme: Theme, path: str | None = None) -> None:
        """Index a new theme (or re-index one with the same id)."""
        if theme.id in self._position_of:
            self.update(theme, path)
            return
        position = self._append(theme, path)
        bisect.insort(self._by_length, position, key=self._length_key)
        bisect.insort(self._by_name, (self._names[position], position))
        self._changed()

    def update(self, theme: Theme, path: str | None = None) -> None:
        """Re-index a theme that was renamed or moved; a theme not indexed yet is added."""
        position = self._position_of.get(theme.id)
        if position is None:
            self.add(theme, path)
            return
        old = self._themes[position]
        if old is not None and old.name == theme.name and self._paths[position] == path:
            self._themes[position] = theme  # its level or participant may have changed
            return
        self.remove(theme.id)
        self.add(theme, path)

    def remove(self, theme_id: int) -> None:
        """Forget a deleted theme; an id not indexed is ignored."""
        position = self._position_of.pop(theme_id, None)
        if position is None:
            return
        at = bisect.bisect_left(self._by_length, self._length_key(position), key=self._length_key)
        del self._by_length[at]
        del self._by_name[bisect.bisect_left(self._by_name, (self._names[position], position))]
        self._themes[position] = None
        self._removed += 1
        self._changed()
        if self._removed > max(_COMPACT_AFTER, len(self._position_of)):
            self._compact()

    def _changed(self) -> None:
        self._synced = None
        self._clear_caches()

    def _compact(self) -> None:
        """Index the live themes afresh, dropping the positions of removed ones."""
        live = [(theme, path) for theme, path in zip(self._themes, self._paths) if theme is not None]
        fresh = ThemeIndex([theme for theme, _ in live], {t.id: p for t, p in live if p is not None})
        self.__dict__.update(fresh.__dict__)

    def sync(self, themes: Sequence[Theme], paths: Mapping[int, str] | None = None) -> None:
        """Bring the index up to date with `themes`: only what was added, renamed, moved or removed
        is re-indexed, and nothing at all when only other details (level, participant) changed."""
        ids = list(map(_ID, themes))
        names = list(map(_NAME, themes))
        given = [paths.get(i) for i in ids] if paths else [None] * len(ids)
        synced = self._synced
        if synced is not None and synced[0] == ids and synced[1] == names and synced[2] == given:
            for position, theme in zip(synced[3], themes):
                self._themes[position] = theme
            return
        wanted = dict(zip(ids, range(len(ids))))
        gone = [theme_id for theme_id in self._position_of if theme_id not in wanted]
        if len(gone) + abs(len(ids) - len(self._position_of) + len(gone)) > max(len(ids) // 2, 64):
            self.__dict__.update(ThemeIndex(themes, paths).__dict__)  # most of it is new
        else:
            for theme_id in gone:
                self.remove(theme_id)
            for theme, path in zip(themes, given):
                self.update(theme, path)
        self._synced = (ids, names, given, [self._position_of[i] for i in ids])

    # ------------------------------------------------------------------ ranking

    def rank(self, query: str, limit: int = 50) -> list[Match]:
        """The themes matching `query`, best first, at most `limit` of them."""
        if limit <= 0:
            return []
        wanted = normalise(query)
        if not wanted:
            return [Match(theme, 0.0, False) for theme in islice(filter(None, self._themes), limit)]
        names = self._names
        texts = self._texts or self._join()

        # Names starting with the query sit together in name order; a longer one scores less.
        starts_name: list[int] = []
        at = bisect.bisect_left(self._by_name, (wanted,))
        by_name = self._by_name
        while at < len(by_name) and by_name[at][0].startswith(wanted):
            starts_name.append(by_name[at][1])
            at += 1
        exact = [p for p in starts_name if len(names[p]) == len(wanted)]
        longer = heapq.nsmallest(
            limit, (p for p in starts_name if len(names[p]) > len(wanted)), key=self._length_key
        )

        # A later word starting with the query: found in length order, so the first `limit` are
        # the best. "(aside" or "[laughs]" start a word after a space; other queries are compared
        # with punctuation as spaces, so "belonging" starts a word of "(belonging)".
        if _NON_WORD.match(wanted):
            needle, text = " " + wanted, texts.plain
        else:
            needle, text = " " + _NON_WORD.sub(" ", wanted), texts.spaced
        starts_word = texts.find(
            text, needle, limit,
            lambda p: wanted in names[p] and not names[p].startswith(wanted),
        )

        def prefix_key(position: int) -> tuple[float, int, str, int]:
            """Sorts prefix matches best first."""
            name = names[position]
            return (-self._prefix_score(name, wanted), len(name), name, position)

        # Each prefix list is already in key order (the score falls as the name grows); merge them.
        prefix = heapq.merge(longer, starts_word, key=prefix_key)
        ranked: list[Match] = [Match(self._themes[p], _EXACT_SCORE, True) for p in exact[:limit]]
        for position in islice(prefix, limit - len(ranked)):
            score = self._prefix_score(names[position], wanted)
            ranked.append(Match(self._themes[position], round(score, 2), False))
        if len(ranked) >= limit:
            return ranked

        # Names containing the query elsewhere, shortest (best) first.
        literal = set(starts_name).union(starts_word)
        inside = texts.find(texts.plain, wanted, limit - len(ranked), lambda p: p not in literal)
        for position in inside:
            score = _in_band(_SUBSTRING_BAND, len(wanted) / len(names[position]))
            ranked.append(Match(self._themes[position], round(score, 2), False))
        if len(ranked) >= limit:
            return ranked

        literal.update(inside)
        room = limit - len(ranked)
        raw = self._fuzzy(wanted, literal, room)
        for position in self._best_of(raw, room, texts, wanted):
            ranked.append(Match(self._themes[position], round(_FUZZY_TOP * raw[position] / 100.0, 2), False))
        return ranked

    def _best_of(self, raw: dict[int, float], room: int, texts: _Texts, wanted: str) -> list[int]:
        """The `room` best positions of `raw`: higher score, then the name more like the query as
        typed (its words in the same order, no words between), then shorter name, then name."""
        names = self._names
        like = lambda p: -fuzz.ratio(wanted, names[p])  # noqa: E731
        if len(raw) > room:
            # Many themes often tie at the last score taken ("l" starts a word of thousands): the
            # ones above it are few and sorted; the tied ones are taken most alike, shortest first
            # (and when they are thousands, shortest first alone).
            last = heapq.nlargest(room, raw.values())[-1]
            above = [p for p, score in raw.items() if score > last]
            tied = {p for p, score in raw.items() if score == last}
            wanted_count = room - len(above)
            if len(tied) > max(8 * wanted_count, _MOST_ALIKE):
                chosen = [p for p in texts.order if p in tied]
                del chosen[wanted_count:]
            else:
                chosen = heapq.nsmallest(wanted_count, tied, key=lambda p: (like(p), *self._length_key(p)))
            raw_above = {p: raw[p] for p in above}
            return sorted(above, key=lambda p: (-raw_above[p], like(p), *self._length_key(p))) + chosen
        return sorted(raw, key=lambda p: (-raw[p], like(p), *self._length_key(p)))

    def _join(self) -> _Texts:
        """The live names in length order as searchable texts, made once per change."""
        self._texts = _Texts(self._by_length, self._names, self._spaced)
        return self._texts

    @staticmethod
    def _prefix_score(name: str, wanted: str) -> float:
        """The score of a name that has `wanted` at the start of itself or of one of its words."""
        # A name that starts with the query edges out one where a later word does.
        fraction = 0.9 * len(wanted) / len(name) + (0.1 if name.startswith(wanted) else 0.0)
        return _in_band(_PREFIX_BAND, fraction)

    def _fuzzy(self, wanted: str, skip: set[int], room: int) -> dict[int, float]:
        """Raw fuzzy scores (FUZZY_CUTOFF..100) of the live themes not in `skip`, by position;
        at least the best `room` of them."""
        raw: dict[int, float] = {}
        query_words = _words(wanted)
        # A word typed twice counts twice; one or two letters alone ("l", "of") find enough
        # in the literal tiers.
        counted: dict[str, int] = {}
        for word in query_words:
            counted[word] = counted.get(word, 0) + min(len(word), 10)
        if any(len(word) >= _SHORT_WORD for word in counted):
            weights = list(counted.values())
            query_words = list(counted)
            total = float(sum(weights))
            needed = FUZZY_CUTOFF * total
            # Per theme, the sum over query words of weight x best similarity. A theme that has
            # none of a set of words weighing more than the slack cannot reach the cutoff, so the
            # candidates are the themes having one of the rarest such words; the other words
            # only score those candidates, and drop the ones that can no longer make it.
            slack = total - needed / 100.0
            words = []
            for weight, word in zip(weights, query_words):
                similar = self._similar(word)
                size = sum(len(self._in_name[v]) + len(self._in_path[v]) for v in similar)
                words.append((size, weight, word, similar))
            words.sort(key=lambda entry: entry[0])
            sums: dict[int, float] = {}
            covered = 0.0
            remaining = total
            for _, weight, word, similar in words:
                if not sums and not covered:
                    sums = {p: weight * score for p, score in self._best_per_theme(word).items()}
                    covered += weight
                elif covered <= slack:
                    for position, score in self._best_per_theme(word).items():
                        sums[position] = sums.get(position, 0.0) + weight * score
                    covered += weight
                else:
                    # Score only the themes that can still reach the cutoff: a few one by one,
                    # many through the word's (remembered) themes.
                    reachable = needed - remaining * 100.0
                    alive = [(p, summed) for p, summed in sums.items() if summed >= reachable]
                    if len(alive) <= _FEW:
                        sums = {p: summed + weight * self._best_in(p, similar) for p, summed in alive}
                    else:
                        best = self._best_per_theme(word)
                        sums = {p: summed + weight * best.get(p, 0.0) for p, summed in alive}
                remaining -= weight
            themes = self._themes
            for position, summed in sums.items():
                score = summed / total
                if score >= FUZZY_CUTOFF and position not in skip and themes[position] is not None:
                    raw[position] = score
        if len(wanted) >= _SHORT_WORD:
            # Only a name that would make the best `room` is worth the whole-name comparison,
            # and only names of a length that can reach the cutoff.
            cutoff = FUZZY_CUTOFF
            if len(raw) >= room:
                cutoff = max(cutoff, heapq.nlargest(room, raw.values())[-1])
            for score, position in self._similar_names(wanted, cutoff):
                if position not in skip and score > raw.get(position, 0.0):
                    raw[position] = score
        return raw

    def _similar_names(self, wanted: str, cutoff: float) -> list[tuple[float, int]]:
        """(fuzz.ratio, position) of the names starting as the query does (its first two
        characters, spaces dropped) that are at least `cutoff` like it as a whole."""
        start = wanted.replace(" ", "")[:2]
        by_name = self._by_name
        low = bisect.bisect_left(by_name, (start,))
        high = bisect.bisect_left(by_name, (start + "\U0010ffff",), lo=low)
        block = by_name[low:high]
        found = process.extract(
            wanted, [name for name, _ in block], scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
        )
        return [(score, block[at][1]) for _, score, at in found]

    def _best_in(self, position: int, similar: dict[int, float]) -> float:
        """One theme's best similarity to a query word, given the word's `similar` vocabulary."""
        best = max((similar.get(word, 0.0) for word in self._name_ids[position]), default=0.0)
        for word in self._path_ids[position]:
            best = max(best, similar.get(word, 0.0) * PATH_WEIGHT)
        return best

    def _best_per_theme(self, word: str) -> dict[int, float]:
        """Each theme with a word close to `word`, and how close; remembered for a while."""
        found = self._recent.get(word)
        if found is None:
            if len(self._recent) >= _RECENT_WORDS:
                del self._recent[next(iter(self._recent))]
            found = self._recent[word] = self._spread(self._similar(word))
        return found

    def _similar(self, word: str) -> dict[int, float]:
        """`_similar_words`, remembered for a while."""
        found = self._recent_similar.get(word)
        if found is None:
            if len(self._recent_similar) >= _RECENT_WORDS:
                del self._recent_similar[next(iter(self._recent_similar))]
            found = self._recent_similar[word] = self._similar_words(word)
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
