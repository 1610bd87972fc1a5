"""stc log, stc verify, stc undo."""

from __future__ import annotations

from pathlib import Path

import click

from stc.cli.common import (
    json_option,
    open_project_from,
    print_json,
    project_option,
    project_options,
)
from stc.errors import StcError
from stc.history import object_history
from stc.trail import moment, records
from stc.words import counted


@click.command()
@project_option
@click.option("--on", "on_ref", metavar="REF", help="Only changes touching REF, across its renames"
              " and merges: U7, M3, DOC, DOC:N-M (the units on those segments), KIND:NAME or a"
              " name.")
@click.option("--author", "by_author", help="Only changes by this author.")
@click.option("--since", help="Only changes at or after this date/time (UTC, e.g. 2026-03-01).")
@json_option
def log(on_ref: str | None, by_author: str | None, since: str | None, as_json: bool) -> None:
    """The coding trail: every change, who made it, when and why.

    \b
    Example:
      stc log --on U12
      stc log --on skjermarbeid          # the code's whole life, under every name it had
      stc log --on I2:45-51              # the units on those segments
      stc log --author Kari --since 2026-03-01 --json
    """
    since = _moment(since)
    project = open_project_from(click.get_current_context())
    if on_ref is not None and not on_ref.strip():
        raise click.UsageError("--on needs a reference: U7, DOC:N-M, GROUP/SUBGROUP or a name")
    chosen = object_history(project.conn, on_ref) if on_ref else list(records(project.conn))
    chosen = [rec for rec in chosen
              if (not by_author or rec.author.casefold() == by_author.casefold())
              and (not since or rec.at >= since)]
    if as_json:
        print_json([r.as_json() for r in chosen])
        return
    for rec in chosen:
        click.echo(f"#{rec.seq:<5} {rec.at[:16].replace('T', ' ')}  {rec.author:<12} "
                   f"{rec.summary()}")
        if rec.label:
            click.echo(f"       command: {rec.label}")
        if rec.why:
            click.echo(f"       why: {rec.why}")


def _moment(value: str | None) -> str | None:
    """--since as a UTC time in the trail's own format, so that times compare as text."""
    if value is None:
        return None
    try:
        return moment(value)
    except ValueError:
        raise click.BadParameter("write a date or a time, e.g. 2026-03-01 or 2026-03-01T14:30"
                                 " (UTC unless it names a zone)", param_hint="--since") from None


@click.command()
@project_options
@click.option("--expect", "expect", metavar="HASH|FILE", multiple=True,
              help="A trail hash noted earlier, or a file holding one (a seal): the trail must"
              " still hold it, so a trail rewritten or cut short since is caught.")
@click.option("--seal", "seal_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A seal (seals/seal-N.txt, its .sig beside it): its signature must hold and"
              " the trail must still hold the change it seals.")
@click.option("--allowed-signers", type=click.Path(dir_okay=False, path_type=Path),
              help="With --seal: whose keys may sign (ssh-keygen's allowed_signers format).")
@click.option("--repair", is_flag=True,
              help="First remove files under sources/ that are no recorded original (left by"
              " an interrupted import); run it while no other stc is importing.")
def verify(expect: tuple[str, ...], seal_file: Path | None, allowed_signers: Path | None,
           repair: bool) -> None:
    """Check the trail: the hash chain is intact, the project equals its replay, the texts and
    originals kept beside it are whole — and, with --expect or --seal, that the trail still
    holds a head noted elsewhere.

    Exits 1 naming each problem when anything was altered outside stc.

    \b
    Example:
      stc verify
      stc verify --expect 3f2a…(64 hex digits)
      stc verify --seal seal-212.txt --allowed-signers supervisors.txt
    """
    from stc import sealing

    if (seal_file is None) != (allowed_signers is None):
        raise StcError("E331")
    project = open_project_from(click.get_current_context())
    if repair:
        for path in project.remove_stray_originals():
            click.echo(f"removed {path}: no recorded original")
    expected = [sealing.read_expected(value) for value in expect]
    signer = None
    if seal_file is not None and allowed_signers is not None:
        signer = sealing.check_signature(seal_file, allowed_signers)
        expected.append(sealing.read_expected(str(seal_file)))
    verdict = project.verify(expected)
    if verdict.ok:
        last, digest = project.head()
        held = "".join(f"; #{h.seq} as noted" if h.seq else f"; {h.hash[:16]} as noted"
                       for h in expected)
        signed = f", sealed by {signer}" if signer else ""
        click.echo(f"OK: {counted(verdict.checked, 'change')}, chain intact, state equals the"
                   " replay"
                   f" (last #{last}, hash {digest[:16]}){held}{signed}")
        return
    for problem in verdict.problems:
        click.echo(f"Error: {problem}", err=True)
    raise SystemExit(1)


@click.command()
@project_options
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path),
              help="The SSH private key to sign with (default: git's user.signingkey, else"
              " ~/.ssh/id_ed25519).")
def seal(key: Path | None) -> None:
    """Seal the trail: write its head (change number, hash, time) to seals/seal-N.txt and sign
    it with your SSH key (ssh-keygen -Y sign, as git signs commits). Give the two files to your
    supervisor: `stc verify --seal` then catches a trail rewritten or cut short since.

    \b
    Example:
      stc seal
      stc verify --seal seals/seal-212.txt --allowed-signers allowed_signers
    """
    project = open_project_from(click.get_current_context())
    path, record = project.seal(key)
    click.echo(f"sealed change #{record.payload['seq']} ({record.payload['hash'][:16]}) in"
               f" {path.relative_to(project.root)} and {path.name}.sig, with key"
               f" {record.payload['key']}")


@click.command()
@project_options
@click.option("--change", "change", type=int, metavar="N",
              help="Revert only change N (see `stc log`), if no later change rests on it.")
@click.option("--why", help="Reason, kept in the trail.")
def undo(change: int | None, why: str | None) -> None:
    """Revert the last command: every change it recorded (a sort of three units, a matrix
    import of seven changes). The reversal is appended to the trail; history is kept, and
    `stc redo` brings the command back.

    \b
    Example:
      stc undo --why "sorted into the wrong subgroup"
      stc undo --change 42
    """
    project = open_project_from(click.get_current_context())
    record, reverted = project.undo(why, change=change)
    click.echo(f"#{record.seq}: undid {reverted.describe()}")


@click.command()
@project_options
@click.option("--why", help="Reason, kept in the trail.")
def redo(why: str | None) -> None:
    """Restore what the last `stc undo` reverted, as long as nothing new was recorded since.

    \b
    Example:
      stc undo
      stc redo
    """
    project = open_project_from(click.get_current_context())
    record, undone = project.redo(why)
    label = undone.payload.get("label")
    what = f'"{label}"' if label else ", ".join(f"#{s}" for s in undone.payload.get("seqs", []))
    click.echo(f"#{record.seq}: redid {what}")


@click.command()
@project_options
@click.argument("seq", type=int, metavar="N")
@click.argument("text", metavar="TEXT")
def reason(seq: int, text: str) -> None:
    """Give change N, made without --why, its reason. The trail is never rewritten: the reason
    is a record of its own, and `stc check` and the audit report count it.

    \b
    Example:
      stc reason 42 "Skjermarbeid og ringing er samme tema"
    """
    project = open_project_from(click.get_current_context())
    record = project.add_reason(seq, text)
    click.echo(f"#{record.seq}: {record.summary()}")


COMMANDS = [log, verify, undo, redo, seal, reason]
