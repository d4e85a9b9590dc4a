"""The `margin` command: parse the arguments, call the domain, or run the app.

Exit status: 0 on success, 1 on an error (one line on stderr saying what and where), 2 on a
usage error. A user mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tui import __version__
from tui.config import saved_coder
from tui.project.model import DEFAULT_WIDTH, LEVEL_LABELS, METHODS, span_text
from tui.project import Project, ProjectError, StorageError, describe_sqlite_error, parse_line_range

DEMO_PATH = "margin-demo.margin"


class UsageError(Exception):
    """Arguments that parse but make no sense; exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that says `margin: error` in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        # argparse quotes the bad argument in `message`: its control characters are shown, not sent.
        sys.stderr.write(f"margin: usage error: {_printable(message)}\n")
        raise SystemExit(2)


def _coder(args: argparse.Namespace) -> str:
    """Who is coding: --coder, then the settings file, then the login name."""
    name = getattr(args, "coder", None) or saved_coder()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "coder"


def _open(args: argparse.Namespace, *, readonly: bool = False, verify: bool | str = True) -> Project:
    # The coding window checks every page in the background (1.5 s on a 400,000-line study) and
    # its writes wait for the verdict: it opens at once and never writes into a damaged file.
    project = Project.open(Path(args.project), coder=_coder(args), readonly=readonly, verify=verify)
    _say_opening(project)
    return project


def _say_opening(project: Project, out: "object" = None) -> None:
    """Say on stderr (or `out`) what opening did: an interrupted change rolled back, leftovers removed."""
    from tui.project.recovery import RECOVERED

    stream = out or sys.stderr
    if project.opening.recovered:
        print(_printable(f"margin: {project.path}: {RECOVERED}"), file=stream)
    for path in project.opening.removed:
        print(_printable(f"margin: removed {path.name}, left by a margin process that was stopped"), file=stream)


# ---------------------------------------------------------------------- commands


def cmd_new(args: argparse.Namespace) -> int:
    """margin new"""
    project = Project.create(Path(args.project), method=args.method, coder=_coder(args), title=args.title)
    project.close()
    print(f"created {args.project} ({args.method}); import transcripts with: margin import {args.project} FILE")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """margin import"""
    from tui.formats.exchange import import_exchange_files, is_refi
    from tui.formats.importer import check_width, import_file
    from tui.formats.transcripts import TranscriptError, compile_speaker_pattern

    check_width(args.width)
    if any(is_refi(name) for name in args.files):
        if not all(is_refi(name) for name in args.files):
            raise UsageError("import .qdpx and .qdc files on their own, not with transcripts")
        failures = import_exchange_files(
            args.project, args.files, coder=_coder(args), overwrite=args.overwrite, width=args.width,
            say=lambda line: print(_printable(line)), complain=lambda e: print(f"margin: {_printable(e)}", file=sys.stderr),
        )
        return 1 if failures else 0
    if args.title and len(args.files) > 1:
        raise UsageError("--title names one transcript: import one file at a time with it")
    if args.participant is not None and not args.participant.strip():
        raise UsageError("--participant needs a pseudonym such as P07")
    if args.speaker_pattern is not None:
        try:
            compile_speaker_pattern(args.speaker_pattern)
        except ValueError as error:
            raise UsageError(str(error)) from None
    failures = 0
    with _open(args) as project:
        for name in args.files:
            try:
                transcript = import_file(
                    project, Path(name), participant=args.participant, width=args.width,
                    speaker_pattern=args.speaker_pattern, title=args.title,
                    not_speakers=args.not_speaker,
                )
            except (TranscriptError, ProjectError) as error:
                failures += 1
                print(f"margin: {_printable(str(error))}", file=sys.stderr)
                continue
            who = project.participant(transcript.participant_id).pseudonym if transcript.participant_id else "no participant yet"
            print(_printable(f"imported {name}: '{transcript.title}', {transcript.line_count} lines, {who}"))
            if transcript.participant_id and not args.participant:
                print(_printable(
                    f"  participant '{who}' was taken from the file; if it is not a pseudonym: "
                    f"margin participant {args.project} '{transcript.title}' {project.next_pseudonym()} --rename"
                ))
    return 1 if failures else 0


