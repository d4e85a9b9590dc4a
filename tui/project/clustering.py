"""Building themes upward: grouping, merging and moving themes, key quotes, divergence, cases.

`ClusteringMixin` is one of the bases of `Project`. Each public method is one undoable action
(`with self.action(...)`), committed before it returns; a refusal raises `ProjectError` with one
line that says why, before anything is written.

The rules, for IPA (TA has levels code and theme, and no participant scope):

- a theme groups themes of a lower level: statements into a PET, PETs into a GET;
- a PET belongs to one participant: it groups only that participant's statements;
- a GET is cross-case: it groups PETs of any participants;
- no theme goes under itself or under a theme below it, and no two themes of one scope under one
  parent share a name.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tui.project import model

if TYPE_CHECKING:
    from tui.project.model import Theme

#: How a theme was formed from what it groups (Smith, Flowers and Larkin 2022).
STRATEGIES: tuple[str, ...] = getattr(
    model, "STRATEGIES",
    ("abstraction", "subsumption", "polarisation", "numeration", "function", "contextualisation"),
)

#: The action name of the one-off record that someone looked across cases early.
LOOK_ACROSS = "case.look_across"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _error(message: str) -> Exception:
    """A ProjectError (imported late: this module is a base of the class that defines the package)."""
    from tui.project import ProjectError

    return ProjectError(message)


def _label(level: str) -> str:
    return model.LEVEL_LABELS.get(level, level)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class ClusteringMixin:
    """Grouping, merging, moving; key quotes, divergences and cases. Mixed into `Project`."""

    # Provided by Project: conn, levels, method, theme(), action(), _insert(), _update(), _delete().
    conn: Any

    # ---------------------------------------------------------------- checks

    def _level_index(self, level: str) -> int:
        levels = self.levels  # type: ignore[attr-defined]
        return levels.index(level) if level in levels else -1

    def _ancestors(self, theme_id: int | None) -> list[int]:
        """The theme and the themes above it, nearest first."""
        found: list[int] = []
        while theme_id is not None and theme_id not in found:
            found.append(theme_id)
            row = self.conn.execute("SELECT parent_id FROM themes WHERE id = ?", (theme_id,)).fetchone()
            theme_id = row[0] if row else None
        return found

    def _check_not_below(self, theme: Theme, target: Theme) -> None:
        if theme.id == target.id:
            raise _error(f"'{theme.name}' cannot go under itself")
        if theme.id in self._ancestors(target.id):
            raise _error(f"'{theme.name}' cannot go under '{target.name}', which is below it")

    def _check_name_free(self, name: str, parent_id: int | None, participant_id: int | None, moving: int) -> None:
        row = self.conn.execute(
            "SELECT name FROM themes WHERE parent_id IS ? AND participant_id IS ? AND name = ? COLLATE NOCASE AND id != ?",
            (parent_id, participant_id, name, moving),
        ).fetchone()
        if row:
            where = "there" if parent_id is not None else "at the top"
            raise _error(f"a theme named '{row[0]}' is already {where}; rename one of them first")

    def _scoped(self, level: str) -> bool:
        """Whether themes of this level belong to one participant (IPA statements and PETs)."""
        case_levels = getattr(model, "CASE_LEVELS", {"ipa": ("statement", "pet")})
        return level in case_levels.get(self.method, ())  # type: ignore[attr-defined]

    def _check_under(self, theme: Theme, target: Theme, *, verb: str) -> None:
        """May `theme` go under `target`? Raise with the reason if not."""
        self._check_not_below(theme, target)
        mine, theirs = self._level_index(theme.level), self._level_index(target.level)
        strict = self.method == "ipa"  # type: ignore[attr-defined]
        if theirs < mine or (strict and theirs == mine):
            raise _error(
                f"cannot {verb} {_label(theme.level)} '{theme.name}' under {_label(target.level)} '{target.name}': "
                f"a theme goes under a theme of a higher level"
            )
        if (self._scoped(target.level) and target.participant_id is not None
                and theme.participant_id not in (None, target.participant_id)):
            raise _error(
                f"'{target.name}' belongs to {self._pseudonym(target.participant_id)}; "
                f"'{theme.name}' belongs to {self._pseudonym(theme.participant_id)}: each case keeps its own PETs"
            )

    def _pseudonym(self, participant_id: int | None) -> str:
        if participant_id is None:
            return "no participant"
        row = self.conn.execute("SELECT pseudonym FROM participants WHERE id = ?", (participant_id,)).fetchone()
        return row[0] if row else f"participant {participant_id}"

    @staticmethod
    def _check_strategy(strategy: str | None) -> str | None:
        if strategy is None or not strategy.strip():
            return None
        wanted = strategy.strip().casefold()
        for known in STRATEGIES:
            if known == wanted or (len(wanted) >= 3 and known.startswith(wanted)):
                return known
        raise _error(f"unknown strategy '{strategy}': choose one of {', '.join(STRATEGIES)}")

    # ---------------------------------------------------------------- group, move, merge

    def group(
        self,
        theme_ids: Sequence[int],
        into_id: int | None = None,
        new_name: str | None = None,
        level: str | None = None,
        strategy: str | None = None,
    ) -> Theme:
        """Put themes under one theme, existing (`into_id`) or new (`new_name`), as one action.

        The new theme's level is `level`, or the level above the highest grouped; in IPA a new
        PET belongs to the participant of the statements it groups. `strategy` (one of
        STRATEGIES) says how the grouping was made, and is kept on the theme and in the history.
        """
        ids = list(dict.fromkeys(theme_ids))
        if not ids:
            raise _error("nothing to group: mark some themes first")
        if (into_id is None) == (new_name is None or not new_name.strip()):
            raise _error("group into one theme: an existing one or a new name, not both or neither")
        themes = [self.theme(i) for i in ids]  # type: ignore[attr-defined]
        strategy = self._check_strategy(strategy)
        levels = self.levels  # type: ignore[attr-defined]
        if into_id is not None:
            target = self.theme(into_id)  # type: ignore[attr-defined]
            if target.id in ids:
                raise _error(f"'{target.name}' cannot be grouped into itself")
        else:
            name = " ".join((new_name or "").split())
            highest = max(self._level_index(t.level) for t in themes)
            if level is None:
                if highest + 1 >= len(levels):
                    raise _error(f"{_label(levels[-1])}s are the top level: there is nothing to group them into")
                level = levels[highest + 1]
            if level not in levels:
                raise _error(f"unknown level '{level}': choose one of {', '.join(levels)}")
            scope: int | None = None
            if self._scoped(level):
                owners = {t.participant_id for t in themes if t.participant_id is not None}
                if len(owners) > 1:
                    names = ", ".join(sorted(self._pseudonym(o) for o in owners))
                    raise _error(f"a {_label(level)} groups the themes of one participant; these belong to {names}")
                scope = owners.pop() if owners else None
            from tui.project.model import Theme as ThemeType

            target = ThemeType(0, "", name, None, level, scope)
            if not name:
                raise _error("a theme needs a name")
            self._check_name_free(name, None, scope, 0)
        for theme in themes:
            if target.id:
                self._check_under(theme, target, verb="group")
            else:
                self._check_level_for_new(theme, target)
        for theme in themes:
            if theme.parent_id != (target.id or None):
                self._check_name_free(theme.name, target.id or None, theme.participant_id, theme.id)
        words = _plural(len(themes), _label(themes[0].level) if len({t.level for t in themes}) == 1 else "theme")
        how = f" ({strategy})" if strategy else ""
        new = "" if target.id else "new "
        with self.action("theme.group", f"group {words} into {new}{_label(target.level)} {target.name}{how}"):  # type: ignore[attr-defined]
            if target.id:
                target_id = target.id
                if strategy is not None:
                    self._update("themes", target_id, strategy=strategy)  # type: ignore[attr-defined]
            else:
                row = self._insert("themes", {  # type: ignore[attr-defined]
                    "guid": str(uuid.uuid4()), "name": target.name, "parent_id": None, "level": target.level,
                    "participant_id": target.participant_id, "description": "", "colour": None,
                    "created_at": _now(), "strategy": strategy,
                })
                target_id = row["id"]
            for theme in themes:
                if theme.parent_id != target_id:
                    self._update("themes", theme.id, parent_id=target_id)  # type: ignore[attr-defined]
        return self.theme(target_id)  # type: ignore[attr-defined]

    def set_strategy(self, theme_id: int, strategy: str | None) -> Theme:
        """Say by which strategy a theme was formed from what it groups (None: not said)."""
        theme = self.theme(theme_id)  # type: ignore[attr-defined]
        value = self._check_strategy(strategy)
        if getattr(theme, "strategy", None) == value:
            raise _error(f"'{theme.name}' is {'formed by ' + value if value else 'without a strategy'} already")
        said = f"formed by {value}" if value else "no strategy"
        with self.action("theme.strategy", f"{theme.name}: {said}"):  # type: ignore[attr-defined]
            self._update("themes", theme_id, strategy=value)  # type: ignore[attr-defined]
        return self.theme(theme_id)  # type: ignore[attr-defined]

    def _check_level_for_new(self, theme: Theme, target: Theme) -> None:
        if self._level_index(target.level) <= self._level_index(theme.level):
            raise _error(
                f"a {_label(target.level)} cannot group {_label(theme.level)} '{theme.name}': "
                "a theme groups themes of a lower level"
            )

    def move(self, theme_id: int, under_id: int | None) -> Theme:
        """Move a theme under another (None: to the top), as one undoable action."""
        theme = self.theme(theme_id)  # type: ignore[attr-defined]
        if under_id is None:
            if theme.parent_id is None:
                raise _error(f"'{theme.name}' is at the top already")
            self._check_name_free(theme.name, None, theme.participant_id, theme.id)
            with self.action("theme.move", f"move {theme.name} to the top"):  # type: ignore[attr-defined]
                self._update("themes", theme_id, parent_id=None)  # type: ignore[attr-defined]
            return self.theme(theme_id)  # type: ignore[attr-defined]
        target = self.theme(under_id)  # type: ignore[attr-defined]
        if theme.parent_id == target.id:
            raise _error(f"'{theme.name}' is under '{target.name}' already")
        self._check_under(theme, target, verb="move")
        self._check_name_free(theme.name, target.id, theme.participant_id, theme.id)
        with self.action("theme.move", f"move {theme.name} under {target.name}"):  # type: ignore[attr-defined]
            self._update("themes", theme_id, parent_id=target.id)  # type: ignore[attr-defined]
        return self.theme(theme_id)  # type: ignore[attr-defined]

    def merge(self, theme_id: int, into_id: int) -> Theme:
        """Merge a theme into another of the same level: its codings, children, memos and marks follow."""
        theme = self.theme(theme_id)  # type: ignore[attr-defined]
        into = self.theme(into_id)  # type: ignore[attr-defined]
        if theme.id == into.id:
            raise _error(f"'{theme.name}' cannot be merged into itself")
        if theme.level != into.level:
            raise _error(
                f"cannot merge {_label(theme.level)} '{theme.name}' into {_label(into.level)} '{into.name}': "
                "merge themes of one level, or move one under the other"
            )
        if self._scoped(theme.level) and None not in (theme.participant_id, into.participant_id) \
                and theme.participant_id != into.participant_id:
            raise _error(
                f"'{theme.name}' belongs to {self._pseudonym(theme.participant_id)} and '{into.name}' to "
                f"{self._pseudonym(into.participant_id)}: each case keeps its own themes"
            )
        if theme.id in self._ancestors(into.id):
            raise _error(f"'{into.name}' is below '{theme.name}': move it out first")
        children = self.conn.execute(
            "SELECT id, name, participant_id FROM themes WHERE parent_id = ?", (theme.id,)
        ).fetchall()
        for child_id, name, participant_id in children:
            self._check_name_free(name, into.id, participant_id, child_id)
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        with self.action("theme.merge", f"merge {theme.name} into {into.name}"):  # type: ignore[attr-defined]
            for coding_id, transcript_id, first, last, key in self.conn.execute(
                f"SELECT id, transcript_id, first_line, last_line, {self._key_column()} FROM codings WHERE theme_id = ?",
                (theme.id,),
            ).fetchall():
                twin = self.conn.execute(
                    f"SELECT id, {self._key_column()} FROM codings WHERE theme_id = ? AND transcript_id = ? "
                    "AND first_line = ? AND last_line = ?",
                    (into.id, transcript_id, first, last),
                ).fetchone()
                if twin is None:
                    self._update("codings", coding_id, theme_id=into.id)  # type: ignore[attr-defined]
                    continue
                if key and not twin[1]:
                    self._update("codings", twin[0], key_quote=1)  # type: ignore[attr-defined]
                self._move_coding_refs(coding_id, twin[0], tables)
                self._delete("codings", coding_id)  # type: ignore[attr-defined]
            for child_id, _, _ in children:
                self._update("themes", child_id, parent_id=into.id)  # type: ignore[attr-defined]
            for (memo_id,) in self.conn.execute("SELECT id FROM memos WHERE theme_id = ?", (theme.id,)).fetchall():
                self._update("memos", memo_id, theme_id=into.id)  # type: ignore[attr-defined]
            if "divergences" in tables:
                for div_id, participant_id in self.conn.execute(
                    "SELECT id, participant_id FROM divergences WHERE theme_id = ?", (theme.id,)
                ).fetchall():
                    clash = self.conn.execute(
                        "SELECT 1 FROM divergences WHERE theme_id = ? AND participant_id = ?", (into.id, participant_id)
                    ).fetchone()
                    if clash:
                        self._delete("divergences", div_id)  # type: ignore[attr-defined]
                    else:
                        self._update("divergences", div_id, theme_id=into.id)  # type: ignore[attr-defined]
            if theme.description and not into.description:
                self._update("themes", into.id, description=theme.description)  # type: ignore[attr-defined]
            self._delete("themes", theme.id)  # type: ignore[attr-defined]
        return self.theme(into.id)  # type: ignore[attr-defined]

    def _key_column(self) -> str:
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(codings)")}
        return "key_quote" if "key_quote" in columns else "0"

    def _move_coding_refs(self, old: int, new: int, tables: set[str]) -> None:
        """Memos and divergences that point at a coding about to go point at its twin instead."""
        memo_columns = {r[1] for r in self.conn.execute("PRAGMA table_info(memos)")}
        if "coding_id" in memo_columns:
            for (memo_id,) in self.conn.execute("SELECT id FROM memos WHERE coding_id = ?", (old,)).fetchall():
                self._update("memos", memo_id, coding_id=new)  # type: ignore[attr-defined]
        if "divergences" in tables:
            for (div_id,) in self.conn.execute("SELECT id FROM divergences WHERE coding_id = ?", (old,)).fetchall():
                self._update("divergences", div_id, coding_id=new)  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- key quotes

    def set_key_quote(self, coding_id: int, on: bool = True) -> bool:
        """Mark (or unmark) a coding's extract as a key quote; return the new mark."""
        coding = self.coding(coding_id)  # type: ignore[attr-defined]
        theme = self.theme(coding.theme_id)  # type: ignore[attr-defined]
        span = model.span_text(coding.first_line, coding.last_line)
        verb = "mark" if on else "unmark"
        with self.action("coding.key_quote", f"{verb} key quote {theme.name} {span}"):  # type: ignore[attr-defined]
            self._update("codings", coding_id, key_quote=1 if on else 0)  # type: ignore[attr-defined]
        return on

    def mark_key_quote(self, coding_id: int) -> bool:
        """Mark a coding's extract as a key quote."""
        return self.set_key_quote(coding_id, True)

    def unmark_key_quote(self, coding_id: int) -> bool:
        """Take the key-quote mark off a coding's extract."""
        return self.set_key_quote(coding_id, False)

    # ---------------------------------------------------------------- divergence

    def mark_divergence(self, theme_id: int, participant_id: int, coding_id: int | None = None, note: str = "") -> int:
        """Mark a participant's account as running against a GET (with a quote and a note); return its id."""
        theme = self.theme(theme_id)  # type: ignore[attr-defined]
        who = self._pseudonym(participant_id)
        if not self.conn.execute("SELECT 1 FROM participants WHERE id = ?", (participant_id,)).fetchone():
            raise _error(f"no participant with id {participant_id}")
        if coding_id is not None:
            owner = self.conn.execute(
                "SELECT t.participant_id FROM codings c JOIN transcripts t ON t.id = c.transcript_id WHERE c.id = ?",
                (coding_id,),
            ).fetchone()
            if owner is None:
                raise _error(f"no coding with id {coding_id}")
            if owner[0] != participant_id:
                raise _error(f"that quote is not from {who}")
        existing = self.conn.execute(
            "SELECT id FROM divergences WHERE theme_id = ? AND participant_id = ?", (theme_id, participant_id)
        ).fetchone()
        with self.action("divergence.mark", f"mark {who} as divergent on {theme.name}"):  # type: ignore[attr-defined]
            if existing:
                self._update("divergences", existing[0], coding_id=coding_id, note=note.strip())  # type: ignore[attr-defined]
                return existing[0]
            row = self._insert("divergences", {  # type: ignore[attr-defined]
                "guid": str(uuid.uuid4()), "theme_id": theme_id, "participant_id": participant_id,
                "coding_id": coding_id, "note": note.strip(), "created_at": _now(),
            })
        return row["id"]

    def unmark_divergence(self, theme_id: int, participant_id: int) -> None:
        """Take the divergence mark off a participant for a GET."""
        theme = self.theme(theme_id)  # type: ignore[attr-defined]
        existing = self.conn.execute(
            "SELECT id FROM divergences WHERE theme_id = ? AND participant_id = ?", (theme_id, participant_id)
        ).fetchone()
        who = self._pseudonym(participant_id)
        if existing is None:
            raise _error(f"{who} is not marked as divergent on {theme.name}")
        with self.action("divergence.unmark", f"unmark {who} as divergent on {theme.name}"):  # type: ignore[attr-defined]
            self._delete("divergences", existing[0])  # type: ignore[attr-defined]

    # ---------------------------------------------------------------- cases

    def case_done_at(self, participant_id: int) -> str | None:
        """When a participant's case was marked done, or None while it is open."""
        row = self.conn.execute("SELECT case_done_at FROM participants WHERE id = ?", (participant_id,)).fetchone()
        if row is None:
            raise _error(f"no participant with id {participant_id}")
        return row[0]

    def open_cases(self) -> list[str]:
        """Pseudonyms of the participants with a transcript whose case is not done yet."""
        rows = self.conn.execute(
            "SELECT pseudonym FROM participants p WHERE case_done_at IS NULL "
            "AND EXISTS (SELECT 1 FROM transcripts t WHERE t.participant_id = p.id) ORDER BY pseudonym"
        )
        return [r[0] for r in rows]

    def mark_case_done(self, participant_id: int) -> None:
        """Mark a participant's case done: its PETs stand, the next case can begin."""
        if self.case_done_at(participant_id):
            raise _error(f"{self._pseudonym(participant_id)}'s case is done already")
        with self.action("case.done", f"mark {self._pseudonym(participant_id)}'s case done"):  # type: ignore[attr-defined]
            self._update("participants", participant_id, case_done_at=_now())  # type: ignore[attr-defined]

    def reopen_case(self, participant_id: int) -> None:
        """Open a participant's case again."""
        if not self.case_done_at(participant_id):
            raise _error(f"{self._pseudonym(participant_id)}'s case is open already")
        with self.action("case.reopen", f"reopen {self._pseudonym(participant_id)}'s case"):  # type: ignore[attr-defined]
            self._update("participants", participant_id, case_done_at=None)  # type: ignore[attr-defined]

    def record_cross_case_look(self, where: str) -> str | None:
        """Record, once per coder, that they looked across cases before every case was done.

        Returns the sentence to show the researcher the first time, else None.
        """
        still_open = self.open_cases()
        if not still_open:
            return None
        coder = getattr(self, "coder", None)
        seen = self.conn.execute(
            "SELECT 1 FROM events e LEFT JOIN coders c ON c.id = e.coder_id WHERE e.action = ? AND c.name IS ? LIMIT 1",
            (LOOK_ACROSS, coder),
        ).fetchone()
        if seen:
            return None
        cases = ", ".join(still_open[:6]) + (" …" if len(still_open) > 6 else "")
        summary = f"looked across cases ({where}) while {_plural(len(still_open), 'case')} still open: {cases}"
        # A plain record, not an action: it changes no row, so it must neither be undone nor end
        # the undo history (an action that cannot be undone would).
        import json
        import sqlite3

        from tui.project.db import describe_sqlite_error, transaction

        try:
            with transaction(self.conn):
                self.conn.execute(
                    "INSERT INTO events (at, coder_id, action, payload, state) VALUES (?, ?, ?, ?, 'final')",
                    (_now(), self._current_coder_id(), LOOK_ACROSS,  # type: ignore[attr-defined]
                     json.dumps({"summary": summary, "changes": []}, ensure_ascii=False)),
                )
        except sqlite3.Error as error:
            raise _error(describe_sqlite_error(self.path, error)) from None  # type: ignore[attr-defined]
        return (f"Looking across cases before every case is done ({cases} still open). "
                "That is allowed; it is noted in the history.")
