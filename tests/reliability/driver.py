"""A margin user that never stops: does one kind of action again and again through the domain,
printing `ACK <key>` after each action is committed. The kill suite SIGKILLs it at random."""

from __future__ import annotations

import sys
from pathlib import Path


def ack(key: object) -> None:
    print(f"ACK {key}", flush=True)


def main(kind: str, path: str, extra: str = "") -> None:
    from tui.formats.transcripts import parse_text
    from tui.project import Project

    if kind == "migration":
        print("READY", flush=True)
        Project.open(Path(path)).close()
        ack("migrated")
        return
    if kind == "refi":
        from tui.formats.exchange import import_exchange_files

        print("READY", flush=True)
        failures = import_exchange_files(path, [extra], coder="VR", say=lambda _: None, complain=lambda _: None)
        if not failures:
            ack("refi")
        return
    if kind == "demo":
        from tui.formats.demo import build_demo

        print("READY", flush=True)
        build_demo(Path(path)).close()
        ack("demo")
        return
    project = Project.open(Path(path), coder="VR", readonly=kind == "backup")
    tid = project.find_transcript("Interview 7").id
    print("READY", flush=True)
    if kind == "tag":
        for i in range(10_000):
            project.tag_by_name(tid, 1 + i % 5, 1 + i % 5, f"K{i}")
            ack(f"K{i}")
    elif kind == "untag":
        for coding in project.codings():
            if project.theme(coding.theme_id).name.startswith("U"):
                project.untag(coding.id)
                ack(coding.id)
    elif kind == "note":
        for i in range(10_000):
            project.add_note(tid, 1 + i % 5, 1 + i % 5, "descriptive", f"N{i} " + "words " * 50)
            ack(f"N{i}")
    elif kind == "merge":
        themes = {t.name: t.id for t in project.themes()}
        for i in range(0, 40, 2):
            project.merge(themes[f"M{i + 1}"], themes[f"M{i}"])
            ack(f"M{i + 1}")
    elif kind == "group":
        themes = {t.name: t.id for t in project.themes()}
        for i in range(0, 40, 2):
            project.group([themes[f"S{i}"], themes[f"S{i + 1}"]], new_name=f"G{i}", strategy="abstraction")
            ack(f"G{i}")
    elif kind == "import":
        text = "".join(f"P02: a line {n} about the night shift and the round on the ward\n" for n in range(3000))
        for i in range(100):
            parsed = parse_text(text, title=f"T{i}")
            project.import_transcript(title=f"T{i}", text=parsed.text, lines=parsed.lines, participant="P02")
            ack(f"T{i} {len(parsed.lines)}")
    elif kind == "backup":
        for i in range(100):
            project.backup(Path(path).with_name(f"copy{i}.margin"))
            ack(f"copy{i}.margin")
    project.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
