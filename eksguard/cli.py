"""The ``eksguard`` command: ``scan``, ``rules``, ``explain`` and ``dev`` helpers.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it;
2 usage, configuration or environment error (always a single line on stderr).
Imports are lazy so that a pre-commit run on one file pays only for what it uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from eksguard import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(plugins=None) -> argparse.ArgumentParser:
    parser = _Parser(prog="eksguard", description="Static analysis for EKS platforms.")
    parser.add_argument("--version", action="version", version=f"eksguard {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan files, folders or - (stdin)")
    scan.add_argument("paths", nargs="*", default=["."], help="files, folders or - for stdin (default: .)")
    from eksguard.outputs import add_report_options

    add_report_options(scan)  # repeatable --format X --output FILE pairs
    scan.add_argument("--changed-files", action="store_true",
                      help="PATHS are changed files (pre-commit): scan the whole project, report only findings "
                           "in or related to them")
    scan.add_argument("--project-root", metavar="DIR",
                      help="with --changed-files: the project to scan (default: the git top-level, else .)")
    scan.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour text output (auto: on a terminal, unless NO_COLOR is set)")
    scan.add_argument("--verbose", "-v", action="store_true", help="say what was skipped and how long each phase took")
    scan.add_argument("--quiet", "-q", action="count", default=0,
                      help="text report without the summary, nothing on stderr but errors; -qq: no report on "
                           "standard output at all, only the exit code (--output files are still written)")
    scan.add_argument("--statistics", action="store_true",
                      help="text report: one line per rule (count, code, severity, name) instead of each finding")
    scan.add_argument("--diff-base", metavar="REF",
                      help="report only findings on lines changed since git REF (its merge base with HEAD), "
                           "and compare with REF (EKS504); docs/diff-base.md")
    scan.add_argument("--helm-values", metavar="FILE", action="append", default=[],
                      help="values file for every Helm chart scanned (repeatable, later wins)")
    scan.add_argument("--helm-set", metavar="KEY=VALUE", action="append", default=[],
                      help="set a Helm value for every chart scanned, as helm --set (repeatable)")
    scan.add_argument("--render-timeout", metavar="SECONDS", type=float, default=None,
                      help="stop rendering a chart or kustomization after this long "
                           "(default: limits.render-timeout of the config, else 60)")
    scan.add_argument("--jobs", "-j", metavar="N", type=int, default=None,
                      help="read files in at most N processes, and with 2 or more run a big scan's rules on up to four "
                           "(default: every core; small scans use one)")
    scan.add_argument("--no-cache", action="store_true",
                      help="neither read nor write the cache of parsed files, fix edits and rules (~/.cache/eksguard)")
    add_adoption_options(scan)  # --baseline, --no-suppressions, --require-reasons
    from eksguard.fix_options import add_fix_options

    add_fix_options(scan)  # --fix, --unsafe-fixes, --diff
    from eksguard.config_options import add_config_command, add_config_options, add_fail_on

    add_config_options(scan)  # --config, --no-config, --select, --extend-select, --ignore (docs/config.md)
    add_fail_on(scan)
    if plugins is not None:
        plugins.add_options(scan)
    add_config_command(sub)

    baseline = sub.add_parser("baseline", help="record today's findings, so that scan --baseline reports only new ones")
    baseline.add_argument("paths", nargs="*", default=["."], help="files, folders or - for stdin (default: .)")
    baseline.add_argument("--output", "-o", default=".eksguard-baseline.json", metavar="FILE",
                          help="where to write it (default: .eksguard-baseline.json)")
    for option in scan._actions:  # the same inputs as scan: Helm values, config, suppressions
        if option.dest in ("helm_values", "helm_set", "render_timeout", "verbose", "no_suppressions", "jobs",
                           "no_cache"):
            baseline._add_action(option)
    add_config_options(baseline)
    if plugins is not None:
        plugins.add_options(baseline)

    sub.add_parser("rules", help="list every rule: code, name, severity, fix (safe|unsafe|-), title")

    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", help="code (EKS601) or name (alb-ingress-without-group)")

    max_pods = sub.add_parser("max-pods", help="the VPC CNI max pods of instance types, with the arithmetic")
    max_pods.add_argument("instance_types", nargs="+", metavar="INSTANCE_TYPE", help="e.g. m5.large")
    max_pods.add_argument("--prefix-delegation", action="store_true", help="ENABLE_PREFIX_DELEGATION=true")
    max_pods.add_argument("--custom-networking", action="store_true",
                          help="AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true (the primary ENI carries no pods)")
    max_pods.add_argument("--max-eni", type=int, metavar="N", help="MAX_ENI: use at most N ENIs")
    max_pods.add_argument("--format", "-f", choices=("text", "json"), default="text")

    dev = sub.add_parser("dev", help="maintainer commands")
    dev_sub = dev.add_subparsers(dest="dev_command", parser_class=_Parser)
    gen = dev_sub.add_parser("gen-docs", help="regenerate docs/rules.md and docs/rules/*.md")
    gen.add_argument("--docs-dir", default="docs")
    return parser


#: Under :func:`run` (the installed command, which ends with ``os._exit``): what a
#: command keeps alive to the end (:func:`keep_to_exit`). None when :func:`main` is
#: called by tests or embedders: their results are freed as usual.
_KEPT_TO_EXIT: list | None = None


def keep_to_exit(result) -> None:
    """Keep a scan's result alive until the installed command ends. Without it, the
    command's return freed the model, object by object, just before the process ended
    anyway (~60 ms after a cold 5,000-file scan, bench/)."""
    if _KEPT_TO_EXIT is not None:
        _KEPT_TO_EXIT.append(result)


def run() -> None:
    """The ``eksguard`` command: :func:`main`, then exit without tearing the process down.

    After a scan the process holds the platform model, one object per key and position
    of every file; freeing it object by object, then the interpreter's own
    finalisation, took ~0.1 s after a 5,000-file scan (bench/) for nothing the user
    sees. Reports are written and closed by then, and eksguard registers no ``atexit``
    work (its process pool is shut down before the scan returns), so once the standard
    streams are flushed the process can just end, as mypy ends its runs. :func:`main`
    returns normally, for tests and for callers that embed eksguard."""
    global _KEPT_TO_EXIT
    _KEPT_TO_EXIT = []
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `eksguard scan | head`: the reader left
        pass
    except OSError:
        code = code or EXIT_USAGE
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = argv[:argv.index("--")] if "--" in argv else argv
    if "--no-cache" in flags:
        os.environ["EKSGUARD_NO_CACHE"] = "1"  # before plugins load: their entry points are cached too
    from eksguard.plugins import get_plugins

    try:
        plugins = get_plugins()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is an environment error
        print(f"eksguard: error: cannot load plugins: {exc}", file=sys.stderr)
        return EXIT_USAGE
    parser = build_parser(plugins)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if getattr(args, "no_cache", False):
        os.environ["EKSGUARD_NO_CACHE"] = "1"  # the parse cache, and the rule cache read while configuring
    from eksguard.discover import UsageError
    from eksguard.engine.rules import RuleError

    try:
        if args.command in ("scan", "config", "baseline", "rules", "explain"):
            from eksguard.config import cmd_config, configure

            args, plugins = configure(args, argv, plugins, build_parser)  # sets args.effective_config, fail_on
            if args.command == "config":
                return cmd_config(args, plugins)
        if args.command == "scan":
            return cmd_scan(args, plugins)
        if args.command == "baseline":
            return cmd_baseline(args, plugins)
        if args.command == "rules":
            return cmd_rules(plugins)
        if args.command == "explain":
            return cmd_explain(args, plugins)
        if args.command == "max-pods":
            return cmd_max_pods(args)
        if args.command == "dev" and args.dev_command == "gen-docs":
            return cmd_gen_docs(args, plugins)
        parser.parse_args([args.command, "--help"])
        return EXIT_USAGE
    except (UsageError, RuleError) as exc:
        print(f"eksguard: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `eksguard scan | head`: the reader left, nothing to report
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLEAN


def cmd_scan(args: argparse.Namespace, plugins) -> int:
    from eksguard.discover import UsageError
    from eksguard.engine.runner import scan
    from eksguard.findings import Severity
    from eksguard.formatters import Report
    from eksguard.outputs import check_formats, report_specs, write_reports

    formatters = plugins.formatters()
    specs = report_specs(args)
    check_formats(specs, formatters)
    cwd = Path.cwd()
    changed = None
    if args.changed_files:
        from eksguard.changed import changed_scope

        changed = changed_scope(args.paths, cwd, args.project_root)
    elif args.project_root is not None:
        raise UsageError("--project-root goes with --changed-files")
    paths = changed.scan_paths if changed is not None else args.paths
    from eksguard.progress import Progress

    progress = Progress() if sys.stderr.isatty() and not args.quiet else None  # long scans, terminal only
    options = scan_options(args, cwd)

    def scan_once():
        result = scan(paths, plugins, cwd=cwd, options=options, config=args.effective_config,
                      diff_base=args.diff_base, progress=progress)
        if changed is not None:  # pre-commit: report (and fix) only what touches the changed files
            result.findings = changed.filter(result.findings, cwd)
            result.suppressed = changed.filter(result.suppressed, cwd)
        return result

    try:
        from eksguard.fix_options import check_fix_options

        check_fix_options(args)
        if args.fix or args.diff:
            from eksguard.fix_options import run_fixes

            result, status = run_fixes(args, scan_once, cwd)
            if status is not None:
                return status
        else:
            result = scan_once()
    finally:
        if progress is not None:
            progress.close()
    keep_to_exit(result)
    if result.diff is not None and not args.quiet:
        for note in result.diff.notes:  # e.g. no merge base in a shallow clone
            print(f"eksguard: note: {note}", file=sys.stderr)
    if result.baseline is not None and not args.quiet:
        from eksguard.engine.baseline import summary

        print(f"eksguard: {summary(result)}", file=sys.stderr)
    if args.verbose:
        for path, why in result.skipped:
            print(f"eksguard: skipped {path}: {why}", file=sys.stderr)
        phases = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.timings.items())
        print(f"eksguard: {result.files_scanned} files; {phases}", file=sys.stderr)

    def make_report(stream, to_stdout: bool) -> Report:
        color = args.color == "always" or (
            args.color == "auto" and to_stdout and stream.isatty() and not os.environ.get("NO_COLOR")
        )
        return Report(result=result, version=__version__, cwd=cwd, color=color,
                      verbose=args.verbose, quiet=args.quiet, statistics=args.statistics)

    if args.quiet >= 2:  # -qq: only the exit code (and the files asked for)
        specs = [spec for spec in specs if not spec.to_stdout]
    from eksguard.engine.parallel import collector_paused

    # Reports only allocate (a SARIF log of 4,000 results is ~120,000 objects), and a
    # full collection would walk the whole model too: 0.1-0.3 s per report on bench/.
    with collector_paused():
        if any(spec.format in ("json", "sarif") for spec in specs) and any(f.fix for f in result.findings):
            from eksguard.engine.fix import attach_edits

            attach_edits(result.findings, cwd, args.jobs)  # SARIF `fixes`, JSON `fix.edits`
        write_reports(specs, formatters, result.findings, make_report)
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in result.findings) else EXIT_CLEAN


def scan_options(args: argparse.Namespace, cwd: Path) -> dict:
    """The scan options adapters read (``Sink.options``), checked and made absolute."""
    from eksguard.discover import UsageError

    values = []
    if args.helm_values or args.helm_set:  # the check's module only when there is something to check
        from eksguard.adapters.helm_values import check_set_expression, check_values_file
    for name in args.helm_values:
        path = (cwd / name).resolve()
        if not path.is_file():
            raise UsageError(f"--helm-values {name}: no such file")
        problem = check_values_file(path)
        if problem:
            raise UsageError(f"--helm-values {name}: {problem}")
        values.append(str(path))
    for expression in args.helm_set:
        problem = check_set_expression(expression)
        if problem:
            raise UsageError(f"--helm-set {expression}: {problem}")
    if args.render_timeout is not None and not args.render_timeout > 0:
        raise UsageError("--render-timeout must be a positive number of seconds")
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    config = getattr(args, "effective_config", None)
    limits = {"limits": config.limits} if config is not None else {}  # eksguard/limits.py
    return {"helm_values": values, "helm_set": list(args.helm_set), "render_timeout": args.render_timeout, **limits,
            "jobs": jobs, "cache": not getattr(args, "no_cache", False), **adoption_options(args, cwd)}


def add_adoption_options(scan: argparse.ArgumentParser) -> None:
    """Suppressions and baselines (docs/suppression.md, engine/suppress.py, engine/baseline.py)."""
    scan.add_argument("--baseline", metavar="FILE",
                      help="report only findings not recorded in FILE (made by 'eksguard baseline')")
    scan.add_argument("--no-suppressions", action="store_true",
                      help="audit: ignore every eksguard: comment and eksguard.io/ignore annotation")
    scan.add_argument("--require-reasons", action="store_true",
                      help="apply only suppressions that give a reason; report the others (EKS003)")


def adoption_options(args: argparse.Namespace, cwd: Path) -> dict:
    """The engine options of suppressions and baselines (``Sink.options``)."""
    options = {"suppressions": not getattr(args, "no_suppressions", False),
               "require_reasons": getattr(args, "require_reasons", False)}
    if getattr(args, "baseline", None):
        from eksguard.engine.baseline import Baseline

        options["baseline"] = Baseline.load(args.baseline, cwd)
    return options


def cmd_baseline(args: argparse.Namespace, plugins) -> int:
    from eksguard.engine import baseline
    from eksguard.engine.runner import scan

    cwd = Path.cwd()
    result = scan(args.paths, plugins, cwd=cwd, options=scan_options(args, cwd),
                  config=getattr(args, "effective_config", None))
    keep_to_exit(result)
    count = baseline.write(result.findings, Path(args.output), cwd)
    print(f"eksguard: recorded {count} finding{'s' if count != 1 else ''} in {args.output}", file=sys.stderr)
    return EXIT_CLEAN


def cmd_rules(plugins) -> int:
    from eksguard.engine.runner import active_rules

    rules = active_rules(plugins)
    width = max((len(r.name) for r in rules), default=10)
    for rule in rules:
        flag = "" if rule.default else " (off by default)"
        fix = rule.fix_applicability if rule.fix_applicability in ("safe", "unsafe") else "-"
        print(f"{rule.code}  {rule.name:<{width}}  {str(rule.severity):<7}  {fix:<6}  {rule.title}{flag}")
    return EXIT_CLEAN


def cmd_explain(args: argparse.Namespace, plugins) -> int:
    from eksguard.discover import UsageError
    from eksguard.docs import rule_markdown
    from eksguard.engine.rules import find_rule
    from eksguard.engine.runner import active_rules

    rule = find_rule(active_rules(plugins), args.rule)
    if rule is None:
        raise UsageError(f"no rule {args.rule!r} (see 'eksguard rules')")
    sys.stdout.write(rule_markdown(rule))
    return EXIT_CLEAN


def cmd_max_pods(args: argparse.Namespace) -> int:
    from eksguard.discover import UsageError
    from eksguard.maxpods import UnknownInstanceType, run

    if args.max_eni is not None and args.max_eni < 1:
        raise UsageError("--max-eni must be 1 or more")
    try:
        run(args.instance_types, args.prefix_delegation, args.custom_networking, args.max_eni, args.format)
    except UnknownInstanceType as exc:
        raise UsageError(str(exc)) from None
    return EXIT_CLEAN


def cmd_gen_docs(args: argparse.Namespace, plugins) -> int:
    from eksguard.docs import write_docs
    from eksguard.engine.runner import active_rules

    written = write_docs(active_rules(plugins), Path(args.docs_dir))
    for path in written:
        print(f"wrote {path}")
    return EXIT_CLEAN
