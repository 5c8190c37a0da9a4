"""From a check's :class:`~eksguard.fixes.Fix` to exact text edits in files.

Structural changes to a Kubernetes-shaped object (``SetKey``, ``RemoveKey``,
``AppendItem``) are grouped per document and made by :mod:`yaml_edit` (ruamel.yaml);
``AddDocument`` writes a new document after the object's; ``ReplaceToken``,
``InsertLine`` and ``EditText`` are minimal edits on one line (HCL, scripts,
eksctl values, comments). Inputs that are generated are never edited: a fix there is
a suggestion that names where to make it (the Helm template, the kustomize base).
"""

from __future__ import annotations

import re
from pathlib import Path

from eksguard.engine.fix import memo, yaml_edit
from eksguard.engine.fix.edits import CannotEdit, FileEdits, FileText, TextEdit
from eksguard.fixes import AddDocument, AppendItem, EditText, InsertLine, RemoveKey, ReplaceToken, SetKey

_STRUCTURAL = {SetKey: yaml_edit.set_key, RemoveKey: yaml_edit.remove_key, AppendItem: yaml_edit.append_item}
_GENERATED = {
    "helm-output": "the YAML is rendered by Helm: make this change in the chart's template or values",
    "helm-chart": "the YAML is rendered by Helm: make this change in the chart's template or values",
    "kustomize": "the YAML is built by kustomize: make this change in the base or a patch",
    "terraform-plan": "a Terraform plan is output: make this change in the configuration",
    "json": "JSON files are not rewritten (manifests, Terraform plans): make this change where they come from",
}


class Files:
    """The text of every file a round of fixes touches, read once; ``overlay`` holds
    texts already changed by an earlier round (not yet written)."""

    def __init__(self, cwd: Path, overlay: dict[str, str] | None = None):
        self.cwd = cwd
        self.overlay = overlay if overlay is not None else {}
        self._files: dict[str, FileText] = {}
        self._lines: dict[str, list[str]] = {}
        self._doc_starts: dict[str, list[int]] = {}
        self.disk: dict[str, str] = {}  # display path -> the text on disk (before any overlay)

    def path(self, display: str) -> Path:
        if display in ("<stdin>", "-") or not display:
            raise CannotEdit("read from standard input: nothing to write back to")
        path = Path(display)
        return path if path.is_absolute() else self.cwd / path

    def get(self, display: str) -> FileText:
        if display not in self._files:
            path = self.path(display)
            if path.is_symlink():
                raise CannotEdit("a symbolic link: edit the file it points to")
            file = FileText.read(path)
            self.disk[display] = file.text
            if display in self.overlay:
                file.text = self.overlay[display]
            self._files[display] = file
        return self._files[display]

    def lines(self, display: str) -> list[str]:
        """The file's current text split into lines (without ends), split once."""
        if display not in self._lines:
            self._lines[display] = self.get(display).text.split("\n")
        return self._lines[display]

    def doc_starts(self, display: str) -> list[int]:
        if display not in self._doc_starts:
            from eksguard.yaml_loader import YamlProblem, load_documents

            try:
                docs = load_documents(self.get(display).text)
            except YamlProblem:
                raise CannotEdit("the file does not parse as YAML") from None
            self._doc_starts[display] = [d.line for d in docs]
        return self._doc_starts[display]


def resolve(fix, files: Files) -> list[FileEdits]:
    """The edits that make ``fix``, one :class:`FileEdits` per file; a file the fix
    cannot be made in comes back with ``refused`` set and no edits."""
    by_file: dict[str, list[TextEdit]] = {}
    groups: dict[tuple[str, int, int, str], list] = {}  # one ruamel pass per document
    refused: dict[str, str] = {}
    for change in fix.changes:
        where = _where(change)
        try:
            if type(change) in _STRUCTURAL:
                display, first, last, indent = _region(change.obj, files)
                path = tuple(change.obj.prefix) + tuple(change.path)
                groups.setdefault((display, first, last, indent), []).append(
                    (_STRUCTURAL[type(change)], path, getattr(change, "value", None)))
            elif isinstance(change, AddDocument):
                display, _, last, indent = _region(change.obj, files)
                if indent:
                    raise CannotEdit("a new document is not added inside a heredoc")
                by_file.setdefault(display, []).append(_add_document(files.get(display), last, change.body))
            elif isinstance(change, ReplaceToken):
                by_file.setdefault(where, []).append(_replace_token(files, change))
            elif isinstance(change, InsertLine):
                by_file.setdefault(where, []).append(_insert_line(files, change))
            elif isinstance(change, EditText):
                by_file.setdefault(where, []).append(_edit_text(files, change))
        except CannotEdit as exc:
            refused.setdefault(where, str(exc))
    for (display, first, last, indent), operations in groups.items():
        try:
            lines = files.lines(display)[first - 1:last]
            by_file.setdefault(display, []).extend(memo.edit_region(lines, first, indent, operations))
        except CannotEdit as exc:
            refused.setdefault(display, str(exc))
    out = [FileEdits(path, [], reason) for path, reason in refused.items()]
    out += [FileEdits(path, sorted(edits)) for path, edits in by_file.items() if path not in refused]
    return out


