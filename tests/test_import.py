"""Importing transcripts: every format, encodings, speaker labels, the original kept."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import stc.parallel
from tests.conftest import CORPORA, SHARED, Run, needs_shared, write
from tests.samples import make_docx, make_odt, snapshot

TRANSCRIPTS = SHARED / "transcripts"
VTT = TRANSCRIPTS / "vtt-srt"
# the shared transcripts sit beside the repository (../shared/data), as in CI
needs_transcripts = needs_shared(TRANSCRIPTS)


def vtt_samples(pattern: str) -> list[str]:
    return sorted(p.name for p in VTT.glob(pattern))
NORWEGIAN = (
    "Intervjuer: Hvordan opplevde du overgangen til tryggleiksalarmen?\n"
    "Kari: Først var jeg skeptisk, ærlig talt. Men sønnen min hjalp meg, og nå føler jeg meg "
    "tryggere på kvelden. Blåbærsyltetøy på brødskiva, Ærlig og Øystein og Åse.\n"
)


def shown(run: Run, ref: str) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = json.loads(run("show", ref, "--json").stdout)["segments"]
    return segments


def speakers_of(run: Run, doc: str) -> dict[str, str]:
    infos = {d["id"]: d for d in json.loads(run("docs", "--json").stdout)}
    speakers: dict[str, str] = infos[doc]["speakers"]
    return speakers


def text_of(run: Run, ref: str) -> str:
    return " ".join(s["text"] for s in shown(run, ref))


# -- every format --------------------------------------------------------------------------

def test_plain_text_with_labels(run: Run, project: Path) -> None:
    write(project / "I1.txt", NORWEGIAN)
    out = run("import", "I1.txt").stdout
    assert "I1: I1.txt, utf-8; 2 turns" in out
    assert speakers_of(run, "I1") == {"Intervjuer": "interviewer", "Kari": "participant"}
    segments = shown(run, "I1")
    assert segments[0]["speaker"] == "Intervjuer" and segments[0]["role"] == "interviewer"
    assert [s["n"] for s in segments] == list(range(1, len(segments) + 1))
    assert segments[1]["text"] == "Først var jeg skeptisk, ærlig talt."
    run("verify")


def test_markdown_bold_labels_and_headings(run: Run, project: Path) -> None:
    write(project / "P2.md", "# Intervju 2\n\n**Intervjuer:** Hvordan går det?\n\n"
                             "**Tom:** Det går bra.\n\n---\n")
    run("import", "P2.md")
    assert speakers_of(run, "P2") == {"Intervjuer": "interviewer", "Tom": "participant"}
    assert "Intervju 2" not in text_of(run, "P2")


def test_rtf(run: Run, project: Path) -> None:
    write(project / "R.rtf", r"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 I: Hei p\'e5 deg.\par"
                             r" Kari: Hei. Jeg b\'f8r si noe.\par}")
    run("import", "R.rtf")
    assert speakers_of(run, "R") == {"I": "interviewer", "Kari": "participant"}
    assert text_of(run, "R:2-3") == "Hei. Jeg bør si noe."


def test_srt_with_name_labels_merges_cues_of_one_speaker(run: Run, project: Path) -> None:
    write(project / "S.srt", "1\n00:00:01,000 --> 00:00:03,000\nI: Hvordan var det?\n\n"
                             "2\n00:00:03,500 --> 00:00:05,000\nKari: Det var fint.\n\n"
                             "3\n00:00:05,000 --> 00:00:07,250\nJeg likte det.\n")
    run("import", "S.srt")
    segments = shown(run, "S")
    assert [s["speaker"] for s in segments] == ["I", "Kari", "Kari"]
    kari = segments[1]
    assert kari["turn"] == segments[2]["turn"]  # two cues, one turn
    assert (kari["begins"], kari["ends"]) == ("00:00:03.500", "00:00:07.250")


def test_docx_and_odt(run: Run, project: Path) -> None:
    lines = ["Intervjuer: Hva tenker du om alarmen?", "Kari: Den gir meg trygghet.",
             "Jeg bruker den hver dag."]
    make_docx(project / "W.docx", lines)
    make_odt(project / "O.odt", lines)
    run("import", "W.docx", "O.odt")
    for doc in ("W", "O"):
        assert speakers_of(run, doc) == {"Intervjuer": "interviewer", "Kari": "participant"}
        assert text_of(run, doc + ":2-3") == "Den gir meg trygghet. Jeg bruker den hver dag."
    run("verify")


@needs_transcripts
@pytest.mark.parametrize("name", ["ID1.docx", "ID2.odt"])
def test_qualcoder_office_samples(run: Run, project: Path, name: str) -> None:
    run("import", str(TRANSCRIPTS / "qualcoder-examples" / name))
    segments = shown(run, Path(name).stem)
    assert len(segments) >= 4
    assert "€200" in " ".join(s["text"] for s in segments)


# -- the shared transcripts ----------------------------------------------------------------

@needs_transcripts
def test_qualcoder_focus_group_has_three_participants(run: Run, project: Path) -> None:
    run("import", str(TRANSCRIPTS / "qualcoder-examples" / "transcript.txt"), "--id", "FG")
    assert speakers_of(run, "FG") == {"id1": "participant", "id2": "participant",
                                      "id3": "participant"}
    segments = shown(run, "FG")
    assert segments[0]["text"] == "hello, I like the course."
    assert not any(s["text"].startswith("[id") for s in segments)
    # in a focus group each label is a participant of its own, named by the label
    people = json.loads(run("participants", "--json").stdout)
    assert [(p["id"], p["name"], p["transcripts"]) for p in people] == [
        ("P1", "id1", ["FG"]), ("P2", "id2", ["FG"]), ("P3", "id3", ["FG"])]


@needs_transcripts
def test_nynorsk_dialect_transcript(run: Run, project: Path) -> None:
    run("import", str(TRANSCRIPTS / "nynorsk-lia" / "lia-giske.txt"), "--id", "LIA")
    assert speakers_of(run, "LIA") == {"giske_uib_02": "participant"}
    segments = shown(run, "LIA")
    assert segments[0]["text"].startswith("det er ikkje så svært mange")
    assert all(not s["text"].startswith("giske_uib_02") for s in segments)


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _expected_cue(raw: str) -> tuple[str | None, str]:
    """Speaker and text of a cue as WebVTT defines them: the voice's annotation, the text
    without tags. A voice tag never closed by `>` is dropped and its words kept."""
    voice = re.match(r"<v(?:\.[^\s>]+)*(?:\s+([^>]*))?>", raw)
    speaker = voice.group(1).strip() if voice and voice.group(1) else None
    text = re.sub(r"<[^>]*>", "", raw)
    text = re.sub(r"^<v(?:\.\S*)?\s+", "", text)
    return speaker, " ".join(text.split())


@needs_transcripts
@pytest.mark.parametrize("sample", vtt_samples("*.expected.json"))
def test_webvtt_voices_agree_with_expected_json(run: Run, project: Path, sample: str) -> None:
    vtt = VTT / sample.replace(".expected.json", ".vtt")
    run("import", str(vtt), "--id", "V")
    cues = json.loads((VTT / sample).read_text())["cues"]
    segments = shown(run, "V")
    assert len(cues) == 1 == len({s["turn"] for s in segments})
    speaker, text = _expected_cue(cues[0]["text"])
    assert " ".join(s["text"] for s in segments) == text
    assert {s["speaker"] for s in segments} == {speaker}
    assert _seconds(segments[0]["begins"]) == cues[0]["startTime"]
    assert _seconds(segments[0]["ends"]) == cues[0]["endTime"]


@needs_transcripts
def test_webvtt_voice_spans_give_alternating_turns(run: Run, project: Path) -> None:
    run("import", str(VTT / "mozilla-voice-spans.vtt"), "--id", "V")
    turns: dict[int, tuple[str, str]] = {}
    for s in shown(run, "V"):
        turns.setdefault(s["turn"], (s["speaker"], s["begins"]))
    assert list(turns.values()) == [("Esme", "00:00:00.000"), ("Mary", "00:00:02.000"),
                                    ("Esme", "00:00:04.000"), ("Mary", "00:00:06.000")]
    assert text_of(run, "V:3-4") == "Hee! laughter"


@needs_transcripts
def test_teams_vtt_speakers(run: Run, project: Path) -> None:
    run("import", str(VTT / "webvtt-py-teams_timeframe.vtt"), "--id", "T")
    assert list(speakers_of(run, "T")) == ["Yuri Bakulin", "Adrian Petrescu"]


@needs_transcripts
@pytest.mark.parametrize("name", vtt_samples("*.vtt") + vtt_samples("*.srt"))
def test_every_shared_subtitle_file_imports(run: Run, project: Path, name: str) -> None:
    run("import", str(VTT / name), "--id", "S")
    text = text_of(run, "S")
    assert text and "<" not in text and "-->" not in text
    run("verify")


@needs_transcripts
def test_taguette_vtt_style_and_note_blocks_are_not_speech(run: Run, project: Path) -> None:
    run("import", str(VTT / "taguette-test_webvtt.vtt"), "--id", "T")
    segments = shown(run, "T")
    assert [s["text"] for s in segments] == [
        "Hi there", "This is an example of a subtitle file in SRT format"]
    assert [s["begins"] for s in segments] == ["00:00:00.123", "00:01:04.843"]


# -- encodings ------------------------------------------------------------------------------

ENCODED = [
    ("utf-8", b"", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ("utf-16-le", b"\xff\xfe", "utf-16"),
    ("utf-16-be", b"\xfe\xff", "utf-16"),
    ("cp1252", b"", "cp1252"),
    ("mac_roman", b"", "mac-roman"),
]


@pytest.mark.parametrize(("codec", "bom", "reported"), ENCODED)
def test_encodings_are_detected_and_reported(run: Run, project: Path, codec: str, bom: bytes,
                                             reported: str) -> None:
    (project / "E.txt").write_bytes(bom + NORWEGIAN.replace("\n", "\r\n").encode(codec))
    out = run("import", "E.txt").stdout
    assert f"E.txt, {reported};" in out
    assert "Blåbærsyltetøy på brødskiva, Ærlig og Øystein og Åse." in text_of(run, "E")
    assert "\r" not in text_of(run, "E")


def test_encoding_option_overrides_detection(run: Run, project: Path) -> None:
    # bytes that are valid UTF-8 but were written as cp1252: Ã¦ is æ read the wrong way
    (project / "E.txt").write_bytes("Kari: Ã¦ Ã¸ Ã¥ skrevet feil.\n".encode())
    run("import", "E.txt")
    assert "Ã¦" in text_of(run, "E")
    (project / "F.txt").write_bytes("Kari: æ ø å i latin-1.\n".encode("latin-1"))
    out = run("import", "F.txt", "--encoding", "iso8859-15").stdout
    assert "iso8859-15" in out
    assert text_of(run, "F") == "æ ø å i latin-1."


def test_text_is_nfc_normalised(run: Run, project: Path) -> None:
    write(project / "D.txt", "Kari: Ga\u030ar det?\n")
    run("import", "D.txt")
    assert text_of(run, "D") == "Går det?"


# -- speaker labels ------------------------------------------------------------------------

def test_tab_aligned_labels_and_continuation_lines(run: Run, project: Path) -> None:
    write(project / "T.txt", "I:\tHvordan var det å få\n\tden nye alarmen?\n"
                             "Kari:\tDet var fint.\n\tJeg følte meg trygg.\n")
    run("import", "T.txt")
    assert speakers_of(run, "T") == {"I": "interviewer", "Kari": "participant"}
    assert text_of(run, "T:1") == "Hvordan var det å få den nye alarmen?"


def test_tab_labels_without_colon(run: Run, project: Path) -> None:
    write(project / "T.txt", "Kari\tHei der.\nI\tHva tenker du?\nKari\tDet går bra.\n")
    run("import", "T.txt")
    assert [(s["speaker"], s["text"]) for s in shown(run, "T")] == [
        ("Kari", "Hei der."), ("I", "Hva tenker du?"), ("Kari", "Det går bra.")]


def test_space_aligned_labels(run: Run, project: Path) -> None:
    write(project / "A.txt", "Interviewer:   Hvordan var det?\n"
                             "Kari:          Det var greit, men det tok tid\n"
                             "               før jeg vente meg til det.\n")
    run("import", "A.txt")
    assert [(s["speaker"], s["text"]) for s in shown(run, "A")] == [
        ("Interviewer", "Hvordan var det?"),
        ("Kari", "Det var greit, men det tok tid før jeg vente meg til det.")]


def test_hard_wrapped_lines_are_joined(run: Run, project: Path) -> None:
    write(project / "W.txt", "Intervjuer: Hvordan har\ndu det i dag?\n\n"
                             "Ola: Jeg har det bra, takk. Men\nbeina verker\nlitt.\n")
    run("import", "W.txt")
    assert [s["text"] for s in shown(run, "W")] == [
        "Hvordan har du det i dag?", "Jeg har det bra, takk.", "Men beina verker litt."]


def test_timestamps_before_labels_are_kept(run: Run, project: Path) -> None:
    write(project / "T.txt", "[00:00:05] I: Hei.\n[00:00:09] Kari: Hei selv.\n")
    run("import", "T.txt")
    assert [(s["speaker"], s["begins"]) for s in shown(run, "T")] == [
        ("I", "00:00:05"), ("Kari", "00:00:09")]


def test_speakers_option_sets_roles(run: Run, project: Path) -> None:
    write(project / "S.txt", "Anne: Hei, jeg leder samtalen.\nB: Svar.\nC: Annet svar.\n"
                             "Anne: Takk.\n")
    out = run("import", "S.txt", "--speakers", "Anne=interviewer", "--speakers",
              "c=other").stdout
    assert "Anne=interviewer, B=participant, C=other" in out
    assert speakers_of(run, "S") == {"Anne": "interviewer", "B": "participant", "C": "other"}


def test_speakers_option_must_name_a_role(run: Run, project: Path) -> None:
    write(project / "S.txt", "Anne: Hei.\n")
    before = snapshot(run, project)
    result = run("import", "S.txt", "--speakers", "Anne=boss", code=1)
    assert "[E205]" in result.stderr
    assert snapshot(run, project) == before


def test_running_text_with_a_colon_is_not_a_speaker(run: Run, project: Path) -> None:
    write(project / "R.txt", "Kari: Jeg sa det slik.\nDette er viktig å merke seg: det hjalp.\n")
    run("import", "R.txt")
    assert speakers_of(run, "R") == {"Kari": "participant"}


# -- originals and re-import ---------------------------------------------------------------

def test_original_is_kept_byte_for_byte(run: Run, project: Path) -> None:
    data = b"\xef\xbb\xbf" + NORWEGIAN.replace("\n", "\r\n").encode()
    (project / "I1.txt").write_bytes(data)
    run("import", "I1.txt")
    kept = list((project / "sources").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == data
    assert hashlib.sha256(data).hexdigest()[:12] in kept[0].name


def test_identical_reimport_says_so_and_changes_nothing(run: Run, project: Path) -> None:
    write(project / "I1.txt", NORWEGIAN)
    run("import", "I1.txt")
    (project / "copy.txt").write_bytes((project / "I1.txt").read_bytes())
    before = snapshot(run, project)
    for name in ("I1.txt", "copy.txt"):
        out = run("import", name).stdout
        assert "identical to document I1" in out and "nothing changed" in out
    assert snapshot(run, project) == before


def test_same_id_different_text_is_refused(run: Run, project: Path) -> None:
    write(project / "I1.txt", NORWEGIAN)
    run("import", "I1.txt")
    sub = project / "new"
    sub.mkdir()
    write(sub / "I1.txt", NORWEGIAN + "Kari: Mer.\n")
    before = snapshot(run, project)
    assert "[E201]" in run("import", "new/I1.txt", code=1).stderr
    assert snapshot(run, project) == before


def test_id_and_participant_options(run: Run, project: Path) -> None:
    write(project / "x.txt", NORWEGIAN)
    run("import", "x.txt", "--id", "I7", "--participant", "Kari")
    info = json.loads(run("docs", "--json").stdout)[0]
    assert (info["id"], info["participant"]) == ("I7", "Kari")
    assert "[E208]" in run("import", "x.txt", "--id", "bad id", code=1).stderr


def test_multi_file_import_records_one_change_per_file(run: Run, project: Path) -> None:
    for n in (1, 2, 3):
        write(project / f"I{n}.txt", f"I: Spørsmål {n}?\nKari: Svar {n}.\n")
    out = run("import", "I1.txt", "I2.txt", "I3.txt").stdout
    # a progress bar for each phase, in order
    assert out.index("Checking") < out.index("Splitting into sentences") < out.index("Recording")
    log = json.loads(run("log", "--json").stdout)
    assert [r["kind"] for r in log] == ["project.init"] + ["document.import"] * 3
    assert [d["id"] for d in json.loads(run("docs", "--json").stdout)] == ["I1", "I2", "I3"]


def test_docx_soft_line_breaks_wrap_lines_but_labels_start_turns(run: Run, project: Path) -> None:
    make_docx(project / "W.docx", ["Intervjuer: Hvordan\ngår det?\nKari: Bra,\ntakk."])
    run("import", "W.docx")
    assert [(s["speaker"], s["text"]) for s in shown(run, "W")] == [
        ("Intervjuer", "Hvordan går det?"), ("Kari", "Bra, takk.")]


def test_label_and_time_on_a_line_of_their_own(run: Run, project: Path) -> None:
    """Otter and similar tools: `Speaker 1  0:03`, the speech on the lines below."""
    write(project / "O.txt", "Speaker 1  0:03\nHello there, how are\nyou doing today?\n\n"
                             "Speaker 2  0:07\nI am fine. Thanks.\n\nSpeaker 1  1:12\nGood.\n")
    run("import", "O.txt")
    assert [(s["speaker"], s["begins"], s["text"]) for s in shown(run, "O")] == [
        ("Speaker 1", "0:03", "Hello there, how are you doing today?"),
        ("Speaker 2", "0:07", "I am fine."), ("Speaker 2", "0:07", "Thanks."),
        ("Speaker 1", "1:12", "Good.")]


def test_teams_style_docx_transcript(run: Run, project: Path) -> None:
    make_docx(project / "T.docx", ["Intervjuer   0:03", "Hvordan går det?",
                                   "Kari Nordmann   0:07", "Det går fint."])
    run("import", "T.docx")
    assert [(s["speaker"], s["text"]) for s in shown(run, "T")] == [
        ("Intervjuer", "Hvordan går det?"), ("Kari Nordmann", "Det går fint.")]


def test_a_single_line_ending_in_a_time_is_not_a_speaker(run: Run, project: Path) -> None:
    write(project / "S.txt", "Kari: Vi møttes klokka\nhalv ni 8:30\nog gikk sammen.\n")
    run("import", "S.txt")
    assert speakers_of(run, "S") == {"Kari": "participant"}


# -- many files at once, on every core ---------------------------------------------------------

INTERVIEWS = [CORPORA / "nb-hjemmetjeneste" / name
              for name in ("I1.txt", "I2.docx", "I3.vtt", "I4.txt")]


def imported_state(run: Run, folder: str) -> dict[str, Any]:
    docs = json.loads(run("--project", folder, "docs", "--json").stdout)
    return {"docs": docs, "segments": {d["id"]: shown(run, f"{d['id']}") for d in docs}}


def test_import_on_several_cores_records_what_one_by_one_does(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    states = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("STC_WORKERS", workers)
        run("init", f"p{workers}", "--language", "nb", "--title", "Kjerner")
        run("--project", f"p{workers}", "import", *map(str, INTERVIEWS))
        monkeypatch.chdir(tmp_path / f"p{workers}")
        states[workers] = imported_state(run, ".")
        run("verify")
        monkeypatch.chdir(tmp_path)
    if len(os.sched_getaffinity(0)) > 1:
        assert stc.parallel.worker_count(len(INTERVIEWS)) == 2  # the second run used workers
    assert [d["id"] for d in states["2"]["docs"]] == ["I1", "I2", "I3", "I4"]
    assert states["2"] == states["1"]


def test_a_bad_file_among_many_on_several_cores_changes_nothing(
        run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STC_WORKERS", "2")
    (project / "bad.txt").write_bytes(bytes(range(256)) * 40)
    before = snapshot(run, project)
    files = [*map(str, INTERVIEWS[:2]), "bad.txt", *map(str, INTERVIEWS[2:])]
    result = run("import", *files, code=1)
    assert result.stderr.startswith("Error: ") and "[E106]" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(run, project) == before
