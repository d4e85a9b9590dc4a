"""Synthetic studies for the benchmark: fictional interview text, codebooks and projects.

Everything here is generated from a seeded random source, so two runs build the same studies.
Projects are built through margin's domain (`tui.project.Project`), never by writing SQL.
"""

from __future__ import annotations

import random
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from tui.formats.transcripts import parse_text
from tui.project import Project, Transcript

# Fictional speech about a made-up placement study; no real interview is quoted.
SPEECH = """
honestly I felt a bit lost on the ward at first you stand in the corner during the round and you
try not to get in anyone's way so the bulletin felt like a chance to say something about it the
nurses were kind but busy and the registrar asked me questions I could not answer which was fine
I suppose it is how you learn but it made me quiet for the rest of the week my flatmate said the
same thing happened to her on the surgical rotation we laughed about it in the kitchen later on
money was tight that term I worked weekends at the cafe and I was always tired on Monday mornings
when you are worried about rent it is hard to think about the patient in front of you to be honest
my way of coping was lists lots of lists and a long walk by the canal after the late shifts
I think I only started to feel like I belonged when a patient asked for me by name that was odd
and lovely at the same time my mum says I sound different now more sure of myself maybe older
""".split()

# Words for theme names; the first few are made common, so that typos have many near misses.
COMMON = ["identity", "financial", "coping", "strategies", "belonging", "worry", "maturity"]
THEME_WORDS = """
sense team ward round fear exposure imposter feelings becoming doctor burden nurses learning
bulletin voice outsider hierarchy anxiety useful routine questions shame mistakes support peers
role models losing patient caring death dying emotional labour humour laughing professional time
pressure burnout silence teaching ignored blaming oneself finding consultant registrar student
placement clinic theatre surgery night shift handover family grief relief pride doubt confidence
competence trust respect distance closeness kindness exhaustion isolation friendship mentor
feedback assessment exam failure success hope future career choice calling duty guilt anger
frustration joy wonder curiosity boredom waiting invisible visible listening speaking asking
telling hiding showing performing pretending surviving worth worries worrying matter matters
mature maturing financially finance fitting longing belong blending copying strategy strategic
identities identify rent money debt work weekends tired canal walks lists
""".split()
GLUE = ["of", "the", "in", "on", "as", "a", "and", "for", "from", "with", "after", "at"]
SYLLABLES = [c + v for c in "bcdfghklmnprstvw" for v in "aeiou"]

#: The typo queries of the issue and the theme each must find first.
TYPO_QUERIES = {
    "idnetity matur": "Identity maturation",
    "finacial worry": "Financial worry",
    "copign strategies": "Coping strategies",
    "belnging": "Belonging",
}


def speech_text(lines: int, seed: int = 1, speaker: str = "P01") -> str:
    """Interview text that wraps (at 72) to exactly `lines` lines: turns of the interviewer and
    of `speaker`, each a paragraph of one to six lines."""
    rng = random.Random(seed)
    turns: list[str] = []
    wanted = lines + 8
    while True:
        estimate = sum(len(turn) // 80 + 1 for turn in turns)
        while estimate < wanted:
            who = "Interviewer" if len(turns) % 2 == 0 else speaker
            size = rng.randint(6, 70) if who == "Interviewer" else rng.randint(12, 80)
            start = rng.randrange(len(SPEECH))
            turn = f"{who}: {' '.join(SPEECH[(start + i) % len(SPEECH)] for i in range(size))}"
            turns.append(turn)
            estimate += len(turn) // 80 + 1
        text = "\n\n".join(turns) + "\n"
        parsed = parse_text(text)
        if len(parsed.lines) >= lines:
            break
        wanted += lines - len(parsed.lines) + 8
    # Cut after line `lines`: wrapping is greedy, so the lines before the cut stay as they were.
    cut = text[: parsed.lines[lines - 1].end] + "\n"
    assert len(parse_text(cut).lines) == lines, "the cut text wraps differently"
    return cut


def add_transcript(project: Project, title: str, lines: int, *, seed: int, participant: str) -> Transcript:
    """Store a generated transcript of exactly `lines` lines."""
    text = speech_text(lines, seed, participant)
    parsed = parse_text(text, title=title)
    return project.import_transcript(
        title=title, text=parsed.text, lines=parsed.lines, participant=participant,
        source=f"{title}.txt",
    )


def theme_names(count: int, seed: int = 7) -> list[str]:
    """`count` distinct names of one to six words; the words of TYPO_QUERIES' targets are common
    (each in about one name in sixty), and the targets themselves are among the names."""
    rng = random.Random(seed)
    pool = list(THEME_WORDS)
    made = {w + e for w in THEME_WORDS for e in ("s", "ed", "ing", "ness")}
    pool += sorted(made)
    while len(pool) < 4000:
        pool.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    names: list[str] = list(TYPO_QUERIES.values())
    seen = {name.casefold() for name in names}
    while len(names) < count:
        words = []
        for _ in range(rng.randint(1, 5)):
            if words and rng.random() < 0.4:
                words.append(rng.choice(GLUE))
            roll = rng.random()
            words.append(rng.choice(COMMON) if roll < 0.06 else rng.choice(pool))
        name = " ".join(words).capitalize()
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    rng.shuffle(names)
    return names[:count]


def add_themes(project: Project, count: int, *, seed: int = 7) -> list[int]:
    """Create `count` themes in one undoable action: 1 in 50 a top-level theme, the rest under one."""
    names = theme_names(count, seed)
    level_top, level_low = project.levels[-1], project.levels[0]
    ids: list[int] = []
    tops: list[int] = []
    rng = random.Random(seed)
    with project.action("bench.themes", f"create {count} themes"):
        for i, name in enumerate(names):
            top = i % 50 == 0 or not tops
            row = project._insert("themes", {
                "guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": name,
                "parent_id": None if top else rng.choice(tops),
                "level": level_top if top else level_low, "participant_id": None,
                "description": "", "colour": None, "created_at": "2026-01-01T00:00:00Z",
            })
            (tops if top else ids).append(row["id"])
    return tops + ids


def add_codings(project: Project, transcript: Transcript, theme_ids: list[int], count: int, *, seed: int = 3) -> None:
    """Code `count` spans of one to eight lines, spread over the transcript, in one action."""
    rng = random.Random(seed)
    lines = transcript.line_count
    taken: set[tuple[int, int, int]] = set()
    with project.action("bench.codings", f"code {count} spans"):
        for i in range(count):
            while True:  # a theme codes the same lines once
                first = rng.randint(1, lines)
                last = min(lines, first + rng.randint(0, 7))
                if (first, last, theme_ids[i % len(theme_ids)]) not in taken:
                    break
            taken.add((first, last, theme_ids[i % len(theme_ids)]))
            project._insert("codings", {
                "guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "transcript_id": transcript.id, "first_line": first,
                "last_line": last, "theme_id": theme_ids[i % len(theme_ids)], "coder_id": None,
                "created_at": "2026-01-01T00:00:00Z",
            })


def write_docx(path: Path, paragraphs: int, seed: int = 5) -> None:
    """A minimal Word file of `paragraphs` paragraphs of interview speech."""
    text = speech_text(max(paragraphs // 2, 10), seed)
    paras = [p for p in text.split("\n") if p.strip()]
    while len(paras) < paragraphs:
        paras += paras
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paras[:paragraphs])
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"
        ),
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