def cmd_export(args: argparse.Namespace) -> int:
    """margin export"""
    from tui.formats.exchange import export_project

    with Project.open(Path(args.project), readonly=True) as project:
        try:
            written = export_project(project, args.format, Path(args.output), what=args.what, force=args.force)
        except ValueError as error:
            raise UsageError(str(error)) from None
    print(_printable(f"wrote {written} ({args.format})"))
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    """margin tag"""
    try:
        first, last = parse_line_range(args.lines)
    except ValueError as error:
        raise UsageError(str(error)) from None
    with _open(args) as project:
        transcript = project.find_transcript(args.transcript)
        coding, made = project.tag_by_name(transcript.id, first, last, args.theme, level=args.level)
        created = " (new theme)" if made else ""
        theme = project.theme(coding.theme_id)
        print(_printable(f"tagged {transcript.title} {span_text(first, last)} with '{theme.name}'{created}"))
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    """margin themes"""
    with _open(args, readonly=True) as project:
        levels = project.levels
        # Highest level first (GETs before the statements not yet clustered), then by name.
        themes = sorted(project.themes(), key=lambda t: (-levels.index(t.level) if t.level in levels else 0, t.name.casefold()))
        counts = project.theme_totals()
        paths = project.theme_paths()
        pseudonyms = {p.id: p.pseudonym for p in project.participants()}
        if args.json:
            data = [
                {
                    "id": t.id, "guid": t.guid, "name": t.name, "path": paths[t.id], "level": t.level,
                    "parent_id": t.parent_id, "participant": pseudonyms.get(t.participant_id),
                    "description": t.description, "extracts": counts.get(t.id, (0, 0))[0],
                    "participants": counts.get(t.id, (0, 0))[1],
                }
                for t in themes
            ]
            print(_json_safe(json.dumps(data, indent=2, ensure_ascii=False)))
            return 0
        children: dict[int | None, list] = {}
        for theme in themes:
            parent = theme.parent_id if theme.parent_id in paths else None
            children.setdefault(parent, []).append(theme)

        def show(parent: int | None, depth: int) -> None:
            for theme in children.get(parent, []):
                extracts, people = counts.get(theme.id, (0, 0))
                scope = f" · {_printable(pseudonyms[theme.participant_id])}" if theme.participant_id in pseudonyms else ""
                print(f"{'  ' * depth}{_printable(theme.name)}  [{LEVEL_LABELS.get(theme.level, theme.level)}{scope}] "
                      f"{_count(extracts, 'extract')}, {_count(people, 'participant')}")
                show(theme.id, depth + 1)

        if not themes:
            print("no themes yet")
        show(None, 0)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """margin check"""
    from tui.project.privacy import occurrences

    with Project.open(Path(args.project), coder=_coder(args), readonly=True) as project:
        if project.opening.recovered:
            print(_printable(
                f"{args.project}: a change was cut off (margin or the computer stopped mid-write); it was rolled "
                "back: recovered an interrupted change (nothing acknowledged was lost). Nothing to do: the checks "
                "below are of the project as it was after its last saved action"
            ))
        for path in project.opening.removed:
            print(_printable(f"{args.project}: removed {path.name}, left by a margin process that was stopped"))
        problems = project.check()
        if args.privacy:
            found = occurrences(project, args.privacy)
            for line in found:
                print(_printable(f"{args.project}: privacy: {line}"))
            if not found:
                print(_printable(f"{args.project}: privacy: no occurrence of {', '.join(repr(n) for n in args.privacy)}"))
            if found and not problems:
                return 1
        if problems:
            for problem in problems:
                print(_printable(f"{args.project}: {problem}"), file=sys.stderr)
            return 1
        transcripts = project.transcripts()
        print(
            f"{args.project}: ok (schema version {project.schema_version}, "
            f"{len(project.participants())} participants, {len(transcripts)} transcripts, "
            f"{sum(t.line_count for t in transcripts)} lines, {len(project.themes())} themes, "
            f"{len(project.codings())} codings)"
        )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """margin backup"""
    # Any version: a file from an older margin is copied as it is, not upgraded first.
    from tui.project.recovery import clean_leftovers

    with Project.open(Path(args.project), readonly=True, any_version=True) as project:
        _say_opening(project)
        dest = Path(args.dest)
        if dest.parent.resolve() != project.path.parent.resolve() and dest.parent.is_dir():
            for path in clean_leftovers(dest.parent):
                print(_printable(f"margin: removed {path.name}, left by a margin process that was stopped"), file=sys.stderr)
        project.backup(dest)
    print(_printable(f"backed up {args.project} to {args.dest}"))
    return 0


