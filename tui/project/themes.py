"""Themes: the codebook tree, and the one place each rule about themes is decided.

- `clean_theme_name`: how typed text becomes a theme's name.
- `find_theme` / `resolve_theme`: how a name or a path (`Parent/Child`, whole or starting at any
  ancestor) names one theme.
- `usable_themes`: which themes may code a transcript (in IPA a case keeps its own statements and
  PETs; GETs and TA themes are cross-case).
- `new_theme_scope`: which participant a new theme belongs to.
The screens and the command line call these; neither decides any of it itself.
"""

from __future__ import annotations

import re
import sqlite3
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from tui.project.db import ProjectError, new_guid, now
from tui.project.model import CASE_LEVELS, LEVEL_LABELS, Theme

_COLUMNS = "id, guid, name, parent_id, level, participant_id, description, colour, strategy"


_WORDY = re.compile(r"\w")


def clean_theme_name(text: str) -> str:
    """A theme's name as typed: runs of whitespace (tabs, line breaks) become one space, ends trimmed."""
    return " ".join(str(text).split())


def split_path(ref: str) -> list[str]:
    """The names of a path such as `Belonging / Feeling part of the team`, each cleaned."""
    return [clean_theme_name(part) for part in ref.split("/")]


#: SQLite's NOCASE: ASCII capitals as small letters, nothing else.
_NOCASE = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class ThemeTable(Mapping[int, Theme]):
    """Every theme by id, each `Theme` made when first asked for. The board of 10,000 themes
    orders them as a `tree` from their rows and makes only the themes it shows: making all of
    them was a quarter of its opening."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._rows = {row[0]: row for row in rows}  # the columns of _COLUMNS
        self._made: dict[int, Theme] = {}

    def __getitem__(self, theme_id: int) -> Theme:
        made = self._made.get(theme_id)
        if made is None:
            made = self._made[theme_id] = Theme(*self._rows[theme_id])
        return made

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def tree(self, rank: Mapping[str, int], case: int | None = None) -> list[tuple[int, int]]:
        """(theme id, depth) of every theme in view, depth first: each below its parent (at the top
        where its parent is not in the project), siblings by their level's `rank` (highest first),
        name and id. With a `case`, other participants' themes are left out; a theme whose parent
        is left out, or that is on a loop of parents, comes last, at the top, by name."""
        rows = self._rows
        children: dict[int | None, list[tuple[int, str, int]]] = {}
        shown = 0
        for row in rows.values():  # 10,000 themes: a plain loop over the rows, no Theme made
            participant = row[5]
            if case is not None and participant is not None and participant != case:
                continue
            shown += 1
            parent = row[3] if row[3] in rows else None
            key = (-rank.get(row[4], 0), row[2].casefold(), row[0])
            group = children.get(parent)
            if group is None:
                children[parent] = [key]
            else:
                group.append(key)
        for group in children.values():
            group.sort()
        made: list[tuple[int, int]] = []
        stack = [(key[2], 0) for key in reversed(children.get(None, ()))]
        seen: set[int] = set()
        while stack:
            theme_id, depth = stack.pop()
            if theme_id in seen:
                continue
            seen.add(theme_id)
            made.append((theme_id, depth))
            below = children.get(theme_id)
            if below:
                stack.extend([(key[2], depth + 1) for key in reversed(below)])
        if len(seen) < shown:
            left = sorted((key[1], key[2]) for group in children.values() for key in group if key[2] not in seen)
            made.extend((theme_id, 0) for _, theme_id in left)
        return made

    def by_name(self) -> list[Theme]:
        """Every theme in the order of `themes()`: by name as SQLite's NOCASE compares (ASCII letters
        folded), then id."""
        return sorted(self.values(), key=lambda theme: (theme.name.translate(_NOCASE), theme.id))

    def parents(self) -> dict[int, int | None]:
        """Each theme's parent id."""
        return {theme_id: row[3] for theme_id, row in self._rows.items()}


