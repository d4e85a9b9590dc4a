"""Time REFI-QDA export and import and the Word report on a large fictional study.

Usage: python benchmarks/bench_exchange.py [--transcripts 50] [--lines 2000] [--codings 20000]

Builds the study through margin's domain (one action, so it is quick), then times: the .qdpx
export, the .docx report (summary, and with every transcript as an IPA table), the Markdown
report, and the .qdpx import into a new project. Targets: .qdpx export <= 3 s, .docx <= 8 s,
import <= 5 s.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from tui.formats.refi import export_qdpx, import_into_new
from tui.formats.reports import export_report
from tui.formats.transcripts import parse_text
from tui.project import Project

WORDS = (
    "honestly I felt a bit lost on the ward at first you stand in the corner during the round and "
    "try not to get in anyone's way so the bulletin felt like a chance [laughs] to say something the "
    "nurses were kind but busy and the registrar asked me questions I could not answer [pause] which "
    "was fine I suppose it is how you learn"
).split()


def transcript_text(rng: random.Random, lines: int, width: int = 72) -> str:
    """Fictional interview text that wraps to exactly `lines` lines."""
    out: list[str] = []
    while True:
        for _ in range(max(lines // 8, 1)):
            speaker = "Interviewer" if len(out) % 2 == 0 else "P01"
            out.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120))))
        text = "\n".join(out) + "\n"
        parsed = parse_text(text, width=width)
        if len(parsed.lines) > lines:  # cut at the first line too many: the lines before wrap the same
            return text[: parsed.lines[lines].start]
        if len(parsed.lines) == lines:
            return text


def build(path: Path, transcripts: int, lines: int, codings: int) -> Project:
    rng = random.Random(7)
    project = Project.create(path, coder="BENCH")
    with project.action("bench.build", "build the benchmark study", undoable=False):
        made = []
        for i in range(transcripts):
            pseudonym = f"P{i + 1:02d}"
            project.add_participant(pseudonym, {"cohort": str(i % 3)})
            parsed = parse_text(transcript_text(rng, lines), title=f"Interview {i + 1}")
            made.append(project.import_transcript(title=f"Interview {i + 1}", text=parsed.text, lines=parsed.lines,
                                                  participant=pseudonym))
        gets = [project.create_theme(f"GET {g}", level="get") for g in range(4)]
        statements = {}
        for t in made:
            pets = [project.create_theme(f"PET {k} of {t.title}", level="pet", parent_id=gets[k % 4].id,
                                         participant_id=t.participant_id) for k in range(3)]
            statements[t.id] = [project.create_theme(f"statement {s}", level="statement", parent_id=pets[s % 3].id,
                                                     participant_id=t.participant_id) for s in range(8)]
        per = codings // len(made)
        for t in made:
            count = project.line_count(t.id)
            for k in range(per):  # codings of one statement 40 lines apart: none touch another
                first = ((k // 8) * 40 + (k % 8) * 5) % max(count - 3, 1) + 1
                project.tag(t.id, first, min(first + k % 3, count), statements[t.id][k % 8].id)
            for k in range(0, count, 40):
                project.add_note(t.id, k + 1, k + 1, "descriptive", f"note {k}")
    return project


def timed(label: str, action) -> float:
    start = time.perf_counter()
    action()
    took = time.perf_counter() - start
    print(f"{label:<40} {took:6.2f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=50)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--codings", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        start = time.perf_counter()
        project = build(root / "bench.margin", args.transcripts, args.lines, args.codings)
        lines = sum(t.line_count for t in project.transcripts())
        print(f"built {len(project.transcripts())} transcripts, {lines} lines, {len(project.codings())} codings "
              f"in {time.perf_counter() - start:.1f} s")
        timed("export .qdpx", lambda: export_qdpx(project, root / "bench.qdpx"))
        timed("export .docx (summary)", lambda: export_report(project, root / "summary.docx", "docx"))
        timed("export .docx (summary and transcripts)",
              lambda: export_report(project, root / "all.docx", "docx", transcripts=True))
        timed("export .md (summary and transcripts)",
              lambda: export_report(project, root / "all.md", "md", transcripts=True))
        project.close()

        def load() -> None:
            back, _ = import_into_new(root / "back.margin", root / "bench.qdpx")
            back.close()

        timed("import .qdpx into a new project", load)


if __name__ == "__main__":
    main()