def cmd_participant(args: argparse.Namespace) -> int:
    """margin participant"""
    if not args.pseudonym.strip():
        raise UsageError("a participant needs a pseudonym such as P07")
    with _open(args) as project:
        transcript = project.find_transcript(args.transcript)
        if args.rename:
            if transcript.participant_id is None:
                raise ProjectError(f"'{transcript.title}' has no participant to rename; assign one without --rename")
            from tui.project.privacy import occurrences

            old = project.participant(transcript.participant_id).pseudonym
            new = project.rename_participant(transcript.participant_id, args.pseudonym).pseudonym
            print(_printable(
                f"participant {old} is now {new}: the name shown with their themes, transcripts, citations "
                "and exports; the transcripts' text and speaker labels were not changed"
            ))
            left = [line for line in occurrences(project, [old]) if "history" not in line]
            if left:
                print(_printable(f"  '{old}' still occurs: {'; '.join(l.split(': ', 1)[1] for l in left)}"))
                print(_printable(f"  to replace it everywhere: margin pseudonymise {args.project} '{old}' {new}"))
            return 0
        project.set_transcript_participant(transcript.id, args.pseudonym)
    print(_printable(f"'{transcript.title}' now belongs to {args.pseudonym.strip()}"))
    return 0


def cmd_pseudonymise(args: argparse.Namespace) -> int:
    """margin pseudonymise"""
    from tui.project.privacy import occurrences, pseudonymise

    with _open(args) as project:
        counts = pseudonymise(project, args.name, args.pseudonym)
        if not counts:
            print(_printable(f"'{args.name}' does not occur (as a whole word, in this case); nothing was changed"))
        else:
            print(_printable(
                f"replaced '{args.name}' with {args.pseudonym.strip()} (cannot be undone): "
                + ", ".join(f"{n} in {place}" if place != "lines rewritten" else f"{n} lines rewritten"
                            for place, n in counts.items())
            ))
        left = occurrences(project, [args.name])
        for line in left:
            print(_printable(f"  still found, in another case or spacing: {line}"))
    return 0


def _theme_ref(project: Project, ref: str) -> "Theme":
    """The theme a THEME argument names, or ProjectError saying there is none."""
    theme = project.find_theme(ref)
    if theme is None:
        raise ProjectError(f"no theme '{ref}' (margin themes {project.path} lists them)")
    return theme


def cmd_group(args: argparse.Namespace) -> int:
    """margin group"""
    with _open(args) as project:
        themes = [_theme_ref(project, ref) for ref in args.themes]
        into = project.find_theme(args.into)
        if into is None and args.level is None and len({t.level for t in themes}) != 1:
            raise UsageError("the themes are of different levels: say the new theme's level with --level")
        target = project.group(
            [t.id for t in themes], into_id=into.id if into else None, new_name=None if into else args.into,
            level=None if into else args.level, strategy=args.strategy,
        )
        how = f" by {target.strategy}" if target.strategy else ""
        new = "" if into else " (new)"
        print(_printable(f"grouped {len(themes)} into {LEVEL_LABELS.get(target.level, target.level)} "
                         f"'{target.name}'{new}{how}"))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    """margin move"""
    with _open(args) as project:
        theme = _theme_ref(project, args.theme)
        top = args.under.strip().casefold() in ("", "/", "top")
        under = None if top else _theme_ref(project, args.under)
        project.move(theme.id, under.id if under else None)
        print(_printable(f"moved '{theme.name}' {'to the top' if under is None else f'under {under.name!r}'}"))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    """margin rename"""
    with _open(args) as project:
        theme = _theme_ref(project, args.theme)
        renamed = project.update_theme(theme.id, name=args.name)
        print(_printable(f"renamed '{theme.name}' to '{renamed.name}'"))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """margin merge"""
    with _open(args) as project:
        theme = _theme_ref(project, args.theme)
        into = _theme_ref(project, args.into)
        merged = project.merge(theme.id, into.id)
        print(_printable(f"merged '{theme.name}' into '{merged.name}'"))
    return 0


