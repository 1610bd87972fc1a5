"""Errors the library raises, with coded messages.

The CLI turns every `StcError` into one line on stderr, `Error: <message> [<code>]`, and exit 1.
Tests assert the code, so the prose can improve without breaking them.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # projects
    "E001": "no stc project here or in any parent folder of {path}; run `stc init DIR` or pass --project",
    "E002": "{path} already holds an stc project",
    "E003": "{path}: stc.toml is not valid TOML: {detail}",
    "E004": "unknown language {lang!r}; use a code such as nb, nn, sv, da, en or de",
    "E005": "this project was written by a newer stc (schema {found}); upgrade stc to open it",
    # input files
    "E101": "{path}: no such file; check the path",
    "E102": "{path} is a folder; name the transcript files inside it",
    "E103": "{path}: stc does not read {suffix!r} files; use .txt, .md, .docx, .odt, .rtf, .vtt, .srt or .pdf",
    "E104": "{path} is empty; nothing to import",
    "E105": "{path} is {size} bytes, over the limit of {limit} bytes; split the transcript",
    "E106": "{path} looks like a binary file, not a transcript; export it as text or .docx",
    "E107": "{path}: cannot decode as {encoding}; pass the right --encoding (e.g. utf-8, cp1252)",
    "E108": "{path}: the text encoding could not be recognised; pass --encoding",
    "E109": "{path} is not a valid {kind} file ({detail}); open and save it again, or export as .txt",
    "E110": "{path}: {detail}; the archive may be hostile or damaged, so it was not opened",
    "E111": "{path}: the XML uses {detail}, which stc refuses for safety",
    "E112": "{path} holds no text after removing markup; nothing to import",
    "E113": "unknown encoding {encoding!r}; use a name such as utf-8, utf-16, cp1252 or latin-1",
    "E114": "{path}: the subtitle file has no readable cues ({detail})",
    "E115": "{path} changed while it was being imported; import it again",
    # hardening: hostile and huge inputs, output files
    "E130": "{path}: {detail}; the file may be hostile or damaged, so it was not imported",
    "E131": "the regular expression {pattern!r} could take very long to search ({why}); {hint}",
    "E132": "{path} cannot be written ({detail}); no file was changed",
    "E133": "{kind} {name!r} holds {char}, which a name cannot hold (names are visible text, without control characters, tabs, line breaks or direction overrides); write it without",
    "E135": "{ref!r} holds a number of {digits} digits; stc numbers segments, meaning units, participants and changes from 1 up, with far fewer (`stc show DOC`, `stc units`, `stc log` list them)",
    "E136": "{ref!r}: no {what} is numbered that high (a project numbers nothing beyond {largest}); `stc units`, `stc show DOC` or `stc log` list them",
    "E137": "the disk is full ({detail}); free some space, then try again; nothing was changed",
    "E138": "{encoding!r} is not a text encoding (it turns bytes into other bytes); name one such as utf-8, utf-16, cp1252 or latin-1",
    "E139": "{path} is not a text file ({detail}); give the {what} as text: a .txt or .md file, -m TEXT or --edit",
    "E140": "cannot write into {folder}: the folder does not exist; make it first, or name another",
    "E141": "`stc {command}` asks before it {does}, and there is no terminal to ask in; add --yes to go ahead without asking",
    "E142": "--edit opens an editor in the terminal, and there is no terminal here; give the text with -m TEXT or --file FILE",
    "E143": "the editor {editor!r} could not be opened ({detail}); set $EDITOR to one that works, or give the text with -m TEXT or --file FILE",
    "E144": "{path} cannot be read ({detail}); stc.toml must be a UTF-8 text file you may read",
    "E145": "{path}: pipeline = {name!r} is not a spaCy pipeline installed here ({detail}); install it, or remove the line so that stc splits sentences by its own rules",
    "E146": "{path}: the column {column!r} appears {count} times; keep one, so that it is clear which holds the values",
    "E147": "{path} holds no table (not even a header row); {hint}",
    "E148": "{path}: its code tree is nested more than {limit} levels deep; stc reads code trees up to that depth, and the file may be damaged or hostile",
    "E149": "--on is empty; name what the memo is on (DOC, DOC:N, U7 or KIND:NAME), or leave --on out for a memo on the project",
    "E134": "{kind} {name!r} shows nothing (only invisible characters); give a word or phrase",
    # documents and references
    "E201": "document {doc!r} exists already; use another --id, or --replace {doc} to bring in a corrected version",
    "E202": "unknown document {doc!r}; `stc docs` lists them",
    "E203": "{ref!r} is not a reference stc understands; write DOC, DOC:N or DOC:N-M",
    "E204": "{doc} has segments 1-{last}; {ref!r} is outside them",
    "E205": "--speakers expects LABEL=ROLE with ROLE interviewer, participant or other, not {value!r}",
    "E206": "{path} is identical to document {doc} (imported already); nothing changed",
    "E207": "--id and --participant apply to one file at a time; import the files one by one",
    "E208": "invalid document id {doc!r}; use letters, digits, '-' and '_' (at most 40)",
    # erasure and withdrawal
    "E210": "the project is open in {holders}; an erasure must hold stc.db alone to leave nothing readable. Close it (a workbench holds it only while it answers) and run the command again; nothing was erased",
    "E211": "the reason is empty; say why (e.g. consent withdrawn, and when)",
    "E212": "{doc} is withdrawn already (change #{seq}); `stc undo --change {seq}` takes the withdrawal back",
    "E213": "{doc} is withdrawn from further analysis (change #{seq}): no new meaning units on it. `stc undo --change {seq}` takes the withdrawal back",
    # trail
    "E301": "nothing to undo",
    "E302": "change #{seq} ({kind}) cannot be undone: {why}",
    "E303": "unknown change kind {kind!r} in the trail at #{seq}; upgrade stc",
    "E304": "--as-of {seq} is outside the trail (1-{last})",
    "E320": "change #{seq} is not in effect (it was undone, or is an undo itself); `stc log` shows the trail",
    "E321": "{what} cannot be undone: later changes rest on it: {later}; undo those first",
    "E322": "nothing to redo (redo follows an undo, before anything new is recorded)",
    "E323": "changed after change #{since}, on which this is based: {places}; look at the new state and try again",
    "E324": "--expect wants a trail hash (64 hex digits) or a file holding one (a seal), not {value!r}",
    "E325": "{path} holds no trail hash (64 hex digits); give the seal or the note with the hash",
    "E326": "ssh-keygen was not found; install OpenSSH (it comes with git on Windows and macOS) to seal or check seals",
    "E327": "ssh-keygen could not sign: {detail}",
    "E328": "no SSH key at {key}; make one with `ssh-keygen -t ed25519`, or name one with --key FILE",
    "E329": "{path}: no such file",
    "E330": "the seal {path} does not hold: {detail}",
    "E331": "--seal and --allowed-signers go together: the seal, and the file naming whose keys may sign it",
    "E332": "the reason is empty; say why the change was made",
    "E333": "there is no change #{seq} to give a reason for (`stc log` lists the changes)",
    # supervision: comments, validation, what changed since
    "E560": "the comment is empty; write what the student should look at",
    "E561": "unknown comment {ref!r}; `stc comments` lists them (C1, C2, ...)",
    "E562": "{ref} was resolved already, in change #{seq}",
    "E563": "{since}: the trail holds no change with the hash this file names; was it sealed in another project?",
    "E564": "--since wants a change number (212), a seal file, or a date or time (2026-03-01, 2026-03-01T14:30), not {since!r}",
    "E305": "unknown {kind} {name!r}",
    "E306": "{kind} {name!r} exists already",
    "E307": "{detail}",
    # steps 3 and 4, checks and reports
    "E503": "subgroup {name!r} is in more than one code group ({groups}); write GROUP/SUBGROUP",
    "E504": "subgroup {name!r} exists already in {group!r}",
    "E505": "{ref!r} is not a meaning unit reference; write U7",
    "E506": "unknown meaning unit {ref}; `stc units` lists them",
    "E507": "{unit} is not coded into {group!r} (its groups: {groups}); code it first or sort it elsewhere",
    "E508": "{name!r} has subgroups; write its condensate per subgroup ({subgroups})",
    "E509": "{name!r} holds no meaning units yet; sort units into it before writing its condensate",
    "E510": "the quotation piece {piece!r} is not in {unit}'s text{detail}; quote verbatim and cut with …",
    "E511": "the quotation is empty; give the words to keep, with … where you leave text out",
    "E512": "a reason is needed to set a unit aside: --why TEXT",
    "E513": "the order must name every {kind} of {scope} exactly once: {names}",
    "E514": "the name is empty; give a word or phrase",
    "E515": "{name!r} is not on the list of identifying names",
    "E516": "the reports would show identifying names: {places}; rewrite those texts or pass --allow-identifying",
    "E517": "unknown report {name!r}; choose {reports} or all",
    "E518": "{report} cannot be written as {formats}; it is made as {allowed}",
    "E519": "{path}: {detail}",
    # report templates: a project's templates/ folder is untrusted
    "E530": "report template {template} reaches for {what}, which templates may not use; no report was written",
    "E531": "report template {template} runs too long ({detail}); no report was written",
    "E532": "report template {template} makes too much text ({detail}); no report was written",
    "E533": "report template {template} names {name!r}; name templates inside the project's templates/ folder, without '..' or an absolute path",
    "E534": "report template {template}: {detail}; no report was written",
    "E535": "{path} cannot be used as a report template: {detail}",
    "E536": "{path} cannot be used as the Word reference document: {detail}",
    # report settings (stc config, stc.toml), translations, the method report
    "E540": "unknown setting {key!r}; settings are: {known}",
    "E541": "{key} must be {expected}, not {value!r}",
    "E542": "{path}: {key!r} is not a setting stc knows; remove it or correct its spelling (settings: {known})",
    "E543": "{path}: {key} must be {expected}, not {value!r}; correct it there, or run `stc config set {key} VALUE`",
    "E544": "{key} cannot go back to a default; set a value: stc config set {key} VALUE",
    "E545": "--example names {unit}, which is in no category; name units coded into a code group",
    # steps 1 and 2: themes, memos, meaning units, codes, search, the coding matrix, re-import
    "E401": "unknown {kind} {name!r}; {hint}",
    "E402": "{kind} {name!r} exists already",
    "E403": "{kind} names must not be empty",
    "E404": "the quote was not found in {where}; check the wording, or try --loose for typographic quotes and dashes",
    "E405": "the quote occurs {count} times ({places}); give segments that hold only one of them",
    "E407": "{kind} {name!r} is used by {units}; add --force to drop it anyway",
    "E409": "a unit needs at least one code",
    "E410": "{ref!r} is not something a memo can be on; write DOC, DOC:N, U7, or KIND:NAME (theme, code, group, subgroup)",
    "E411": "{name!r} names more than one thing ({kinds}); write KIND:NAME, e.g. {example}",
    "E412": "memo kind must be one of {kinds}, not {kind!r}",
    "E413": "subgroups can only be merged within one code group ({groups})",
    "E414": "merging would give group {group!r} two subgroups named {name!r}; rename one first",
    "E415": "invalid regular expression {pattern!r}: {detail}",
    "E416": "{path}: the matrix must be a .xlsx or .csv file",
    "E417": "{path}: {detail}",
    "E418": "{path}: {count} refused, nothing applied:\n{rows}",
    "E419": "{path} is identical to the current version of {doc}; nothing changed",
    "E420": "KIND must be theme, code, group or subgroup, not {kind!r}",
    # correcting units, speakers in units
    "E430": "{kind} names cannot hold '/', which separates a code group from its subgroup (GROUP/SUBGROUP): {name!r}; write it without, e.g. {suggestion!r}",
    "E431": "only the interviewer speaks in {ref}; a meaning unit holds what participants say. Code their answer (a unit may run from the question into it), or give --allow-interviewer (to stc code, stc unit edit or stc matrix import) to code the interviewer's words on purpose",
    "E432": "{where} holds no speech (only a speaker label or the space between turns); select what is said",
    "E433": "{doc} has {length} characters; the stretch {start}-{end} is not inside them",
    "E434": "{unit} is not coded {name!r} (its codes: {codes})",
    "E435": "{unit} would have no code left; delete it instead: stc unit delete {unit} --why TEXT",
    "E436": "a reason is needed to delete a unit: --why TEXT",
    "E437": "{what!r} is not in the text of {unit}; give words from it where the second part begins",
    "E438": "{what!r} occurs {count} in {unit}; give more words, so that they occur once",
    "E439": "splitting {unit} there leaves {part} part without speech; split where both parts hold what is said",
    "E440": "{first} and {second} are in different transcripts ({docs}); only units of one transcript can be joined",
    "E441": "join two different units, not {unit} with itself",
    "E442": "{unit} would cover exactly the stretch of {other}; join them instead: stc unit join {other} {unit}",
    "E443": "{unit} still points at an earlier version of {doc}; move it first: stc unit edit {unit} --segments N-M",
    "E444": "{segments!r} is not a segment range; write N or N-M (segments of {doc})",
    "E446": "{path} does not say which change it shows (it has no as_of column), so units missing from it cannot be told from units made since; export it again, or import without --delete-missing",
    "E447": "{path}: {count} refused, nothing applied: their units changed after the file was exported; export it again and redo those rows, or pass --force to apply the file over the changes:\n{rows}",
    "E445": "give the new place of {unit}: --segments N-M, --quote TEXT, or both",
    # REFI-QDA exchange: .qdpx projects and .qdc codebooks (stc export, stc import)
    "E601": "{path}: not a REFI-QDA file ({detail}); export it again from the other program as .qdpx or .qdc",
    "E602": "{path}: the XML is broken ({detail}); export it again from the other program",
    "E603": "{path}: the XML uses {detail}, which stc refuses for safety",
    "E604": "{path}: no project.qde inside; a .qdpx holds project.qde and a sources/ folder",
    "E605": "{path}: the text of {count} is missing ({names}); export again as .qdpx with the sources, or export the codebook alone as .qdc",
    "E606": "{path}: selection {selection} in {source!r} runs from {start} to {end}, outside its text of {length} characters; nothing imported",
    "E607": "{path}: document {doc!r} exists already in this project; import into a new project (stc init) or erase it first",
    "E608": "{path}: {where} refers to {guid}, which is not in the file; the file is incomplete",
    "E609": "{path}: {detail}; the file does not follow the REFI-QDA schema",
    "E610": "{path}: stc exports .qdpx (the whole project), .qdc (the codebook) or .csv (the codebook for Taguette), not {suffix!r}",
    "E611": "nothing to export to {path}: the project has no codes or code groups yet",
    "E612": "import a .qdpx, .qde, .qdc or codebook .csv file on its own, not together with other files",
    "E613": "{path}: source {source!r} has {count} but no text; nothing imported",
    # exchange: Taguette codebooks, PDF transcripts
    "E650": "{path}: not a codebook CSV; its header needs one column named tag (or name, or path), as Taguette writes it, and has {found}",
    "E651": "{path}: row {row}: {detail}; nothing imported",
    "E652": "{path} has no text layer (a scanned PDF?); run it through text recognition (OCR) first, or ask for the transcript as .docx or .txt",
    "E653": "{path} is an encrypted PDF; save a copy without a password and import that",
    # two coders: stc init --from, stc compare, stc merge-from
    "E850": "{path} is not an stc project (no stc.toml and stc.db there); name the other coder's project folder",
    "E851": "{path} is this project itself; name the other coder's project folder",
    "E852": "the original or the text of {doc} in {path} is missing or changed; run `stc verify` there first",
    "E853": "no meaning units by {author!r} in this project; units were made by: {authors}",
    "E854": "this project and {path} hold no transcript with the same text; make the second coder's project with `stc init --from`",
    "E855": "transcript {doc!r} is not among the transcripts both projects hold ({docs})",
    "E856": "unknown code {name!r}: neither coder's codebook holds it",
    "E857": "{path}: {detail}",
    "E858": "{a} and {b} have not both coded any transcript; name the ones to compare with --docs ({docs})",
    "E859": "--coders wants two different authors, A,B, not {value!r}",
    "E860": "{count} need a decision: {places}; pass --keep a|b|both, or --resolutions FILE.csv (`stc compare OTHER --disagreements --out FILE.csv` writes one to fill in); nothing merged",
    "E861": "{path} row {row}: {detail}; nothing merged",
    "E862": "{path} row {row}: place {place} now holds {now}, not {was}; write the file again with `stc compare OTHER --disagreements --out FILE.csv`; nothing merged",
    "E863": "--out writes .html, .xlsx or .csv, not {suffix!r}",
    "E864": "cannot write {path}: {detail}",
    "E865": "give either OTHER_PROJECT or --coders A,B",
    # the workbench (stc serve)
    "E700": "--host {host} would let other computers reach the workbench and the transcripts in it; add --allow-remote if that is what you want",
    "E701": "port {port} is in use, by another program or another `stc serve`; choose another --port, or leave --port out to take a free one",
    "E702": "cannot listen on {host} port {port}: {detail}",
    "E710": "this page needs the link `stc serve` printed (with its token); open that link again, or start `stc serve` anew",
    "E711": "the request was addressed to {host!r}, not to this computer; the workbench answers only at 127.0.0.1 or localhost",
    "E712": "a change sent from {origin} was refused; make changes from the workbench's own pages",
    "E713": "the page's safety token is missing or out of date; reload the page and try again",
    "E714": "the request is larger than the workbench's limit of {limit} bytes",
    "E715": "no workbench page at {path}; start from the list of transcripts",
    "E720": "a reason is needed for {what}: the trail keeps it; write one and try again",
    "E721": "this page did not say which browser tab it is, so it cannot keep a draft; reload the page",
    "E722": "{value!r} in {field} is not a change number; reload the page",
    "E723": "the page sent no {field}; fill it in, or reload the page",
    "E724": "{value!r} is not a stretch of a unit's text (START-END); select the words again",
    "E725": "no meaning unit chosen; select cards first (Space on a card, or its check box)",
    "E726": "{what} was rewritten elsewhere (another tab or a terminal) after you began; compare the two, then record yours again or take theirs",
    "E740": "this page shows the project as it was after change #{seq}, read-only: nothing can be changed from it; go back to the project as it is now",
    # lifecycle: start method, backup, pack and unpack, close, demo
    "E950": "STC_START_METHOD is {value!r}; use one of {methods}, or unset it",
    "E951": "{path} is inside the project {project}; choose a folder outside the project",
    "E952": "{path} exists and is not empty; name a new or empty folder",
    "E953": "the copy in {path} did not verify ({problem}); nothing was kept. Run `stc verify` in the project, then try again",
    "E954": "{path} is not an stc pack: {detail}; nothing unpacked",
    "E955": "{path}: {member} was changed or damaged ({detail}); the pack is not what `stc pack` wrote, so nothing was unpacked. Ask for the pack again",
    "E956": "{path} is incomplete or holds files it should not ({detail}); nothing unpacked. Ask for the pack again",
    "E957": "{path}: the trail in the pack does not verify: {problem}; nothing unpacked",
    "E958": "the project was closed at change #{seq} (`stc log` says why) and takes no new analysis; reading, reports and `stc verify` still work",
    "E959": "{path} exists already; choose another file name",
    "E960": "cannot write {path}: {detail}",
    "E961": "{path} was made by a newer stc (pack format {found}); upgrade stc to unpack it",
    "E962": "the project changed while the archive was written (change #{last}, after #{head}); nothing was erased. Run `stc close` again with a new --archive folder",
    "E963": "{path}: the demo corpus is not part of this installation; reinstall stc-condensation",
    "E964": "{path}: a pack's file name ends in .stcpack",
    "E965": "the demo stopped at `stc {command}` (exit {status}):\n{output}",
    # participants and attributes
    "E800": "unknown participant {name!r}; `stc participants` lists them (write P3 or the name)",
    "E801": "a participant's name must not be empty",
    "E802": "{ref} is named {name!r} already; choose another name, or map the label to {ref} with `stc participant map`",
    "E803": "{name!r} reads as a participant id; choose a name that is not P and a number",
    "E804": "{ref} is named {name!r} already; nothing changed",
    "E805": "{doc} has no speaker label {label!r}; its labels: {labels}",
    "E806": "{label!r} in {doc} is mapped to {target} already; nothing changed",
    "E807": "map a label as LABEL=ID (ID: P3, a name, new, interviewer or other), not {value!r}",
    "E808": "{path} was written by an older stc; open it once with this one (e.g. `stc status --project {path}`) to upgrade it, then try again",
    "E810": "{pair!r}: write KEY=VALUE (a key of at most 40 characters without spaces or '='; an empty VALUE removes the attribute)",
    "E811": "{key} holds {kind}; {value!r} is not one (remove {key} where it is set to give it other values)",
    "E812": "{path}: the first column names the participant (P3 or the name), every other column an attribute with a name of its own without spaces; the columns are: {columns}",
    "E813": "{path}: {count} row(s) refused, nothing applied:\n{rows}",
    "E814": "no participant or transcript has the attribute {key!r}; the attributes are: {keys}",
    "E815": "{bands!r}: write numeric bands as FROM-TO,FROM-TO, e.g. 0-20,20-40",
    "E816": "{key} holds {kind}; bands need numbers",
    "E817": "unknown quotation attribution {form!r}; use one of {forms}",
    # pseudonymisation: names list, key, review (stc import --pseudonymise, stc pseudonymise)
    "E900": "{path}: the key must be kept outside the project folder {project}, or it travels with every copy of the project; choose a path outside it",
    "E901": "{path}: the names list holds real names; keep it outside the project folder {project}",
    "E902": "{path}: the names list is not UTF-8 text; save it as UTF-8",
    "E903": "{path}, line {line}: {detail}; write `Name = participant|person|place|workplace|institution`",
    "E904": "{path} has {count} marked ? still to decide; delete the ? to accept a name, or write - instead of ? when it is not one",
    "E905": "{path} is not an stc pseudonymisation key",
    "E906": "{path} is encrypted; give its passphrase with --passphrase-file FILE, or run in a terminal to be asked for it",
    "E907": "{path}: wrong passphrase; the key was not opened",
    "E908": "a passphrase-protected key needs the cryptography package; install it (pip install 'stc-condensation[encryption]') or leave out the passphrase",
    "E909": "{path} was made without --full-key and does not hold what earlier runs replaced; use a new key file with --full-key, or leave --full-key out",
    "E910": "this project holds pseudonymised transcripts; import with --pseudonymise KEYFILE (and --names LIST), or pass --no-pseudonymise to import the file as it is",
    "E911": "the passphrase is empty; choose one, or leave out --encrypt and --passphrase-file",
    "E912": "{path} keeps only the participant link (it was made without --full-key), so it cannot restore originals",
    "E913": "the text does not hold the placeholders its key recorded, in that order; it was changed after pseudonymisation",
    "E914": "the key {key} holds nothing for {path}; restore the files stc pseudonymise wrote, or the project's sources/, with the key they were made with",
    "E915": "--pseudonymise reads transcripts (.txt .md .docx .odt .rtf .vtt .srt), not REFI-QDA files; import the transcripts themselves",
    "E916": "{first} and {second} would both be written as {target}; pseudonymise them into different --out folders",
    "E917": "{path}: restored originals must not be written inside the project folder {project}; choose an --out folder outside it",
}


class StcError(Exception):
    """Base for every error a user can cause. `code` keys into MESSAGES."""

    code = "E307"

    def __init__(self, code: str | None = None, **fields: Any) -> None:
        self.code = code or self.code
        self.fields = fields
        template = MESSAGES[self.code]
        super().__init__(template.format(**fields))

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its code and fields when raised in a worker process (stc.parallel)
        return (_rebuild_error, (type(self), self.code, self.fields))


def _rebuild_error(kind: type[StcError], code: str, fields: dict[str, Any]) -> StcError:
    error = kind.__new__(kind)
    StcError.__init__(error, code, **fields)  # subclasses may take other arguments
    return error


def disk_full(exc: Exception) -> StcError:
    """A write failed for want of space (SQLITE_FULL, or ENOSPC from the system)."""
    detail = getattr(exc, "strerror", None) or str(exc)
    where = getattr(exc, "filename", None)
    return StcError("E137", detail=f"{where}: {detail}" if where else detail)


class NotAProject(StcError):
    code = "E001"


class ProjectExists(StcError):
    code = "E002"


class BadInput(StcError):
    """A file the user named cannot be read as a transcript."""

    code = "E109"


class UnknownReference(StcError):
    code = "E203"


class Conflict(StcError):
    """The change would clash with what the project already holds."""

    code = "E306"


class CannotUndo(StcError):
    code = "E301"


class Problem(StcError):
    """A free-form problem; prefer a coded subclass when the case recurs."""

    code = "E307"

    def __init__(self, detail: str) -> None:
        super().__init__("E307", detail=detail)
