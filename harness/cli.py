"""`kata` — grade, verify and benchmark katas.

kata run <slug> [--solution | --mutant ID | --alternative NAME | --program DIR]
         [--endpoint URL] [--engine E]
kata grade <slug> (--submission DIR | --roster CSV) [--pack PATH]
kata export DIR [--katas a,b] [--tests public|hidden]
kata list
kata verify [slug ...] [--pack PATH]
kata lint [slug ...]
kata mutant new <slug> <id> [DIR] | kata mutant diff <slug> <id> <edited file or dir>
kata bench [slug ...] [--runs N]
kata scan DIR [--stack S] [--check IDS] [--skip-check IDS] [--kata-checks] [--sarif F] [--json F]
kata up DIR [DIR ...] [--stack S] [--backend DIR]
kata start <slug> [--timed] [--fresh] | kata watch <slug> [--no-policy]
kata hint <slug> [--all] | kata progress
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PASSED, HarnessError, UnknownKata
from harness.kata import KATAS_DIR, available_katas, load_kata
from harness.workspace import RESULTS_DIR, existing_workspace

if TYPE_CHECKING:
    from harness.context import RunOptions
    from harness.kata import Kata
    from harness.kata_format.coverage import Coverage
    from harness.verify import Verdict


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from harness import report, sanitize
    from harness.context import RunOptions
    from harness.runner import run_kata

    kata = load_kata(args.slug)
    variant = "starter"
    if args.solution:
        variant = "solution"
    elif args.mutant:
        variant = f"mutant:{args.mutant}"
    elif args.alternative:
        variant = f"alternative:{args.alternative}"
    elif args.program:
        variant = f"program:{Path(args.program).resolve()}"
    # `kata start` made a workspace: "your program" is that copy, not the repository's.
    workspace = None if args.repo_starter or variant != "starter" else existing_workspace(kata.slug)
    if workspace is not None:
        variant = f"program:{workspace}"
    out_dir = Path(args.out).resolve() if args.out else None
    if out_dir is None and workspace is not None:
        out_dir = workspace / RESULTS_DIR
    options = RunOptions(
        variant=variant,
        engine=args.engine,
        endpoint=args.endpoint,
        emulator=args.emulator,
        allow_remote_endpoint=args.allow_remote_endpoint,
        out_dir=out_dir,
        policy=not args.no_policy,
        sandbox=args.sandbox,
    )
    console.print(f"[bold]{kata.title}[/] ({kata.slug}, {variant}, engine {args.engine})")
    result = run_kata(kata, options, on_stage=lambda t: report.stage_line(console, t))
    report.write_all(result)
    if args.show_output and result.program_output.strip():
        console.rule("program output")
        # The program's own text: terminal control sequences shown, never sent.
        console.print(sanitize.visible(result.program_output.rstrip()), markup=False)
    if result.error is not None and not result.results:
        # Nothing was graded (e.g. an unknown mutant): the cause is the whole story.
        console.print(f"[red]error[/] {escape(str(result.error))}")
        return result.exit_code
    report.print_summary(console, result)
    if workspace is not None and not result.interrupted:
        from harness.commands.start import report_attempt

        report_attempt(console, kata, result)
    if result.interrupted:
        return EXIT_INTERRUPTED
    return result.exit_code


def cmd_start(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.start import clock_line, start
    from harness.workspace import load_progress

    kata = load_kata(args.slug)
    path, created = start(kata, timed=args.timed, force=args.fresh)
    kept = "" if created else " (kept your files; --fresh starts over from the starter)"
    console.print(f"[bold]{kata.title}[/]: your workspace is {escape(str(path))}{kept}")
    spec = escape(str(kata.path / "SPEC.md"))
    console.print(f"read {spec} and edit the files of your workspace, then:")
    console.print(f"  kata watch {kata.slug}   (re-grades on every save)")
    console.print(f"  kata run {kata.slug}     (one grade)   kata hint {kata.slug}   kata progress")
    clock = clock_line(load_progress()["katas"][kata.slug])
    if clock:
        console.print(f"[cyan]timed: {escape(clock)}[/]")
    return EXIT_PASSED


def cmd_watch(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.watch import watch

    kata = load_kata(args.slug)
    workspace = existing_workspace(kata.slug)
    if workspace is None:
        raise HarnessError(
            f"no workspace for {kata.slug} yet", f"make one first: kata start {kata.slug}"
        )
    console.print(f"[bold]{kata.title}[/]: watching {escape(str(workspace))}")
    return watch(kata, workspace, console, policy=not args.no_policy)


def cmd_hint(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.hint import format_hint, kata_hints, next_hint

    kata = load_kata(args.slug)
    if args.all:
        hints = kata_hints(kata)
        for i, hint in enumerate(hints, 1):
            console.print(format_hint(i, len(hints), hint) + "\n", markup=False)
        return EXIT_PASSED
    number, total, hint = next_hint(kata)
    console.print(format_hint(number, total, hint), markup=False)
    if number == total:
        console.print("(that was the last hint)")
    return EXIT_PASSED


def cmd_progress(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.progress import statuses, suggest_next

    katas = [load_kata(s) for s in available_katas()]
    found = statuses(katas)
    table = Table("kata", "status", "details")
    for status in found:
        colour = {"solved": "green", "in progress": "yellow"}.get(status.state, "dim")
        table.add_row(status.slug, f"[{colour}]{status.state}[/]", escape(status.detail))
    console.print(table)
    solved = sum(s.state == "solved" for s in found)
    console.print(f"{solved} of {len(found)} katas solved")
    upcoming = suggest_next(katas, found)
    if upcoming is not None:
        verb = "kata watch" if existing_workspace(upcoming.slug) else "kata start"
        console.print(f"next: {upcoming.slug} — {upcoming.title} ({verb} {upcoming.slug})")
    return EXIT_PASSED


def cmd_grade(args: argparse.Namespace, console: Console) -> int:
    from harness.context import RunOptions

    options = RunOptions(
        engine=args.engine,
        endpoint=args.endpoint,
        emulator=args.emulator,
        allow_remote_endpoint=args.allow_remote_endpoint,
        out_dir=Path(args.out).resolve() if args.out else None,
        policy=not args.no_policy,
        sandbox=args.sandbox,
    )
    if args.pack:
        from harness.commands.pack import open_pack

        with open_pack(args.pack) as pack:
            kata = pack.kata(args.slug)
            console.print(f"kata {kata.slug} from the pack {escape(args.pack)}")
            return _grade(args, console, kata, options, pack.root)
    return _grade(args, console, load_kata(args.slug), options, None)


def _grade(
    args: argparse.Namespace,
    console: Console,
    kata: Kata,
    options: RunOptions,
    trusted_root: Path | None,
) -> int:
    from harness import report, sanitize
    from harness.grade import grade
    from harness.kata import REPO_ROOT

    if args.roster:
        from harness.commands.roster import grade_roster

        return grade_roster(kata, Path(args.roster), options, trusted_root, console, args)
    console.print(f"[bold]{kata.title}[/] ({kata.slug}, submission {escape(args.submission)})")
    result = grade(
        kata,
        Path(args.submission),
        options,
        trusted_root=trusted_root or REPO_ROOT,
        on_stage=lambda t: report.stage_line(console, t),
    )
    report.write_all(result)
    if args.show_output and result.program_output.strip():
        console.rule("program output")
        # The program's own text: terminal control sequences shown, never sent.
        console.print(sanitize.visible(result.program_output.rstrip()), markup=False)
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


def cmd_export(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.export import export

    katas = [k.strip() for k in (args.katas or "").split(",") if k.strip()] or None
    done = export(Path(args.dir), katas, args.tests)
    console.print(
        f"wrote a candidate repository to {done.dest}: {', '.join(done.katas)} "
        f"(behavioral checks {args.tests}); no solution, alternative or mutant"
    )
    return EXIT_PASSED


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
    if args.pack:
        from harness.commands.pack import open_pack

        with open_pack(args.pack) as pack:
            console.print(f"verifying the pack {escape(args.pack)}")
            return _verify(args, console, pack.slugs(), pack.kata)
    return _verify(args, console, available_katas(), load_kata)


def _verify(
    args: argparse.Namespace,
    console: Console,
    known: list[str],
    kata_of: Callable[[str], Kata],
) -> int:
    import time

    from harness.emulator import start_embedded
    from harness.verify import verify_kata

    started = time.perf_counter()
    slugs = args.slugs or known
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise UnknownKata(f"unknown kata {unknown[0]!r}", f"available katas: {', '.join(known)}")
    all_ok = True
    if args.emulator == "localstack":
        from harness.emulator import localstack

        emulator_cm = localstack.start()
    else:
        emulator_cm = start_embedded()
    with emulator_cm as emulator:
        for slug in slugs:
            kata = kata_of(slug)
            table = Table("variant", "expected", "verdict", "observed", "s", title=f"verify {slug}")
            checked = verify_kata(kata, emulator, on_verdict=lambda v: _progress(console, v))
            for v in checked.verdicts:
                table.add_row(
                    v.variant,
                    v.expected,
                    "[green]ok[/]" if v.ok else "[red]WRONG[/]",
                    escape(v.detail),
                    f"{v.seconds:.0f}",
                )
            console.print(table)
            _print_coverage(console, checked.coverage)
            console.print(f"{slug}: {len(checked.verdicts)} runs in {checked.seconds:.0f} s")
            all_ok &= checked.ok
    console.print(f"total {time.perf_counter() - started:.0f} s")
    console.print("[green]all katas verified[/]" if all_ok else "[red]verification failed[/]")
    return EXIT_PASSED if all_ok else EXIT_FAILED


def _progress(console: Console, verdict: Verdict) -> None:
    # A kata's runs take minutes; a line per run shows it is moving and where it failed.
    status = "[green]ok[/]" if verdict.ok else "[red]WRONG[/]"
    console.print(f"  {verdict.variant}: {status} ({verdict.seconds:.0f} s)")


def _print_coverage(console: Console, coverage: Coverage) -> None:
    """requirement -> clause -> the mutants that break it, then what is missing."""
    console.print("clause coverage (requirement → clause → mutants)")
    for row in coverage.rows:
        if row.clause is None:
            console.print(f"  {row.requirement}  [yellow]clauses not declared[/]")
            continue
        caught_by = ", ".join(row.mutants) if row.mutants else "[red]no mutant[/]"
        console.print(f"  {row.requirement}.{row.clause}  → {caught_by}")
    for problem in coverage.problems:
        console.print(f"  [red]coverage[/] {escape(problem)}")


def cmd_lint(args: argparse.Namespace, console: Console) -> int:
    from harness.kata_format.lint import lint_katas

    slugs = args.slugs or available_katas()
    unknown = [slug for slug in slugs if not (KATAS_DIR / slug).is_dir()]
    if unknown:
        raise UnknownKata(
            f"unknown kata {unknown[0]!r}", f"available katas: {', '.join(available_katas())}"
        )
    problems = lint_katas(slugs, KATAS_DIR)
    for line in problems:
        print(line)  # plain lines, one per problem, for editors and CI annotations
    if not problems:
        console.print(f"[green]{len(slugs)} katas well-formed[/]")
    return EXIT_FAILED if problems else EXIT_PASSED


def cmd_mutant(args: argparse.Namespace, console: Console) -> int:
    import tempfile

    from harness.kata_format.variants import scratch_copy, write_mutant_diff

    kata = load_kata(args.slug)
    if args.action == "new":
        dest = Path(args.path or tempfile.mkdtemp(prefix=f"mutant-{args.mutant_id}-"))
        scratch_copy(kata, args.mutant_id, dest)
        console.print(
            f"edit {dest}, then: kata mutant diff {kata.slug} {args.mutant_id} {dest}\n"
            f"and describe it under mutants.{args.mutant_id} in kata.yaml "
            "(breaks, clause, mistake)"
        )
        return EXIT_PASSED
    if not args.path:
        raise HarnessError("kata mutant diff needs the edited file or directory")
    out = write_mutant_diff(kata, args.mutant_id, Path(args.path))
    console.print(f"wrote {out.relative_to(kata.path.parent.parent)}")
    return EXIT_PASSED


def cmd_bench(args: argparse.Namespace, console: Console) -> int:
    from harness.bench import STAGES, bench_grade, bench_kata

    if args.loop:
        from harness.bench import bench_loop

        if args.emulator != "moto":
            raise HarnessError(
                "bench --loop measures kata watch's loop, which keeps an embedded moto",
                "drop --emulator; kata bench <slug> --emulator localstack times LocalStack",
            )

        numbers = bench_loop(load_kata(args.loop), warm_runs=args.runs)
        console.print(
            f"cold {numbers['cold_s']} s, warm {numbers['warm_s']} s, ratio {numbers['ratio']} "
            f"(median of {numbers['warm_runs']} warm re-grades, fastest "
            f"{numbers['warm_min_s']} s; watch's first run {numbers['first_watch_run_s']} s; "
            f"load average {numbers['load_average']} on {numbers['cores']} cores)\n"
            f"CPU of the process tree: cold {numbers['cold_cpu_s']} s, warm "
            f"{numbers['warm_cpu_s']} s (median)"
        )
        return EXIT_PASSED
    if args.grade:
        slug = (args.slugs or ["least-privilege-iam"])[0]
        console.print(f"grading {args.grade} submissions of {slug} in parallel …")
        numbers = bench_grade(
            load_kata(slug), n=args.grade, workers=args.workers, emulator=args.emulator
        )
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
            "load avg (1 min)",
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
                    "load_average",
                )
            )
        )
        console.print(table)
        medians = numbers["stage_medians_s"]
        console.print("stage medians (s): " + ", ".join(f"{k} {v}" for k, v in medians.items()))
        console.print(
            f"CPU of the process tree {numbers['cpu_s']} s: on {numbers['cores']} idle cores "
            f"at least {numbers['quiet_wall_s']} s"
        )
        for line in numbers["unexpected"]:
            console.print(f"[red]unexpected[/] {escape(line)}")
        ok = numbers["as_expected"] == numbers["submissions"]
        return EXIT_PASSED if ok else EXIT_FAILED
    slugs = args.slugs or available_katas()
    table = Table("kata", *STAGES, "total", title=f"median of {args.runs} runs (s)")
    for slug in slugs:
        medians = bench_kata(load_kata(slug), runs=args.runs, emulator=args.emulator)
        table.add_row(slug, *(f"{medians.get(s, 0):.2f}" for s in (*STAGES, "total")))
    console.print(table)
    return EXIT_PASSED


def _ids(values: list[str] | None) -> list[str]:
    """checkov's --check/--skip-check: repeated, each a comma-separated list."""
    return [i.strip() for v in values or [] for i in v.split(",") if i.strip()]


