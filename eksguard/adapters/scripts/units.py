"""Where shell code lives in each kind of file, and with which variables it runs.

- a shell script is one snippet;
- a Makefile recipe line (after a leading tab, with its ``@``/``-``/``+`` prefix
  removed and backslash continuations joined) is one snippet, run in its own shell;
  ``$(VAR)``/``${VAR}`` are expanded from the file's literal variable assignments
  first, as make does, and exported variables are in the shell's environment;
- a GitHub workflow step's ``run:`` value is one snippet, with the literal ``env:`` of
  the workflow, job and step; ``${{ env.X }}`` expands from that env and any other
  ``${{ … }}`` expression is unknown; steps run by a non-POSIX shell are skipped;
- a GitLab CI job's ``before_script`` + ``script`` items share one shell (variables
  carry over), ``after_script`` runs in another; ``variables:`` are the environment.
"""

from __future__ import annotations

import re

from eksguard.adapters.scripts.interpret import Context, Env, run
from eksguard.adapters.scripts.snippet import PLACEHOLDER, Builder, Snippet, yaml_scalar
from eksguard.findings import Location
from eksguard.model import UNKNOWN, text as scalar_text
from eksguard.yaml_loader import YamlProblem, YMap, YSeq, load_documents


def shell_script(text: str, ctx: Context) -> None:
    run(Snippet.of_text(text), {}, ctx)


# -- Makefile -----------------------------------------------------------------------------

_MAKE_ASSIGN = re.compile(
    r"^((?:(?:export|override|private)\s+)*)([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|:::=|::=|:=|\+=|!=|=)\s*(.*?)\s*$")
_MAKE_RULE = re.compile(r"^[^\s#=:][^=]*?:(?!=)")
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def makefile(text: str, ctx: Context) -> None:
    lines = text.split("\n")
    variables: dict[str, object] = {}
    exported: set[str] = set()
    export_all = False
    recipes: list[int] = []  # first line index of every recipe line
    in_define = False
    seen_rule = False
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r")
        start = index
        index += 1
        if line.startswith("\t") and seen_rule and not in_define:
            recipes.append(start)
            while _continues(line) and index < len(lines):
                line = lines[index].rstrip("\r")
                index += 1
            continue
        if _continues(line):  # a logical line joined from its continuations
            pieces = [line[:-1]]
            while index < len(lines):
                piece = lines[index].rstrip("\r").lstrip()
                index += 1
                if not _continues(piece):
                    pieces.append(piece)
                    break
                pieces.append(piece[:-1])
            line = " ".join(pieces)
        stripped = line.strip()
        if in_define:
            in_define = stripped != "endef"
            continue
        if stripped.startswith("define ") or re.match(r"^(export\s+|override\s+)*define\s", stripped):
            in_define = True
            continue
        if stripped in ("export", ".EXPORT_ALL_VARIABLES:"):
            export_all = True
            continue
        match = _MAKE_ASSIGN.match(stripped)
        if match:
            prefix, name, op, value = match.groups()
            value = re.split(r"(?<!\\)#", value, maxsplit=1)[0].rstrip()
            known: object = value if "$" not in value and op != "!=" else UNKNOWN
            if op == "?=":
                variables.setdefault(name, known)
            elif op == "+=":
                old = variables.get(name, "")
                variables[name] = (f"{old} {known}".strip() if isinstance(old, str) and isinstance(known, str)
                                   else UNKNOWN)
            else:
                variables[name] = known
            if "export" in prefix:
                exported.add(name)
            continue
        if stripped.startswith("export "):
            exported.update(stripped.split()[1:])
        elif stripped and not stripped.startswith("#") and _MAKE_RULE.match(stripped):
            seen_rule = True
    env: Env = {n: v for n, v in variables.items() if export_all or n in exported}
    for start in recipes:
        run(_make_expand(_recipe(lines, start), variables), dict(env), ctx)


