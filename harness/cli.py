"""`kata` — grade, verify and benchmark katas.

kata run <slug> [--solution | --mutant ID | --program DIR] [--endpoint URL] [--engine E]
kata grade <slug> --submission DIR
kata list
kata verify [slug ...]
kata bench [slug ...] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PASSED, HarnessError
from harness.kata import available_katas, load_kata


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from harness import report
    from harness.context import RunOptions
    from harness.runner import run_kata

    kata = load_kata(args.slug)
    variant = "starter"
    if args.solution:
        variant = "solution"
    elif args.mutant:
        variant = f"mutant:{args.mutant}"
    elif args.program:
        variant = f"program:{Path(args.program).resolve()}"
    options = RunOptions(
        variant=variant,
        engine=args.engine,
        endpoint=args.endpoint,
        allow_remote_endpoint=args.allow_remote_endpoint,
        out_dir=Path(args.out).resolve() if args.out else None,
        policy=not args.no_policy,
        sandbox=args.sandbox,
    )
    console.print(f"[bold]{kata.title}[/] ({kata.slug}, {variant}, engine {args.engine})")
    result = run_kata(kata, options, on_stage=lambda t: report.stage_line(console, t))
    report.write_all(result)
    if args.show_output and result.program_output.strip():
        console.rule("program output")
        console.print(result.program_output.rstrip(), markup=False)
    if result.error is not None and not result.results:
        # Nothing was graded (e.g. an unknown mutant): the cause is the whole story.
        console.print(f"[red]error[/] {escape(str(result.error))}")
        return result.exit_code
    report.print_summary(console, result)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return result.exit_code


def cmd_grade(args: argparse.Namespace, console: Console) -> int:
    from harness import report
    from harness.context import RunOptions
    from harness.grade import grade

    kata = load_kata(args.slug)
    options = RunOptions(
        engine=args.engine,
        endpoint=args.endpoint,
        allow_remote_endpoint=args.allow_remote_endpoint,
        out_dir=Path(args.out).resolve() if args.out else None,
        policy=not args.no_policy,
        sandbox=args.sandbox,
    )
    console.print(f"[bold]{kata.title}[/] ({kata.slug}, submission {escape(args.submission)})")
    result = grade(
        kata, Path(args.submission), options, on_stage=lambda t: report.stage_line(console, t)
    )
    report.write_all(result)
    if args.show_output and result.program_output.strip():
        console.rule("program output")
        console.print(result.program_output.rstrip(), markup=False)
    ignored = (result.submission or {}).get("ignored", [])
    if ignored:
        console.print(
            f"[yellow]ignored[/] {len(ignored)} changed files outside the kata's candidate "
            f"files {kata.candidate_files}: "
            + ", ".join(f"{c['path']} ({c['change']})" for c in ignored[:10])
            + (" …" if len(ignored) > 10 else "")
        )
    if result.error is not None and not result.results:
        # Nothing was graded (e.g. an unknown mutant): the cause is the whole story.
        console.print(f"[red]error[/] {escape(str(result.error))}")
        return result.exit_code
    report.print_summary(console, result)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return result.exit_code


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    table = Table("kata", "title", "difficulty", "timebox", "requirements", "mutants")
    for slug in available_katas():
        kata = load_kata(slug)
        table.add_row(
            slug,
            kata.title,
            kata.difficulty,
            f"{kata.timebox_minutes} min",
            str(len(kata.requirements)),
            str(len(kata.mutants)),
        )
    console.print(table)
    return EXIT_PASSED


def cmd_verify(args: argparse.Namespace, console: Console) -> int:
    from harness.emulator import start_embedded
    from harness.verify import verify_kata

    slugs = args.slugs or available_katas()
    all_ok = True
    with start_embedded() as emulator:
        for slug in slugs:
            kata = load_kata(slug)
            table = Table("variant", "expected", "verdict", "observed", title=f"verify {slug}")
            for v in verify_kata(kata, emulator):
                all_ok &= v.ok
                table.add_row(
                    v.variant,
                    v.expected,
                    "[green]ok[/]" if v.ok else "[red]WRONG[/]",
                    escape(v.detail),
                )
            console.print(table)
    console.print("[green]all katas verified[/]" if all_ok else "[red]verification failed[/]")
    return EXIT_PASSED if all_ok else EXIT_FAILED


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from harness.bench import STAGES, bench_grade, bench_kata

    if args.grade:
        slug = (args.slugs or ["least-privilege-iam"])[0]
        console.print(f"grading {args.grade} submissions of {slug} in parallel …")
        numbers = bench_grade(load_kata(slug), n=args.grade, workers=args.workers)
        table = Table(
            "kata",
            "submissions",
            "workers",
            "cores",
            "wall (s)",
            "per minute",
            "median grade (s)",
            "as expected",
            "sandboxed",
            title="grading throughput",
        )
        table.add_row(
            *(
                str(numbers[k])
                for k in (
                    "kata",
                    "submissions",
                    "workers",
                    "cores",
                    "wall_s",
                    "per_minute",
                    "median_grade_s",
                    "as_expected",
                    "sandboxed",
                )
            )
        )
        console.print(table)
        medians = numbers["stage_medians_s"]
        console.print("stage medians (s): " + ", ".join(f"{k} {v}" for k, v in medians.items()))
        for line in numbers["unexpected"]:
            console.print(f"[red]unexpected[/] {escape(line)}")
        ok = numbers["as_expected"] == numbers["submissions"]
        return EXIT_PASSED if ok else EXIT_FAILED
    slugs = args.slugs or available_katas()
    table = Table("kata", *STAGES, "total", title=f"median of {args.runs} runs (s)")
    for slug in slugs:
        medians = bench_kata(load_kata(slug), runs=args.runs)
        table.add_row(slug, *(f"{medians.get(s, 0):.2f}" for s in (*STAGES, "total")))
    console.print(table)
    return EXIT_PASSED


def _add_sandbox_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        choices=("auto", "require", "off"),
        default="auto",
        help="run the program (and emulator) in Linux namespaces: where available (auto), "
        "or fail without them (require), or never (off)",
    )


def _add_grading_options(parser: argparse.ArgumentParser) -> None:
    """What `run` and `grade` share: where it deploys, what it reports, how it isolates."""
    parser.add_argument("--engine", choices=("local", "pulumi"), default="local")
    parser.add_argument("--endpoint", metavar="URL", help="use an emulator already running there")
    parser.add_argument(
        "--allow-remote-endpoint",
        action="store_true",
        help="permit a non-loopback --endpoint (never the default)",
    )
    parser.add_argument("--out", metavar="DIR", help="where results.json, junit.xml … go")
    parser.add_argument("--no-policy", action="store_true", help="skip the checkov stage")
    parser.add_argument("--show-output", action="store_true", help="print what the program printed")
    _add_sandbox_option(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kata", description="Grade IaC katas.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="grade a kata (your program, or --solution / --mutant)")
    run.add_argument("slug")
    which = run.add_mutually_exclusive_group()
    which.add_argument("--solution", action="store_true", help="grade the reference solution")
    which.add_argument("--mutant", metavar="ID", help="grade a known-bad variant")
    which.add_argument("--program", metavar="DIR", help="take the candidate files from DIR")
    _add_grading_options(run)
    run.set_defaults(func=cmd_run)

    grade = sub.add_parser(
        "grade", help="grade a submission: only its candidate files, with this checkout's kata"
    )
    grade.add_argument("slug")
    grade.add_argument(
        "--submission",
        metavar="DIR",
        required=True,
        help="a fork checkout (DIR/katas/<slug>/…) or a directory holding the candidate files",
    )
    _add_grading_options(grade)
    grade.set_defaults(func=cmd_grade)

    sub.add_parser("list", help="list the katas").set_defaults(func=cmd_list)

    verify = sub.add_parser("verify", help="prove starter fails, solution passes, mutants caught")
    verify.add_argument("slugs", nargs="*")
    verify.set_defaults(func=cmd_verify)

    bench = sub.add_parser("bench", help="per-stage wall times of each kata's solution")
    bench.add_argument("slugs", nargs="*")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument(
        "--grade", type=int, metavar="N", help="grade N submissions in parallel; per minute"
    )
    bench.add_argument("--workers", type=int, help="parallel graders (default: one per core)")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    console = _console()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args, console)
    except HarnessError as err:
        console.print(f"[red]error[/] {escape(str(err))}")
        return err.exit_code
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