def cmd_compare(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.compare import EMULATORS, compare

    kata = load_kata(args.slug)
    variant = "starter"
    if args.solution:
        variant = "solution"
    elif args.mutant:
        variant = f"mutant:{args.mutant}"
    elif args.program:
        variant = f"program:{Path(args.program).resolve()}"
    console.print(f"[bold]{kata.slug}[/] ({variant}) on {' and '.join(EMULATORS)}")
    result = compare(kata, variant, policy=not args.no_policy)
    for name in EMULATORS:
        console.print(f"  {name}: {escape(result.verdicts[name])} (exit {result.exit_codes[name]})")
    if not result.disagreements:
        console.print("no enforced check differs between the emulators")
        return EXIT_PASSED
    table = Table("req", "check", *EMULATORS, *(f"why on {n}" for n in EMULATORS))
    for d in result.disagreements:
        table.add_row(
            d.requirement,
            escape(d.check),
            *(d.outcomes[n] for n in EMULATORS),
            *(escape(d.why[n] or "") for n in EMULATORS),
        )
    console.print(table)
    console.print(f"{len(result.disagreements)} checks differ")
    return EXIT_PASSED


def cmd_matrix(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.compare import matrix, matrix_markdown, write_matrix

    slugs = args.slugs or available_katas()
    rows = matrix([load_kata(s) for s in slugs], progress=lambda m: console.print(f"  {m}"))
    table = matrix_markdown(rows)
    console.print(table, markup=False)
    if args.write:
        write_matrix(Path(args.write), table)
        console.print(f"written between the markers of {args.write}")
    return EXIT_PASSED


def cmd_scan(args: argparse.Namespace, console: Console) -> int:
    from harness.commands import scan_output
    from harness.commands.scan import ScanOptions, scan_program

    options = ScanOptions(
        stack=args.stack,
        checks=_ids(args.check),
        skip_checks=_ids(args.skip_check),
        kata_checks=args.kata_checks,
        sandbox=args.sandbox,
    )
    report = scan_program(Path(args.dir), options)
    scan_output.print_report(console, report)
    if args.json:
        scan_output.write(Path(args.json), scan_output.to_json(report))
    if args.sarif:
        scan_output.write(Path(args.sarif), scan_output.to_sarif(report))
    return EXIT_FAILED if report.failed else EXIT_PASSED


def cmd_up(args: argparse.Namespace, console: Console) -> int:
    from harness.commands.up import UpOptions, print_outcome, up_programs

    options = UpOptions(
        stack=args.stack,
        backend=Path(args.backend).resolve() if args.backend else None,
        sandbox=args.sandbox,
    )
    outcomes = up_programs([Path(d) for d in args.dirs], options, console)
    for outcome in outcomes:
        print_outcome(console, outcome)
    ok = sum(o.ok for o in outcomes)
    console.print(f"{ok} of {len(outcomes)} programs deployed, converged and were torn down")
    return EXIT_PASSED if outcomes and ok == len(outcomes) else EXIT_FAILED


def _add_sandbox_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        choices=("auto", "require", "off"),
        default="auto",
        help="run the program (and emulator) in Linux namespaces: where available (auto), "
        "or fail without them (require), or never (off)",
    )


def _add_emulator_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--emulator",
        choices=("moto", "localstack"),
        default="moto",
        help="the embedded emulator a run starts (localstack: installed under .tools/ on "
        "first use, needs Python >= 3.12)",
    )