def _continues(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _recipe(lines: list[str], start: int) -> Snippet:
    """One recipe line (with its continuations) as the shell receives it."""
    b = Builder()
    index, column = start, 2  # after the leading tab
    line = lines[index].rstrip("\r")[1:]
    lead = len(line) - len(line.lstrip("@-+ \t"))
    line, column = line[lead:], column + lead
    while True:
        b.add(line, index + 1, column)
        b.add("\n", index + 1, column + len(line))
        if not _continues(line) or index + 1 >= len(lines):
            break
        index += 1
        line = lines[index].rstrip("\r")
        column = 1
        if line.startswith("\t"):
            line, column = line[1:], 2
    return b.build()


def _make_expand(snippet: Snippet, variables: dict[str, object]) -> Snippet:
    """make's own expansion of a recipe: ``$$`` -> ``$``, ``$(VAR)`` -> its literal value."""
    s = snippet.text
    b = Builder()
    i = last = 0
    while True:
        j = s.find("$", i)
        if j < 0:
            break
        snippet.copy_into(b, last, j)
        nxt = s[j + 1 : j + 2]
        if nxt == "$":
            snippet.copy_into(b, j, j + 1)
            i = last = j + 2
        elif nxt in ("(", "{"):
            close = _matching(s, j + 1)
            name = s[j + 2 : close - 1] if close > 0 else ""
            value = variables.get(name, UNKNOWN) if _SIMPLE_NAME.fullmatch(name) else UNKNOWN
            b.add_at(value if isinstance(value, str) else PLACEHOLDER, *snippet.at(j))
            i = last = close if close > 0 else len(s)
        elif nxt:
            b.add_at(PLACEHOLDER, *snippet.at(j))  # $@, $<, $X: automatic or one-letter variables
            i = last = j + 2
        else:
            i = j + 1
    snippet.copy_into(b, last, len(s))
    return b.build()


def _matching(s: str, i: int) -> int:
    """Index after the bracket closing the one at ``i``; -1 when unclosed."""
    opening = s[i]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for j in range(i, len(s)):
        if s[j] == opening:
            depth += 1
        elif s[j] == closing:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


# -- CI YAML ------------------------------------------------------------------------------


def _documents(text: str, ctx: Context) -> list:
    try:
        return [d.value for d in load_documents(text)]
    except YamlProblem as problem:
        ctx.sink.problem("EKS001", Location(ctx.origin.path, problem.line, problem.column), problem.message)
        return [d.value for d in problem.documents]


def _literal_env(value: object, expands: str = "${{") -> Env:
    """Literal variables of an ``env:``/``variables:`` mapping; a value holding
    ``expands`` (GitHub: an expression; GitLab: ``$``, as GitLab expands variables) is
    unknown."""
    env: Env = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and "value" in item:  # GitLab: {value: x, description: ...}
                item = item["value"]
            as_text = scalar_text(item)
            if isinstance(key, str):
                env[key] = as_text if as_text is not None and expands not in as_text else UNKNOWN
    return env


def _posix(shell: object, windows: bool) -> bool:
    if shell is None:
        return not windows
    return isinstance(shell, str) and shell.split()[:1] in (["bash"], ["sh"])


def github_workflow(text: str, ctx: Context) -> None:
    lines = text.split("\n")
    for workflow in _documents(text, ctx):
        if not isinstance(workflow, YMap) or not isinstance(workflow.get("jobs"), dict):
            continue
        workflow_env = _literal_env(workflow.get("env"))
        workflow_shell = _default_shell(workflow)
        for job in workflow["jobs"].values():
            if not isinstance(job, YMap) or not isinstance(job.get("steps"), list):
                continue
            job_env = {**workflow_env, **_literal_env(job.get("env"))}
            shell = _default_shell(job) or workflow_shell
            runs_on = job.get("runs-on")
            windows = isinstance(runs_on, str) and "windows" in runs_on.lower()
            for step in job["steps"]:
                if not isinstance(step, YMap) or not isinstance(step.get("run"), str):
                    continue
                if not _posix(step.get("shell", shell), windows):
                    continue
                env = {**job_env, **_literal_env(step.get("env"))}
                line, column = step.value_mark("run") or step.mark
                snippet = _github_expand(yaml_scalar(lines, line, column, step["run"]), env)
                run(snippet, dict(env), ctx)


def _default_shell(node: YMap) -> object:
    defaults = node.get("defaults")
    run_defaults = defaults.get("run") if isinstance(defaults, dict) else None
    return run_defaults.get("shell") if isinstance(run_defaults, dict) else None


_EXPRESSION_ENV = re.compile(r"\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*")


def _github_expand(snippet: Snippet, env: Env) -> Snippet:
    """``${{ … }}`` is replaced before the shell runs: ``env.X`` from env, else unknown."""
    s = snippet.text
    if "${{" not in s:
        return snippet
    b = Builder()
    i = 0
    while True:
        j = s.find("${{", i)
        end = s.find("}}", j + 3) if j >= 0 else -1
        if j < 0 or end < 0:
            break
        snippet.copy_into(b, i, j)
        match = _EXPRESSION_ENV.fullmatch(s[j + 3 : end])
        value = env.get(match.group(1), UNKNOWN) if match else UNKNOWN
        b.add_at(value if isinstance(value, str) else PLACEHOLDER, *snippet.at(j))
        i = end + 2
    snippet.copy_into(b, i, len(s))
    return b.build()


_GITLAB_KEYWORDS = frozenset({"default", "include", "stages", "variables", "workflow", "image", "services",
                              "cache", "before_script", "after_script", "spec"})


def gitlab_ci(text: str, ctx: Context) -> None:
    lines = text.split("\n")
    for root in _documents(text, ctx):
        if not isinstance(root, YMap):
            continue
        global_env = _literal_env(root.get("variables"), "$")
        for key in ("before_script", "after_script"):
            _gitlab_items(root, key, lines, dict(global_env), ctx)
        default = root.get("default")
        if isinstance(default, YMap):
            for key in ("before_script", "after_script"):
                _gitlab_items(default, key, lines, dict(global_env), ctx)
        for name, job in root.items():
            if name in _GITLAB_KEYWORDS or not isinstance(job, YMap):
                continue
            env = {**global_env, **_literal_env(job.get("variables"), "$")}
            shared = dict(env)
            _gitlab_items(job, "before_script", lines, shared, ctx)
            _gitlab_items(job, "script", lines, shared, ctx)
            _gitlab_items(job, "after_script", lines, dict(env), ctx)


def _gitlab_items(node: YMap, key: str, lines: list[str], env: Env, ctx: Context) -> None:
    value = node.get(key)
    if isinstance(value, str):
        line, column = node.value_mark(key) or node.mark
        run(yaml_scalar(lines, line, column, value), env, ctx)
    elif isinstance(value, YSeq):
        for item, mark in _flatten(value):
            run(yaml_scalar(lines, mark[0], mark[1], item), env, ctx)


def _flatten(seq: YSeq, depth: int = 0):
    for item, mark in zip(seq, seq.item_marks()):
        if isinstance(item, str):
            yield item, mark
        elif isinstance(item, YSeq) and depth < 10:  # nested lists from anchors are flattened by GitLab
            yield from _flatten(item, depth + 1)