class ThemesMixin:
    """Creating, naming, finding, changing and deleting themes."""

    conn: sqlite3.Connection

    def themes(self) -> list[Theme]:
        """Every theme, by name."""
        return [Theme(*r) for r in self.conn.execute(f"SELECT {_COLUMNS} FROM themes ORDER BY name COLLATE NOCASE, id")]

    def theme_table(self) -> ThemeTable:
        """Every theme by id, each made when first asked for (`ThemeTable`)."""
        return ThemeTable(self.conn.execute(f"SELECT {_COLUMNS} FROM themes"))

    def theme(self, theme_id: int) -> Theme:
        """One theme by id."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM themes WHERE id = ?", (theme_id,)).fetchone()
        if row is None:
            raise ProjectError(f"no theme with id {theme_id}")
        return Theme(*row)

    def _themes_by_ids(self, ids: list[int]) -> dict[int, Theme]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        return {r[0]: Theme(*r) for r in self.conn.execute(f"SELECT {_COLUMNS} FROM themes WHERE id IN ({marks})", ids)}

    def theme_paths(self, themes: Sequence[Theme] | None = None) -> dict[int, str]:
        """Every theme's path from its root, such as `Belonging/Feeling part of the team` (from
        `themes`, all of them as `themes()` returns them, when the caller has just read them).

        Each path is its parent's path and its own name, so the paths of a large codebook are
        made once each, not walked from every theme to the root. A parent missing, or a loop of
        parents (a damaged file: `check` reports it), ends a path where the walk stops.
        """
        rows = ((t.id, t.parent_id, t.name) for t in themes) if themes is not None else self.conn.execute(
            "SELECT id, parent_id, name FROM themes"
        )
        parents: dict[int, tuple[int | None, str]] = {row[0]: (row[1], row[2]) for row in rows}
        paths: dict[int, str] = {}
        for theme_id in parents:
            chain, node, seen = [], theme_id, set()
            while node is not None and node in parents and node not in seen and node not in paths:
                seen.add(node)
                chain.append(node)
                node = parents[node][0]
            looped = node in seen
            path = paths.get(node) if node is not None and not looped else None
            for depth, member in enumerate(reversed(chain)):
                name = parents[member][1]
                path = name if path is None else f"{path}/{name}"
                if not looped or depth == len(chain) - 1:  # in a loop, each member's path starts elsewhere
                    paths[member] = path
        return paths

    def _theme_name_paths(self) -> dict[int, list[str]]:
        parents: dict[int, tuple[int | None, str]] = {
            r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT id, parent_id, name FROM themes")
        }
        paths: dict[int, list[str]] = {}

        def path(theme_id: int) -> list[str]:
            chain, node, seen = [], theme_id, set()
            while node is not None and node in parents and node not in seen:
                if node in paths:
                    chain.extend(reversed(paths[node]))
                    break
                seen.add(node)
                chain.append(parents[node][1])
                node = parents[node][0]
            return list(reversed(chain))

        for theme_id in parents:
            paths[theme_id] = path(theme_id)
        return paths

    # ------------------------------------------------------------------ the rules

    def usable_themes(self, transcript_id: int, themes: list[Theme] | None = None) -> list[Theme]:
        """The themes that may code this transcript: cross-case ones and its own participant's;
        of `themes` (as `themes()` returns them) when the caller has just read them."""
        participant_id = self.transcript(transcript_id, text=False).participant_id
        if themes is None:
            themes = self.themes()
        if self.method != "ipa":  # fits_case's rule, with the method read once rather than per theme
            return themes
        return [t for t in themes if t.participant_id is None or t.participant_id == participant_id]

    def may_code(self, theme: Theme, transcript_id: int) -> bool:
        """Whether `theme` may code this transcript (in IPA, each case keeps its own statements and PETs)."""
        return self.fits_case(theme, self.transcript(transcript_id, text=False).participant_id)

    def fits_case(self, theme: Theme, participant_id: int | None) -> bool:
        """The rule itself: in IPA a theme scoped to a participant codes only that participant's transcripts."""
        return self.method != "ipa" or theme.participant_id is None or theme.participant_id == participant_id

    def new_theme_scope(self, transcript_id: int | None, level: str) -> int | None:
        """The participant a new theme of `level` belongs to when made while coding this transcript."""
        if transcript_id is None or level not in CASE_LEVELS.get(self.method, ()):
            return None
        return self.transcript(transcript_id, text=False).participant_id

    def level_below(self, theme: Theme | None) -> str:
        """The level of a new theme made under `theme` (the lowest level at the top of the tree)."""
        levels = self.levels
        if theme is None or theme.level not in levels:
            return levels[0]
        return levels[max(levels.index(theme.level) - 1, 0)]

    def find_theme(self, ref: str, *, transcript_id: int | None = None) -> Theme | None:
        """The one theme a name or a path names; None if none; ProjectError if it names several.

        A path may be whole or start at any ancestor (`PET/statement` under a GET). With a
        transcript, themes that may not code it are not candidates.
        """
        matches = self._theme_candidates(ref)
        if transcript_id is not None and len(matches) > 1:
            matches = [t for t in matches if self.may_code(t, transcript_id)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return None
        paths = self.theme_paths()
        pseudonyms = {p.id: p.pseudonym for p in self.participants()}
        options = "; ".join(
            paths[t.id] + (f" ({pseudonyms.get(t.participant_id, '?')})" if t.participant_id else "")
            for t in matches
        )
        raise ProjectError(f"theme '{clean_theme_name(ref)}' is ambiguous; name it by its path: {options}")

    def _theme_candidates(self, ref: str) -> list[Theme]:
        wanted = split_path(ref)
        if not all(wanted):
            return []
        whole = clean_theme_name(ref)
        by_name = [r[0] for r in self.conn.execute("SELECT id FROM themes WHERE name = ?", (whole,))]
        if not by_name:
            by_name = [r[0] for r in self.conn.execute("SELECT id FROM themes WHERE name = ? COLLATE NOCASE", (whole,))]
        if by_name:  # a name that holds a slash (Work/life balance) is a name before it is a path
            found = self._themes_by_ids(by_name)
            return [found[i] for i in by_name]
        if len(wanted) == 1:
            return []
        folded = [w.casefold() for w in wanted]
        paths = self._theme_name_paths()
        exact = [i for i, p in paths.items() if p[-len(wanted):] == wanted]
        ids = exact or [i for i, p in paths.items() if [n.casefold() for n in p[-len(wanted):]] == folded]
        found = self._themes_by_ids(ids)
        return [found[i] for i in sorted(ids)]

    def resolve_theme(
        self, ref: str, *, transcript_id: int | None = None, level: str | None = None,
    ) -> tuple[Theme | None, dict[str, Any]]:
        """What a typed name or path means: (the theme it names, None) or (None, how to create it).

        A path whose last name is new is created under the theme the rest names, which must
        exist; nothing is ever made beside a theme that the path already names. A `/` separates
        names only where each part has a letter or digit: `[/]` is a name, not a path.
        """
        theme = self.find_theme(ref, transcript_id=transcript_id)
        if theme is not None:
            return theme, {}
        name, parent = clean_theme_name(ref), None
        if not name:
            raise ProjectError("a theme needs a name")
        names = split_path(ref)
        if len(names) > 1 and all(_WORDY.search(n) for n in names):
            parent_ref = "/".join(names[:-1])
            parent = self.find_theme(parent_ref, transcript_id=transcript_id)
            if parent is None:
                raise ProjectError(
                    f"no theme '{parent_ref}' to put '{names[-1]}' under; create the parent first "
                    "(a / in a theme's name separates it from its parent)"
                )
            name = names[-1]
        level = level or self.level_below(parent)
        return None, {
            "name": name, "level": level, "parent_id": parent.id if parent else None,
            "participant_id": self.new_theme_scope(transcript_id, level),
        }

    # ------------------------------------------------------------------ changes

    def create_theme(
        self,
        name: str,
        *,
        level: str | None = None,
        parent_id: int | None = None,
        participant_id: int | None = None,
        description: str = "",
        colour: str | None = None,
        guid: str | None = None,
    ) -> Theme:
        """Create a theme (one undoable action)."""
        with self.action("theme.create", f"create theme {clean_theme_name(name)}"):
            theme_id = self._create_theme(name, level, parent_id, participant_id, description, colour, guid=guid)
        return self.theme(theme_id)

    def _check_free_name(self, name: str, parent_id: int | None, participant_id: int | None, theme_id: int | None = None) -> None:
        row = self.conn.execute(
            "SELECT id FROM themes WHERE ifnull(parent_id, 0) = ? AND ifnull(participant_id, 0) = ? "
            "AND name = ? COLLATE NOCASE AND id IS NOT ?",
            (parent_id or 0, participant_id or 0, name, theme_id),
        ).fetchone()
        if row:
            where = f"under {self.theme(parent_id).name}" if parent_id else "at the top of the tree"
            raise ProjectError(f"a theme named '{name}' already exists {where}; choose another name (nothing was changed)")

    def _create_theme(
        self, name: str, level: str | None, parent_id: int | None, participant_id: int | None,
        description: str = "", colour: str | None = None, *, guid: str | None = None,
    ) -> int:
        name = clean_theme_name(name)
        if not name:
            raise ProjectError("a theme needs a name")
        level = level or self.levels[0]
        if level not in self.levels:
            raise ProjectError(
                f"unknown level '{level}' for this {self.method.upper()} project: choose one of {', '.join(self.levels)}"
            )
        if parent_id is not None:
            self.theme(parent_id)
        self._check_free_name(name, parent_id, participant_id)
        row = self._insert("themes", {
            "guid": (guid or new_guid()).lower(), "name": name, "parent_id": parent_id, "level": level,
            "participant_id": participant_id, "description": description, "colour": colour, "created_at": now(),
        })
        self._place(theme_id=row["id"])
        return row["id"]

    def update_theme(self, theme_id: int, **values: Any) -> Theme:
        """Rename, describe, re-level, re-colour or move a theme (one undoable action)."""
        allowed = {"name", "description", "level", "colour", "parent_id", "participant_id", "strategy"}
        unknown = set(values) - allowed
        if unknown:
            raise ProjectError(f"cannot change {', '.join(sorted(unknown))} of a theme")
        theme = self.theme(theme_id)
        if "name" in values:
            values["name"] = clean_theme_name(values["name"])
            if not values["name"]:
                raise ProjectError("a theme needs a name")
        if "level" in values and values["level"] not in self.levels:
            raise ProjectError(f"unknown level '{values['level']}'")
        parent = values.get("parent_id")
        if parent is not None:
            ancestor: int | None = parent
            while ancestor is not None:
                if ancestor == theme_id:
                    raise ProjectError("a theme cannot be moved under itself or one of its children")
                ancestor = self.theme(ancestor).parent_id
        self._check_free_name(
            values.get("name", theme.name), values.get("parent_id", theme.parent_id),
            values.get("participant_id", theme.participant_id), theme_id,
        )
        what = "rename" if set(values) == {"name"} else "change"
        with self.action(f"theme.{'rename' if what == 'rename' else 'update'}",
                         f"{what} theme {theme.name}" + (f" to {values['name']}" if what == "rename" else ""),
                         theme_id=theme_id):
            self._update("themes", theme_id, **values)
        return self.theme(theme_id)

    def delete_theme(self, theme_id: int) -> None:
        """Delete a theme and its codings; its children move up to its parent (one undoable action)."""
        theme = self.theme(theme_id)
        label = LEVEL_LABELS.get(theme.level, theme.level)
        with self.action("theme.delete", f"delete {label} {theme.name}", theme_id=theme_id):
            for (child,) in self.conn.execute("SELECT id FROM themes WHERE parent_id = ?", (theme_id,)).fetchall():
                self._update("themes", child, parent_id=theme.parent_id)
            coding_ids = [r[0] for r in self.conn.execute("SELECT id FROM codings WHERE theme_id = ?", (theme_id,))]
            for coding in coding_ids:
                self._detach_coding(coding)
                self._delete("codings", coding)
            for (memo,) in self.conn.execute("SELECT id FROM memos WHERE theme_id = ?", (theme_id,)).fetchall():
                self._update("memos", memo, theme_id=None)
            for (divergence,) in self.conn.execute(
                "SELECT id FROM divergences WHERE theme_id = ?", (theme_id,)
            ).fetchall():
                self._delete("divergences", divergence)
            self._delete("themes", theme_id)