def cmd_memo(args: argparse.Namespace) -> int:
    """margin memo"""
    from tui.project.model import STAGES

    if args.stage is not None and args.stage not in STAGES:
        raise UsageError(f"unknown stage '{args.stage}': choose one of {', '.join(STAGES)}")
    with _open(args, readonly=args.action == "list") as project:
        subject: dict[str, int] = {}
        if args.on:
            theme = project.find_theme(args.on)
            participant = project.find_participant(args.on)
            if theme is not None:
                subject["theme_id"] = theme.id
            elif participant is not None and args.action == "list":
                subject["participant_id"] = participant.id
            else:
                try:
                    subject["transcript_id"] = project.find_transcript(args.on).id
                except ProjectError:
                    if participant is None:
                        raise ProjectError(f"no theme, transcript or participant '{args.on}'") from None
                    subject["participant_id"] = participant.id
        if args.action == "add":
            if not args.title:
                raise UsageError("margin memo add needs --title")
            body = args.text if args.text is not None else ("" if sys.stdin.isatty() else sys.stdin.read())
            memo = project.add_memo(args.title, body, stage=args.stage, **subject)
            print(_printable(f"memo {memo.id} '{memo.title}' saved"))
            return 0
        memos = [
            m for m in project.memos()
            if all(getattr(m, key) == value for key, value in subject.items())
            and (args.stage is None or m.stage == args.stage)
        ]
        if args.json:
            print(_json_safe(json.dumps([
                {"id": m.id, "guid": m.guid, "title": m.title, "body": m.body, "stage": m.stage,
                 "created_at": m.created_at, "participant_id": m.participant_id,
                 "transcript_id": m.transcript_id, "theme_id": m.theme_id, "coding_id": m.coding_id}
                for m in memos
            ], indent=2, ensure_ascii=False)))
            return 0
        if not memos:
            print("no memos")
        for memo in memos:
            print(_printable(f"{memo.created_at[:10]}  [{memo.stage or '-'}]  {memo.title}"))
    return 0


def _require_terminal() -> None:
    """Refuse, before touching any file, to start the TUI where there is no terminal to draw on."""
    if not (sys.stdin.isatty() and sys.__stderr__ is not None and sys.__stderr__.isatty()):
        raise ProjectError(
            "the coding workspace needs a terminal (standard input and error must be one); "
            "in scripts use margin import, tag, themes, check or backup"
        )


def cmd_open(args: argparse.Namespace) -> int:
    """margin open"""
    _require_terminal()
    project = _open(args, verify="background")
    try:
        transcript_id = project.find_transcript(args.transcript).id if args.transcript else None
    except BaseException:
        project.close()
        raise
    return _run_app(project, transcript_id, ask_coder=not (args.coder or saved_coder()))


def cmd_demo(args: argparse.Namespace) -> int:
    """margin demo"""
    from tui.formats.demo import build_demo
    from tui.project.recovery import mark_demo

    _require_terminal()
    path = Path(args.path)
    if args.fresh and path.exists():
        _set_aside_demo(path)
    if path.exists():
        print(_printable(f"opening the demo project {path} (margin demo --fresh rebuilds it)"), file=sys.stderr)
        project = _open(argparse.Namespace(project=path, coder=args.coder), verify="background")
    else:
        project = build_demo(path, coder=_coder(args))  # the prompt offers the login name, not the demo's VR
        mark_demo(project.conn)
    return _run_app(project, None, ask_coder=not (args.coder or saved_coder()))


def _set_aside_demo(path: Path) -> None:
    """Before `demo --fresh` rebuilds `path`: refuse unless it is a margin demo, and back it up."""
    from tui.project.db import now
    from tui.project.recovery import is_demo

    with Project.open(path, readonly=True, any_version=True) as old:
        if not is_demo(old.conn):
            raise ProjectError(
                f"{path}: not a margin demo (margin demo --fresh only rebuilds a demo it built); nothing was "
                "changed; give the demo another place with --path"
            )
        backup = path.with_name(f"{path.name}.{now().replace(':', '')}.bak")
        old.backup(backup)
    print(_printable(f"kept the old demo as {backup.name}"), file=sys.stderr)
    path.unlink()