def _add_grading_options(parser: argparse.ArgumentParser) -> None:
    """What `run` and `grade` share: where it deploys, what it reports, how it isolates."""
    parser.add_argument("--engine", choices=("local", "pulumi"), default="local")
    parser.add_argument("--endpoint", metavar="URL", help="use an emulator already running there")
    _add_emulator_option(parser)
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
    which.add_argument(
        "--alternative", metavar="NAME", help="grade alternatives/NAME, a correct program"
    )
    which.add_argument("--program", metavar="DIR", help="take the candidate files from DIR")
    which.add_argument(
        "--repo-starter",
        action="store_true",
        help="grade the repository's starter even when `kata start` made a workspace",
    )
    _add_grading_options(run)
    run.set_defaults(func=cmd_run)

    start = sub.add_parser(
        "start", help="copy a kata's starter to your workspace (~/.kata, or $KATA_HOME)"
    )
    start.add_argument("slug")
    start.add_argument("--timed", action="store_true", help="count down the kata's timebox")
    start.add_argument(
        "--fresh", action="store_true", help="replace an existing workspace with the starter"
    )
    start.set_defaults(func=cmd_start)

    watch = sub.add_parser("watch", help="re-grade your workspace on every save (Ctrl-C stops)")
    watch.add_argument("slug")
    watch.add_argument("--no-policy", action="store_true", help="skip checkov: faster re-grades")
    watch.set_defaults(func=cmd_watch)

    hint = sub.add_parser("hint", help="the next hint of a kata (remembered), or --all")
    hint.add_argument("slug")
    hint.add_argument("--all", action="store_true", help="every hint at once")
    hint.set_defaults(func=cmd_hint)

    sub.add_parser(
        "progress", help="every kata's status from your runs, and what to do next"
    ).set_defaults(func=cmd_progress)

    grade = sub.add_parser(
        "grade", help="grade a submission: only its candidate files, with this checkout's kata"
    )
    grade.add_argument("slug")
    whose = grade.add_mutually_exclusive_group(required=True)
    whose.add_argument(
        "--submission",
        metavar="DIR",
        help="a fork checkout (DIR/katas/<slug>/…) or a directory holding the candidate files",
    )
    whose.add_argument(
        "--roster",
        metavar="CSV",
        help="grade every submission of a roster (name, fork directory or git URL, ref) "
        "and write scoreboard.html and scoreboard.csv",
    )
    grade.add_argument(
        "--pack",
        metavar="PATH",
        help="take the kata from a private pack: a directory or a git URL[@REF] "
        "holding katas/<slug>/",
    )
    grade.add_argument(
        "--scoreboard",
        metavar="DIR",
        help="where a roster's scoreboard and its history go (default: .kata-runs/<slug>/roster)",
    )
    grade.add_argument(
        "--workers", type=int, help="a roster's parallel graders (default: one per core)"
    )
    _add_grading_options(grade)
    grade.set_defaults(func=cmd_grade)

    export = sub.add_parser(
        "export", help="write a candidate repository: the katas without their answers"
    )
    export.add_argument("dir", help="a new (or empty) directory")
    export.add_argument("--katas", metavar="A,B", help="only these katas (default: all)")
    export.add_argument(
        "--tests",
        choices=("public", "hidden"),
        default="public",
        help="ship the behavioral checks (public) or keep them for private grading (hidden)",
    )
    export.set_defaults(func=cmd_export)

    sub.add_parser("list", help="list the katas").set_defaults(func=cmd_list)

    verify = sub.add_parser(
        "verify",
        help="prove starter fails, solution and alternatives pass, mutants caught, clauses covered",
    )
    verify.add_argument("slugs", nargs="*")
    verify.add_argument(
        "--pack",
        metavar="PATH",
        help="verify a private pack's katas (a directory or git URL[@REF])",
    )
    _add_emulator_option(verify)
    verify.set_defaults(func=cmd_verify)

    lint = sub.add_parser("lint", help="check the kata format without deploying (fast)")
    lint.add_argument("slugs", nargs="*")
    lint.set_defaults(func=cmd_lint)

    mutant = sub.add_parser("mutant", help="make a mutant: edit a copy, then write its diff")
    mutant.add_argument("action", choices=("new", "diff"))
    mutant.add_argument("slug")
    mutant.add_argument("mutant_id", metavar="id")
    mutant.add_argument(
        "path",
        nargs="?",
        help="new: where to copy the files (default: a temporary directory); "
        "diff: the edited file or directory",
    )
    mutant.set_defaults(func=cmd_mutant)

    compare = sub.add_parser(
        "compare", help="a kata on moto and on LocalStack: the checks where they disagree, and why"
    )
    compare.add_argument("slug")
    which = compare.add_mutually_exclusive_group()
    which.add_argument("--solution", action="store_true", help="the reference solution")
    which.add_argument("--mutant", metavar="ID", help="a known-bad variant")
    which.add_argument("--program", metavar="DIR", help="the candidate files from DIR")
    compare.add_argument("--no-policy", action="store_true", help="skip the checkov stage")
    compare.set_defaults(func=cmd_compare)

    matrix = sub.add_parser(
        "matrix", help="kata x emulator: solution and starter verdicts, requirements not evaluable"
    )
    matrix.add_argument("slugs", nargs="*")
    matrix.add_argument(
        "--write", metavar="README", help="replace the table between its markers in README"
    )
    matrix.set_defaults(func=cmd_matrix)

    bench = sub.add_parser("bench", help="per-stage wall times of each kata's solution")
    bench.add_argument("slugs", nargs="*")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument(
        "--grade", type=int, metavar="N", help="grade N submissions in parallel; per minute"
    )
    bench.add_argument("--workers", type=int, help="parallel graders (default: one per core)")
    bench.add_argument(
        "--loop",
        metavar="SLUG",
        help="one cold grade, then --runs warm re-grades as kata watch does them (moto)",
    )
    _add_emulator_option(bench)
    bench.set_defaults(func=cmd_bench)

    scan = sub.add_parser(
        "scan", help="checkov on any Pulumi Python program: no emulator, any resource type"
    )
    scan.add_argument("dir", help="the Pulumi project directory (Pulumi.yaml, __main__.py)")
    scan.add_argument("--stack", help="read Pulumi.<stack>.yaml (default: dev, or the only one)")
    scan.add_argument(
        "--check", action="append", metavar="IDS", help="run only these checks (as checkov)"
    )
    scan.add_argument(
        "--skip-check", action="append", metavar="IDS", help="skip these checks (as checkov)"
    )
    scan.add_argument(
        "--kata-checks", action="store_true", help="also run the katas' CKV_KATA_* checks"
    )
    scan.add_argument("--sarif", metavar="FILE", help="write the findings as SARIF 2.1.0")
    scan.add_argument("--json", metavar="FILE", help="write every result as JSON")
    _add_sandbox_option(scan)
    scan.set_defaults(func=cmd_scan)

    up = sub.add_parser(
        "up",
        help="deploy programs to the embedded emulator, preview again (must be empty), tear down",
    )
    up.add_argument(
        "dirs", nargs="+", metavar="DIR", help="Pulumi project directories, deployed in order"
    )
    up.add_argument("--stack", help="read Pulumi.<stack>.yaml (default: dev, or the only one)")
    up.add_argument(
        "--backend",
        metavar="DIR",
        help="keep stack state here (<DIR>/<project>/<stack>.json), where a later program's "
        "StackReference finds an earlier one's outputs (default: a temporary directory)",
    )
    _add_sandbox_option(up)
    up.set_defaults(func=cmd_up)
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
