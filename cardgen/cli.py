"""The `cardgen` command line. Heavy modules are imported inside each command, so that
`cardgen --help` and `cardgen parse` never load genanki or Jinja2."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cardgen import __version__
from cardgen.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    PENDING_INTERRUPTS,
    CardgenError,
    ConfigError,
    InputError,
    Interrupted,
    raise_pending_interrupt,
)

if TYPE_CHECKING:
    from cardgen.sandbox import Sandbox


def _add_build_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="sheets or folders of sheets (default: content/, or `content` in the config)",
    )
    cmd.add_argument(
        "-o", "--output", type=Path, metavar="DIR", help="output folder (default: output/)"
    )
    cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a cardgen.toml (default: ./cardgen.toml, or [tool.cardgen] in ./pyproject.toml)",
    )
    cmd.add_argument(
        "--no-check", action="store_true", help="do not compile and run the sheets' snippets"
    )
    cmd.add_argument(
        "--seed", type=int, metavar="N", help="seed for quiz selection and order (default: 0)"
    )
    cmd.add_argument("--strict", action="store_true", help="treat warnings as failures")
    cmd.add_argument(
        "--require-isolation",
        action="store_true",
        help="refuse to run snippets and claims where the sandbox (bubblewrap) is not available",
    )
    cmd.add_argument(
        "--locked",
        action="store_true",
        help="fail, writing no deck, if a ledger of note identities (cardgen-notes.lock) "
        "would change: for CI",
    )
    cmd.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="sheets built and snippets checked at once (default: 2)",
    )
    cmd.add_argument("-q", "--quiet", action="store_true", help="print only problems")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cardgen",
        description="Turn technical cheatsheets (Markdown) into Anki decks, printable quizzes, "
        "exercises and checked snippets.",
    )
    parser.add_argument("--version", action="version", version=f"cardgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = sub.add_parser(
        "build",
        help="build every output for the sheets",
        description="Parse every sheet and write decks, quizzes, exercises and output/report.json.",
    )
    _add_build_options(build)
    build.set_defaults(run=run_build)

    quiz = sub.add_parser(
        "quiz",
        help="write printable quiz versions for one sheet",
        description="Write K versions of a sheet's printable quiz (the same questions "
        "shuffled), their answer key, the self-check page and the quiz as data (.quiz.json).",
    )
    quiz.add_argument("file", type=Path, metavar="FILE")
    quiz.add_argument(
        "--versions",
        type=int,
        default=1,
        metavar="K",
        help="number of versions (default: 1)",
    )
    quiz.add_argument(
        "--versions-differ",
        action="store_true",
        help="give each version its own questions instead of shuffling the same ones",
    )
    quiz.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed for selection and order (default: 0)"
    )
    quiz.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("output/quizzes"),
        metavar="DIR",
        help="output folder (default: output/quizzes/)",
    )
    quiz.set_defaults(run=run_quiz)

    check = sub.add_parser(
        "check",
        help="compile and run the sheets' snippets on loopback",
        description="Compile and run every Rust, Python and shell snippet against a loopback peer.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="sheets or folders of sheets (default: content/)",
    )
    check.add_argument("--report", type=Path, metavar="FILE.json", help="write a JSON report")
    check.add_argument("--junit", type=Path, metavar="FILE.xml", help="write JUnit XML")
    check.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="snippets run at once (default: 2)"
    )
    check.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="how long one snippet may run (default: 10)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="run everything again, ignoring cached passes"
    )
    check.add_argument(
        "--require-isolation",
        action="store_true",
        help="refuse to run anything where the sandbox (bubblewrap) is not available",
    )
    check.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    check.set_defaults(run=run_check)

    exercise = sub.add_parser(
        "exercise",
        help="check, watch or get hints for an exercise",
        description="Work on an exercise folder from output/exercises/.",
    )
    ex_sub = exercise.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("check", "run your code against the checker's loopback peer"),
        ("watch", "check again every time a file in DIR changes"),
        ("hint", "show the next hint"),
    ):
        cmd = ex_sub.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        cmd.add_argument("dir", type=Path, metavar="DIR", nargs="?", default=Path("."))
        if action != "hint":
            cmd.add_argument(
                "--solution",
                action="store_true",
                help="check the reference solution instead of your code",
            )
            cmd.add_argument(
                "--timeout",
                type=seconds,
                default=10.0,
                metavar="SECONDS",
                help="how long your program may run (default: 10)",
            )
        cmd.set_defaults(run=run_exercise)

    explain = sub.add_parser(
        "explain",
        help="show what each block of a sheet became: its cards, or why it made none",
        description="Show, block by block, the cards a sheet makes and why a block made none. "
        "With SHEET.md:LINE, only the block at that line.",
    )
    explain.add_argument("target", metavar="SHEET[:LINE]")
    explain.add_argument("--json", action="store_true", help="print it as JSON")
    explain.set_defaults(run=run_explain)

    mdbook = sub.add_parser(
        "mdbook",
        help='the mdBook preprocessor (book.toml: command = "cardgen mdbook")',
        description="mdBook runs this as a preprocessor: it reads the book as JSON on standard "
        "input and writes it back with every chapter's quiz and deck link, after checking its "
        'snippets. See the README\'s "Use it in your book".',
    )
    mdbook.add_argument("protocol", nargs="*", metavar="supports RENDERER")
    mdbook.set_defaults(run=run_mdbook)

    parse = sub.add_parser(
        "parse",
        help="show the model parsed from one sheet",
        description="Show what cardgen reads in a sheet, with line numbers.",
    )
    parse.add_argument("file", type=Path, metavar="FILE")
    parse.add_argument("--json", action="store_true", help="print the model as JSON")
    parse.set_defaults(run=run_parse)
    return parser


def run_parse(args: argparse.Namespace) -> int:
    from cardgen.describe import describe_sheet
    from cardgen.model import model_json
    from cardgen.parse import parse_file

    sheet = parse_file(args.file)
    sys.stdout.write(model_json(sheet) if args.json else describe_sheet(sheet))
    if args.json:
        for warning in sheet.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def run_mdbook(args: argparse.Namespace) -> int:
    import signal

    from cardgen.integrations import mdbook

    signal.signal(signal.SIGTERM, _raise_interrupted)  # its checks' sandboxes stop with it
    if not args.protocol and sys.stdin.isatty():  # run by hand: mdBook sends the book on stdin
        return mdbook.main(["--help"], sys.stdin.buffer, sys.stdout.buffer, sys.stderr)
    return mdbook.main(args.protocol, sys.stdin.buffer, sys.stdout.buffer, sys.stderr)


def split_target(target: str) -> tuple[Path, int | None]:
    """`sheet.md:42` → (sheet.md, 42); a path that exists as given keeps its colons."""
    path, _, line = target.rpartition(":")
    if path and line.isdigit() and not Path(target).exists():
        return Path(path), int(line)
    return Path(target), None


def run_explain(args: argparse.Namespace) -> int:
    import json

    from cardgen.explain import explain, format_text
    from cardgen.parse import parse_file
    from cardgen.questions import build_bank

    path, line = split_target(args.target)
    sheet = parse_file(path)
    if line is not None:
        count = path.read_bytes().count(b"\n") + 1
        if not 1 <= line <= count:
            print(f"{path}:{line}: the sheet has {count} lines", file=sys.stderr)
            return EXIT_FAILED
    bank, _ = build_bank(sheet)
    ex = explain(sheet, bank)
    if args.json:
        sys.stdout.write(json.dumps(ex.to_json(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(format_text(ex, line, color))
    if line is not None and not any(v.outcome.source.line <= line <= v.end_line for v in ex.blocks):
        print(f"{path}:{line}: no block of the sheet is at this line", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def run_quiz(args: argparse.Namespace) -> int:
    from cardgen.files import cannot_write
    from cardgen.parse import parse_file
    from cardgen.questions import build_bank
    from cardgen.quiz import make_quiz
    from cardgen.render.html import data_uri_images, images_from
    from cardgen.render.quiz_html import quiz_pages

    if not 1 <= args.versions <= 50:
        print("error: --versions takes a number from 1 to 50", file=sys.stderr)
        return EXIT_USAGE
    sheet = parse_file(args.file)
    bank, _ = build_bank(sheet)
    quiz = make_quiz(
        bank, sheet, seed=args.seed, versions=args.versions, versions_differ=args.versions_differ
    )
    with images_from(data_uri_images(sheet.path)):
        files = quiz_pages(quiz, sheet.name)
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file of that name, a read-only place
        raise cannot_write(args.output, exc) from None
    for name, data in files.items():
        write_output(args.output / name, data)
        print(args.output / name)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from cardgen.check import report
    from cardgen.check.runner import CheckOptions, check_sheets
    from cardgen.config import load_config
    from cardgen.files import find_sheets
    from cardgen.parse import parse_file
    from cardgen.sandbox import Limits, Sandbox

    if args.jobs < 1:
        print("error: --jobs takes a number of 1 or more", file=sys.stderr)
        return EXIT_USAGE
    config = load_config()
    _cache_warnings()
    required = args.require_isolation or config.require_isolation
    sandbox = Sandbox(Limits.from_config(config), required)
    _say_isolation(sandbox)
    sheets = []
    broken = 0
    for path in find_sheets(args.paths or [Path("content")]):
        try:
            sheets.append(parse_file(path))
        except CardgenError as exc:
            if exc.exit_code == EXIT_USAGE:
                raise
            print(f"error: {exc}", file=sys.stderr)
            broken += 1

    def show(result) -> None:
        if result.failed or not args.quiet:
            print(result.line_text(), file=sys.stderr if result.failed else sys.stdout)

    options = CheckOptions(
        jobs=args.jobs, timeout=args.timeout, use_cache=not args.no_cache, sandbox=sandbox
    )
    results = check_sheets(sheets, options, progress=show)
    if args.report:
        write_output(args.report, report.to_json(results, sandbox.description))
    if args.junit:
        write_output(args.junit, report.to_junit(results, sandbox.description))
    print(f"checks: {report.summary(results)}")
    return EXIT_FAILED if broken or any(r.failed for r in results) else EXIT_OK


def run_exercise(args: argparse.Namespace) -> int:
    from cardgen.exercises.judge import check_exercise, load, next_hint

    _cache_warnings()
    if args.action == "hint":
        print(next_hint(args.dir))
        return EXIT_OK
    load(args.dir)
    if args.action == "check":
        outcome = check_exercise(args.dir, solution=args.solution, timeout=args.timeout)
        print(outcome.text())
        return EXIT_OK if outcome.passed else EXIT_FAILED
    from cardgen.exercises.watch import watch

    return watch(args.dir, args.solution, args.timeout)


def build_options(args: argparse.Namespace):
    """The config file's settings, with the command line's flags on top."""
    from cardgen.build import BuildOptions
    from cardgen.config import MAX_JOBS, config_from_table, load_config
    from cardgen.sandbox import Limits

    if args.config:
        import tomllib

        try:
            text = args.config.read_text(encoding="utf-8")
            config = config_from_table(tomllib.loads(text), str(args.config), text)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", str(args.config)) from None
        except tomllib.TOMLDecodeError as exc:
            from cardgen.config import toml_error

            raise toml_error(exc, str(args.config)) from None
    else:
        config = load_config()
    if args.jobs is not None and not 1 <= args.jobs <= MAX_JOBS:
        raise ConfigError(f"--jobs takes a number from 1 to {MAX_JOBS}")
    options = BuildOptions(
        out_dir=args.output or config.output,
        check=config.checks and not args.no_check,
        seed=config.quiz_seed if args.seed is None else args.seed,
        strict=config.strict or args.strict,
        jobs=args.jobs or config.jobs,
        deck_prefix=config.deck_prefix,
        outputs=tuple(config.outputs),
        quiz_versions=config.quiz_versions,
        quiz_versions_differ=config.quiz_versions_differ,
        quiz_questions=config.quiz_questions,
        check_timeout=config.check_timeout,
        compile_timeout=config.compile_timeout,
        require_isolation=config.require_isolation or args.require_isolation,
        limits=Limits.from_config(config).to_json(),
        locked=args.locked,
    )
    return options, (args.paths or config.content)


def write_output(path: Path, data: bytes) -> None:
    """A file the user named (`--report`, `-o`): written whole, or a `path: cannot write:
    reason` error (a folder of that name, a file where a folder should be, no such folder)."""
    from cardgen.files import cannot_write, write_atomic

    if path.is_dir():
        raise cannot_write(path, IsADirectoryError(21, "is a folder"))
    if not path.parent.is_dir():
        raise cannot_write(path, FileNotFoundError(2, f"no folder {path.parent}"))
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise cannot_write(path, exc) from None


def seconds(text: str) -> float:
    """A `--timeout`, held to the rule of `check_timeout` in cardgen.toml."""
    from cardgen.config import check_value

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if (why := check_value("check_timeout", value)) is not None:
        raise argparse.ArgumentTypeError(why)
    return value


def _raise_interrupted(signum: int, frame: object) -> None:
    PENDING_INTERRUPTS.append(signum)
    raise Interrupted(signum)


def run_build(args: argparse.Namespace) -> int:
    import signal

    from cardgen.build import build
    from cardgen.check.report import summary
    from cardgen.console import Console

    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGINT, _raise_interrupted)
    console = Console(args.quiet)
    options, paths = build_options(args)
    _cache_warnings(console.problem)
    if options.check:
        from cardgen.sandbox import Limits, Sandbox

        _say_isolation(Sandbox(Limits.from_json(options.limits), options.require_isolation))
    result = build(paths, options, progress=console.progress, notice=console.notice)
    raise_pending_interrupt()  # one Python dropped (inside a fork hook) still stops the build
    for warning in result.warnings:
        console.problem(f"warning: {warning}")
    for outcome in result.outcomes:
        for warning in outcome.warnings:
            console.problem(f"warning: {warning}")
        for check in outcome.checks:
            if check.failed:
                console.problem(check.line_text())
        if outcome.error:
            console.problem(f"error: {outcome.error}")
        else:
            made = len(outcome.outputs)
            how = "unchanged" if outcome.reused else "built"
            notes = [
                f"{len(items)} {what}"
                for what, items in (
                    ("notes carried over", outcome.carried),
                    ("new notes", outcome.new),
                    ("retired", outcome.retired),
                )
                if items and not outcome.reused
            ]
            console.info(
                f"{outcome.path}: {how} ({made} files{'; ' if notes else ''}{', '.join(notes)})"
            )
    for ledger in result.ledgers:
        if ledger["changed"]:
            console.info(f"{ledger['path']}: updated: commit it with the sheets")
        gone = Counter(g["sheet"] for g in ledger["removed"])  # type: ignore[union-attr]
        for sheet, count in sorted(gone.items()):
            console.info(f"{sheet}: no longer there: its {count} notes are retired")
    if not result.outcomes:
        console.problem("error: no sheets (*.md) found")
        return EXIT_USAGE
    checks = [c for o in result.outcomes for c in o.checks]
    console.info(
        f"{len(result.outcomes)} sheets, {len(result.failed)} failed, "
        f"{result.warning_count} warnings"
        + (f"; checks: {summary(checks)}" if options.check else "")
        + f"; see {options.out_dir / 'index.html'}"
    )
    if result.failed or result.failed_checks or (options.strict and result.warning_count):
        return EXIT_FAILED
    return EXIT_OK


def _cache_warnings(show: Callable[[str], None] | None = None) -> None:
    """Show the one warning a run gives when the cache cannot be used, and go on without."""
    from cardgen import cache

    cache.on_warning = show or (lambda message: print(message, file=sys.stderr, flush=True))
    cache.ensure_usable()


def _say_isolation(sandbox: Sandbox) -> None:
    """Say once, plainly, when snippets will run without the sandbox (or not at all)."""
    if sandbox.refusal:
        print(
            "error: isolation is required (--require-isolation), but there is none: "
            f"{sandbox.unavailable}; nothing is run",
            file=sys.stderr,
        )
    elif not sandbox.isolation.available:
        print(
            f"warning: snippets run without a sandbox ({sandbox.description}): only the "
            "address scan keeps them on loopback (use --require-isolation to refuse instead)",
            file=sys.stderr,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except CardgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", 2)
        print("terminated" if signum != 2 else "interrupted", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last guard: a bug must not show the user a traceback
        if os.environ.get("CARDGEN_DEBUG"):
            raise
        print(
            f"cardgen: internal error: {type(exc).__name__}: {exc} "
            "(set CARDGEN_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
