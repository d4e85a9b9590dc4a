"""WebVTT and SubRip: cues joined into speaker turns, each line keeping its cue's start time."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator

from tui.formats.transcripts.speakers import Detector, Paragraph, _paragraph_spans, not_speaker

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>")
_ANY_TAG = re.compile(r"<[^>]*>")
_SRT_TAG = re.compile(r"</?(?:b|i|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)


def _timestamp(match: re.Match[str]) -> str:
    hours, minutes, seconds, millis = match.group(1, 2, 3, 4)
    return f"{int(hours or 0):02d}:{int(minutes):02d}:{seconds}.{millis.ljust(3, '0')}"


def _blocks(text: str) -> Iterator[list[str]]:
    """Groups of consecutive non-blank lines."""
    block: list[str] = []
    for start, end in _paragraph_spans(text):
        line = text[start:end]
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _vtt_cues(text: str) -> Iterator[tuple[str, list[tuple[str | None, str]]]]:
    """(cue start, [(voice or None, cleaned text), ...]) for each cue of a WebVTT file."""
    for index, block in enumerate(_blocks(text)):
        head = block[0].lstrip("\ufeff")
        if index == 0 and head.startswith("WEBVTT"):
            continue
        if re.match(r"(?:NOTE|STYLE|REGION)(?:\s|$)", head):
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            continue
        timing = _TIMING.match(block[timing_at])
        if timing is None:
            continue
        payload = "\n".join(block[timing_at + 1 :])
        segments: list[tuple[str | None, str]] = []
        voices = list(_VOICE.finditer(payload))
        bounds = [(None, 0)] + [(m, m.end()) for m in voices]
        for i, (voice, seg_start) in enumerate(bounds):
            seg_end = voices[i].start() if i < len(voices) else len(payload)
            words = _collapse(html.unescape(_ANY_TAG.sub("", payload[seg_start:seg_end])))
            speaker = _collapse(html.unescape(voice.group(1) or "")) if voice is not None else ""
            if words:
                segments.append((speaker or None, words))
        if segments:
            yield _timestamp(timing), segments


def _srt_cues(text: str) -> Iterator[tuple[str, list[tuple[str | None, str]]]]:
    """(cue start, [(None, cleaned text)]) for each cue of a SubRip file."""
    for block in _blocks(text):
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            continue
        timing = _TIMING.match(block[timing_at])
        if timing is None:
            continue
        words = _collapse(_SRT_TAG.sub("", "\n".join(block[timing_at + 1 :])))
        if words:
            yield _timestamp(timing), [(None, words)]


def _subtitle_transcript(
    cues: Iterator[tuple[str, list[tuple[str | None, str]]]],
    detect: Detector,
    not_speakers: Collection[str] = (),
) -> tuple[str, list[Paragraph]]:
    """Join cues into turns, one paragraph `Speaker: words` per turn, with cue timestamps."""
    turns: list[tuple[str | None, list[tuple[str, str]]]] = []  # speaker, [(timestamp, words)]
    for timestamp, segments in cues:
        for speaker, words in segments:
            nobody = False
            if speaker is None:
                found = detect(words, 0)
                if found is not None and not_speaker(found[0], not_speakers):
                    nobody = True  # `Note: ...` is no one's: a paragraph of its own, without a speaker
                elif found is not None:
                    speaker = found[0]
                    words = words[found[1] :].strip()
                    if not words:
                        continue
            if turns and not nobody and (speaker is None or speaker == turns[-1][0]):
                turns[-1][1].append((timestamp, words))
            else:
                turns.append((speaker, [(timestamp, words)]))
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    offset = 0
    for speaker, parts in turns:
        label = f"{speaker}: " if speaker is not None else ""
        para_start = offset
        cursor = offset + len(label)
        cues: list[tuple[int, str]] = []
        for i, (timestamp, words) in enumerate(parts):
            if i:
                cursor += 1  # the joining space
            cues.append((para_start if i == 0 else cursor, timestamp))
            cursor += len(words)
        body = label + " ".join(words for _, words in parts)
        pieces.append(body)
        paragraphs.append(
            Paragraph(para_start, para_start + len(body), speaker, speaker is not None, len(label), tuple(cues))
        )
        offset += len(body) + 1
    return "\n".join(pieces), paragraphs