def _run_app(project: Project, transcript_id: int | None, *, ask_coder: bool) -> int:
    from tui.app import MarginApp

    try:
        project.lock()
        app = MarginApp(project, transcript_id=transcript_id, ask_coder=ask_coder)
        # What the imports made lives as long as margin does: moved out of the collector's sight,
        # the full collection that came during the first frame (20-35 ms) no longer walks it.
        gc.freeze()
        app.run()
    finally:
        project.close()
    if app.session_lost:
        # A hang-up or a signal ended the session: everything is committed and the file closed;
        # a dead terminal can hold up the interpreter's own clean-up for seconds, so skip it.
        os._exit(0)
    return app.return_code or 0


# ---------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The `margin` argument parser with every subcommand."""
    parser = _Parser(
        prog="margin",
        description="Code interview transcripts in the terminal. Everything is stored in one SQLite file.",
    )
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, epilog=f"example: {example}")
        p.set_defaults(func=func)
        return p

    def coder(p: argparse.ArgumentParser) -> None:
        p.add_argument("--coder", metavar="NAME", help="who is coding (default: saved name, else login name)")

    p = command("demo", cmd_demo, "build the demo project from the bundled study and open it", "margin demo")
    p.add_argument("--path", default=DEMO_PATH, metavar="FILE", help=f"where to put the demo project (default {DEMO_PATH})")
    p.add_argument("--fresh", action="store_true", help="rebuild the demo project even if it exists")
    coder(p)

    p = command("open", cmd_open, "open the coding workspace on a project", "margin open study.margin --transcript P07")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--transcript", metavar="T", help="open this transcript (title, id or participant)")
    coder(p)

    p = command("new", cmd_new, "create a new, empty project file", "margin new study.margin --method ipa --coder VR")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--method", choices=METHODS, default="ipa", help="ipa (default) or ta (reflexive thematic analysis)")
    p.add_argument("--title", help="the study's title (default: the file name)")
    coder(p)

    p = command("import", cmd_import, "import transcripts (.txt .md .docx .vtt .srt) or REFI-QDA (.qdpx .qdc), each all or nothing",
                "margin import study.margin interviews/P07.docx --participant P07")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--participant", metavar="NAME", help="the participant's pseudonym (default: found in the file)")
    p.add_argument("--width", type=int, default=DEFAULT_WIDTH, metavar="N", help=f"wrap lines at N characters (default {DEFAULT_WIDTH})")
    p.add_argument("--speaker-pattern", metavar="REGEX", help="regex with a group (?P<speaker>...) that starts a turn")
    p.add_argument("--not-speaker", action="append", default=[], metavar="LABEL",
                   help="a label such as 'Observer' that starts no turn (repeatable; Date:, Setting:, Note: ... never do)")
    p.add_argument("--title", help="the transcript's title (default: the file name without extension)")
    p.add_argument("--overwrite", action="store_true",
                   help="for .qdpx/.qdc: replace rows the project has with the file's where they differ")
    coder(p)

    p = command("export", cmd_export, "export the project: REFI-QDA (qdpx, qdc), a report (md, html, docx) or csv",
                "margin export study.margin --format docx --output analysis.docx")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--format", required=True, choices=("qdpx", "qdc", "md", "html", "docx", "csv"))
    p.add_argument("--what", metavar="WHAT",
                   help="csv: codings (default) or codebook; md/html/docx: summary (default), transcripts or all")
    p.add_argument("--output", required=True, metavar="PATH", help="the file to write (not replaced unless --force)")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")

    p = command("tag", cmd_tag, "tag lines of a transcript with a theme (created if missing)",
                "margin tag study.margin P07 12-15 'Sense of belonging'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("transcript", metavar="TRANSCRIPT", help="title, id, or pseudonym of a participant with one transcript")
    p.add_argument("lines", metavar="LINES", help="a line (12) or a range (12-15)")
    p.add_argument("theme", metavar="THEME", help="a theme's name, or its path Parent/Child")
    p.add_argument("--level", help="level of a newly created theme (ipa: statement, pet, get; ta: code, theme)")
    coder(p)

    p = command("themes", cmd_themes, "print the theme tree with counts", "margin themes study.margin --json")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true", help="print JSON instead of a tree")

    p = command("check", cmd_check, "check the project's integrity and schema", "margin check study.margin")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--privacy", nargs="+", metavar="NAME",
                   help="also list every remaining occurrence of these names (text, speakers, index, history)")

    p = command("backup", cmd_backup, "write a consistent copy of a project, open or closed",
                "margin backup study.margin backups/study-2026-11-25.margin")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("dest", metavar="DEST")

    p = command("participant", cmd_participant, "assign a transcript to a participant (created if new)",
                "margin participant study.margin 'Interview 7' P07")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("transcript", metavar="TRANSCRIPT")
    p.add_argument("pseudonym", metavar="PSEUDONYM")
    p.add_argument("--rename", action="store_true",
                   help="rename the transcript's participant instead (say, a real name from a VTT voice)")
    coder(p)

    p = command("pseudonymise", cmd_pseudonymise,
                "replace a real name everywhere: text, speakers, search index, history, notes, memos, themes",
                "margin pseudonymise study.margin 'Sarah Jones' P07")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("name", metavar="NAME", help="the name as it is written (whole words, this case)")
    p.add_argument("pseudonym", metavar="PSEUDONYM")
    coder(p)

    p = command("group", cmd_group, "group themes under one theme: statements into a PET, PETs into a GET",
                "margin group study.margin 'Standing in the corner' 'Taking up space' --into 'From observer to "
                "contributor' --strategy abstraction")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("themes", nargs="+", metavar="THEME", help="the themes to group (name or path)")
    p.add_argument("--into", required=True, metavar="PARENT", help="an existing theme, or the name of a new one")
    p.add_argument("--strategy", metavar="S",
                   help="how the grouping was made: abstraction, subsumption, polarisation, numeration, "
                        "function or contextualisation")
    p.add_argument("--level", help="level of a new PARENT (default: the level above the grouped themes)")
    coder(p)

    p = command("move", cmd_move, "move a theme under another (or to the top with --under top)",
                "margin move study.margin 'Being known by name' --under 'Writing together'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("--under", required=True, metavar="PARENT", help="the new parent, or 'top'")
    coder(p)

    p = command("rename", cmd_rename, "rename a theme", "margin rename study.margin 'Belonging' 'Feeling part of the team'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("name", metavar="NAME")
    coder(p)

    p = command("merge", cmd_merge, "merge a theme into another of its level; its codings, themes and memos follow",
                "margin merge study.margin 'Feeling lost' --into 'Standing in the corner'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("--into", required=True, metavar="THEME")
    coder(p)

    p = command("memo", cmd_memo, "add a memo or journal entry, or list memos",
                "margin memo study.margin add --title 'After P03' --stage PETs --text 'Felt protective of P03.'")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("action", choices=("add", "list"))
    p.add_argument("--on", metavar="THEME|TRANSCRIPT|PARTICIPANT", help="what the memo is about (default: the project)")
    p.add_argument("--stage", metavar="STAGE",
                   help="reading, 'exploratory notes', statements, PETs, GETs or 'writing up'")
    p.add_argument("--title", help="the memo's title (add)")
    p.add_argument("--text", help="the memo's text (add; default: read from standard input when piped)")
    p.add_argument("--json", action="store_true", help="print JSON (list)")
    coder(p)
    return parser


def _count(number: int, noun: str) -> str:
    """`1 extract`, `2 extracts`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _json_safe(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi overrides escaped as \\uXXXX (json.dumps leaves them raw)."""
    import re

    return re.sub("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)


def _printable(text: str) -> str:
    """Text with control characters replaced by visible symbols, safe to print to a terminal."""
    from tui.text import visible

    return visible(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `margin` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as error:
        print(_printable(f"margin: usage error: {error}"), file=sys.stderr)
        return 2
    except ProjectError as error:
        print(f"margin: {_printable(str(error))}", file=sys.stderr)
        return 1
    except ValueError as error:  # a file that cannot be imported; its module is loaded only to import
        from tui.formats.transcripts import TranscriptError

        if not isinstance(error, TranscriptError):
            raise
        print(f"margin: {_printable(str(error))}", file=sys.stderr)
        return 1
    except StorageError as error:
        print(f"margin: {_printable(describe_sqlite_error(Path(getattr(args, 'project', '?')), error))}", file=sys.stderr)
        return 1
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(_printable(f"margin: {where}{error.strerror or error}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