def _where(change) -> str:
    if hasattr(change, "obj"):
        return change.obj.origin.path
    if hasattr(change, "location"):
        return change.location.path
    return change.path


def _region(obj, files: Files) -> tuple[str, int, int, str]:
    origin = obj.origin
    if origin.format in _GENERATED or origin.lines is not None:
        reason = _GENERATED.get(origin.format, "the YAML is generated: make this change where it comes from")
        raise CannotEdit(reason + (f" ({origin.template})" if origin.template else ""))
    lines = files.lines(origin.path)
    if origin.format == "terraform":
        inside = getattr(obj.body, "mark", (0, 0))[0]
        return (origin.path, *yaml_edit.heredoc_span(lines, inside))
    if origin.format not in ("yaml", "eksctl"):
        raise CannotEdit(f"{origin.format} input is not edited in place")
    starts = files.doc_starts(origin.path)
    if origin.document >= len(starts):
        raise CannotEdit("the document is no longer where it was")
    first, last = yaml_edit.document_span(lines, starts, origin.document)
    return origin.path, first, last, ""


def _add_document(file: FileText, last: int, body: dict) -> TextEdit:
    lines = file.text.split("\n")
    text = "---\n" + yaml_edit.dump_document(body, lines)
    real = len(lines) - 1 if file.text.endswith("\n") else len(lines)
    if last < real:
        return TextEdit((last + 1, 1), (last + 1, 1), text)
    end = (real + 1, 1) if file.text.endswith("\n") or not file.text else (real, len(lines[-1]) + 1)
    return TextEdit(end, end, ("" if end[1] == 1 else "\n") + text)


def _line(files: Files, display: str, number: int) -> str:
    if display.endswith(".json"):
        raise CannotEdit(_GENERATED["json"])
    lines = files.lines(display)
    if not 1 <= number <= len(lines):
        raise CannotEdit("the line the finding points at is gone")
    return lines[number - 1]


def _replace_token(files: Files, change: ReplaceToken) -> TextEdit:
    location = change.location
    if location.template:
        raise CannotEdit(f"{_GENERATED['helm-output']} ({location.template})")
    line = _line(files, location.path, location.line)
    pattern = re.compile(r"(?<![\w.-])" + re.escape(change.old) + r"(?![\w.-])", re.IGNORECASE)
    start = max(0, location.column - 1)
    if change.follows:
        key = line.find(change.follows, start)
        if key < 0:
            raise CannotEdit(f"{change.follows} is not written on line {location.line}")
        start = key + len(change.follows)
    match = pattern.search(line, start)
    if match is None:
        raise CannotEdit(f"the value on line {location.line} is not a literal {change.old} "
                         f"(a variable or expression): change it where it is set")
    old = match.group(0)
    new = change.new.lower() if old.islower() else change.new.upper() if old.isupper() else change.new
    return TextEdit((location.line, match.start() + 1), (location.line, match.end() + 1), new)


def _insert_line(files: Files, change: InsertLine) -> TextEdit:
    location = change.location
    line = _line(files, location.path, location.line)
    code = line.split("#", 1)[0].split("//", 1)[0].rstrip()
    if code.endswith("{}"):  # `coredns = {}`: the attribute goes between the braces
        at = len(code) - 1
        return TextEdit((location.line, at), (location.line, at + 2), "{ " + change.text + " }")
    if not code.endswith("{"):
        raise CannotEdit(f"the block on line {location.line} does not open there with '{{' alone")
    lines = files.lines(location.path)
    own = line[: len(line) - len(line.lstrip())]
    indent = own + "  "
    following = next((ln for ln in lines[location.line:] if ln.strip()), "")
    if following.strip() != "}" and len(following) - len(following.lstrip()) > len(own):
        indent = following[: len(following) - len(following.lstrip())]
    return TextEdit((location.line + 1, 1), (location.line + 1, 1), indent + change.text + "\n")


def _edit_text(files: Files, change: EditText) -> TextEdit:
    line = _line(files, change.path, change.line)
    before, after = line[: change.start - 1], line[change.end - 1:]
    if change.text:
        new = before + change.text + after
    elif not before.strip():  # a removal at the start of the line: keep its indentation
        new = before + after.lstrip()
    elif not after.strip():
        new = before.rstrip()
    else:  # between two things: one blank between them, not a run of blanks
        new = before.rstrip() + " " + after.lstrip()
    if not new.strip():  # nothing left on the line: the line goes
        return TextEdit((change.line, 1), (change.line + 1, 1), "")
    return TextEdit((change.line, 1), (change.line, len(line) + 1), new)
