"""Kata format v2 on small fixture katas: mutant diffs, clauses, alternatives, lint.

No deploys: these are the fast checks of the format itself. The real katas' counts
(alternatives, clauses) are the kata authors' to meet; here every rule is shown to
fail on the defect it is for and to pass on a well-formed kata.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.context import RunOptions
from harness.errors import KataFormatError
from harness.kata import parse_kata
from harness.kata_format.coverage import clause_coverage
from harness.kata_format.diffs import DiffError, apply_diff, make_diff
from harness.kata_format.lint import lint_kata
from harness.kata_format.variants import mutant_files, scratch_copy, write_mutant_diff
from harness.results import CheckResult, Outcome, Stage
from harness.runner import RunResult
from harness.stages.validate import prepare_program
from harness.verify import _failing, caught_on, variants

SOLUTION = textwrap.dedent(
    """\
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=86400)
    policy = {
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        "Resource": queue.arn,
    }
    pulumi.export("queueUrl", queue.url)
    """
)
WILDCARD = SOLUTION.replace('["sqs:ReceiveMessage", "sqs:DeleteMessage"]', '["sqs:*"]')
SHORT = SOLUTION.replace(", message_retention_seconds=86400", "")

KATA_YAML = """\
title: Tiny queue kata
difficulty: beginner
timebox_minutes: 5
topics: [testing]
candidate_files: [__main__.py]
requirements:
  R1:
    title: The consumer may only consume the queue
    clauses:
      consume: may call ReceiveMessage and DeleteMessage on the queue
      no-other-sqs: every other SQS action on the queue is denied
  R2: {title: The queue keeps messages for a day, clauses: {retention: retention is 86400 s}}
policies:
  - {check: CKV_AWS_27, requirement: R2}
mutants:
  sqs-wildcard:
    breaks: [R1]
    clause: R1.no-other-sqs
    mistake: The consumer is granted sqs:* instead of the two consumer actions.
  cannot-delete:
    breaks: [R1]
    clause: R1.consume
    mistake: The consumer may not delete what it received.
  short-retention:
    breaks: [R2]
    clauses: [R2.retention]
    mistake: The retention is left at the default four days.
"""

TESTS = textwrap.dedent(
    """\
    import pytest


    @pytest.mark.requirement("R1")
    def test_consumer_consumes(stack):
        assert stack


    class TestRetention:
        pytestmark = []

        @pytest.mark.requirement("R2")
        def test_retention(self, stack):
            assert stack
    """
)


def make_kata(root: Path, alternatives: int = 4) -> Path:
    """A well-formed v2 kata: `lint_kata` finds nothing (asserted by the first test)."""
    kata = root / "tiny-queue"
    files = {
        "kata.yaml": KATA_YAML,
        "SPEC.md": "# Tiny queue\n",
        "hints.md": "Look at the policy.\n",
        "Pulumi.yaml": "name: tiny-queue\nruntime: python\n",
        "__main__.py": SHORT,
        "solution/__main__.py": SOLUTION,
        "tests/test_queue.py": TESTS,
    }
    for name, text in files.items():
        (kata / name).parent.mkdir(parents=True, exist_ok=True)
        (kata / name).write_text(text)
    sol = {"__main__.py": SOLUTION}
    for mutant_id, text in {
        "sqs-wildcard": WILDCARD,
        "cannot-delete": SOLUTION.replace(', "sqs:DeleteMessage"', ""),
        "short-retention": SHORT,
    }.items():
        (kata / "mutants").mkdir(exist_ok=True)
        (kata / "mutants" / f"{mutant_id}.diff").write_text(make_diff(sol, {"__main__.py": text}))
    for i in range(alternatives):
        alt = kata / "alternatives" / f"style-{i}"
        alt.mkdir(parents=True)
        (alt / "__main__.py").write_text(SOLUTION + f"# style {i}\n")
    (kata / "alternatives").mkdir(exist_ok=True)
    return kata


# --- diffs ----------------------------------------------------------------------------


def test_a_diff_round_trips_byte_for_byte_including_edge_lines():
    old = "a\n\fform feed\r\nwindows line\n" + "".join(f"line {i}\n" for i in range(40)) + "end"
    new = old.replace("line 3\n", "line three\n").replace("line 35\n", "").replace("end", "END")
    diff = make_diff({"f.py": old}, {"f.py": new})
    assert diff.count("@@ -") == 2  # two hunks, and the last line has no newline
    assert "\\ No newline at end of file" in diff
    assert apply_diff(diff, {"f.py": old}) == {"f.py": new}


def test_a_diff_written_by_git_applies(tmp_path):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed: the interoperability check is not evaluable here")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "__main__.py").write_text(SOLUTION)
    (tmp_path / "b" / "__main__.py").write_text(WILDCARD)
    out = subprocess.run(
        [git, "diff", "--no-index", "--no-prefix", "a/__main__.py", "b/__main__.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    # git names the files a/__main__.py and b/__main__.py here; the applier strips a/ b/.
    assert out.startswith("diff --git")
    assert apply_diff(out, {"__main__.py": SOLUTION}) == {"__main__.py": WILDCARD}


def test_a_hunk_follows_lines_inserted_above_it_but_never_fuzzes():
    diff = make_diff({"__main__.py": SOLUTION}, {"__main__.py": WILDCARD})
    grown = "# a comment added above\n" + SOLUTION
    applied = apply_diff(diff, {"__main__.py": grown})["__main__.py"]
    assert applied == "# a comment added above\n" + WILDCARD
    edited = SOLUTION.replace('"Effect": "Allow",', '"Effect": "Allow",  # why')
    with pytest.raises(DiffError) as caught:
        apply_diff(diff, {"__main__.py": edited}, where="mutant sqs-wildcard")
    message = str(caught.value)
    assert message.startswith("mutant sqs-wildcard: hunk 1 at __main__.py:")
    assert "no longer applies to the solution" in message
    assert "regenerate it" in message


def test_a_blank_context_line_trimmed_by_an_editor_still_applies():
    old = "a\nb\n\nc\nd\n"
    diff = make_diff({"f": old}, {"f": old.replace("c\n", "C\n")})
    assert "\n \n" in diff
    assert apply_diff(diff.replace("\n \n", "\n\n"), {"f": old}) == {"f": "a\nb\n\nC\nd\n"}


def test_a_diff_may_only_change_the_files_it_is_given():
    diff = make_diff({"other.py": "x\n"}, {"other.py": "y\n"})
    with pytest.raises(DiffError, match=r"other.py is not a file it may change \(__main__.py\)"):
        apply_diff(diff, {"__main__.py": SOLUTION})
    with pytest.raises(DiffError, match="not a unified diff"):
        apply_diff("just words\n", {"__main__.py": SOLUTION})


# --- kata.yaml: clauses, mutants, alternatives ----------------------------------------


def test_the_fixture_kata_is_well_formed(tmp_path):
    kata = parse_kata(make_kata(tmp_path))
    assert lint_kata(kata.path) == []
    assert kata.requirement("R1").clause_refs == ["R1.consume", "R1.no-other-sqs"]
    assert [m.clauses for m in kata.mutants] == [
        ("R1.no-other-sqs",),
        ("R1.consume",),
        ("R2.retention",),
    ]
    assert variants(kata) == [
        "starter",
        "solution",
        *(f"alternative:style-{i}" for i in range(4)),
        "mutant:sqs-wildcard",
        "mutant:cannot-delete",
        "mutant:short-retention",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("clause: R1.consume", "clause: consume"), "mutants.cannot-delete.clause: ['consume']"),
        (("no-other-sqs: every", "No_Other: every"), "'No_Other' is not a lowercase-dashed id"),
        (("    clause: R1.consume", "    clasue: R1.consume"), "unknown fields ['clasue']"),
        (("title: The consumer", "titel: The consumer"), "requirements.R1: expected a title"),
    ],
)
def test_malformed_clauses_name_the_field(tmp_path, change, expected):
    path = make_kata(tmp_path)
    (path / "kata.yaml").write_text(KATA_YAML.replace(*change))
    with pytest.raises(KataFormatError, match=None) as caught:
        parse_kata(path)
    assert expected in str(caught.value)


def test_a_mutant_without_its_diff_says_how_to_make_one(tmp_path):
    path = make_kata(tmp_path)
    (path / "mutants" / "short-retention.diff").unlink()
    with pytest.raises(KataFormatError) as caught:
        parse_kata(path)
    assert "mutants.short-retention: no file mutants/short-retention.diff" in str(caught.value)
    assert "kata mutant new tiny-queue short-retention" in str(caught.value)


def test_the_plain_requirement_form_still_parses(tmp_path):
    path = make_kata(tmp_path)
    plain = KATA_YAML.split("requirements:")[0] + (
        "requirements:\n  R1: Consume only\n  R2: Keep a day\nmutants:\n"
        "  short-retention: {breaks: [R2], mistake: Default retention.}\n"
    )
    (path / "kata.yaml").write_text(plain)
    kata = parse_kata(path)
    assert [r.clauses for r in kata.requirements] == [(), ()]
    assert clause_coverage(kata).problems == [
        "clauses not declared for any requirement: coverage is not evaluable "
        "(requirements.<R…>.clauses in kata.yaml)"
    ]


# --- clause coverage ------------------------------------------------------------------


def _coverage_problems(tmp_path: Path, *changes: tuple[str, str]) -> list[str]:
    text = KATA_YAML
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = make_kata(tmp_path)
    (path / "kata.yaml").write_text(text)
    return clause_coverage(parse_kata(path)).problems


def test_coverage_maps_every_clause_to_the_mutants_that_break_it(tmp_path):
    coverage = clause_coverage(parse_kata(make_kata(tmp_path)))
    assert coverage.ok
    assert [(r.requirement, r.clause, r.mutants) for r in coverage.rows] == [
        ("R1", "consume", ["cannot-delete"]),
        ("R1", "no-other-sqs", ["sqs-wildcard"]),
        ("R2", "retention", ["short-retention"]),
    ]


def test_a_clause_no_mutant_breaks_fails_coverage(tmp_path):
    problems = _coverage_problems(tmp_path, ("clause: R1.consume", "clause: R1.no-other-sqs"))
    assert problems == [
        "R1.consume: no mutant breaks this clause "
        "(may call ReceiveMessage and DeleteMessage on the queue)"
    ]


def test_a_mutant_naming_an_unknown_clause_fails_coverage(tmp_path):
    problems = _coverage_problems(tmp_path, ("clause: R1.consume", "clause: R1.consumes"))
    assert (
        "mutant cannot-delete: names unknown clause R1.consumes (R1 declares: consume, "
        "no-other-sqs)" in problems
    )


def test_a_mutant_breaking_a_clause_of_a_requirement_it_does_not_name_fails(tmp_path):
    problems = _coverage_problems(tmp_path, ("clauses: [R2.retention]", "clauses: [R1.consume]"))
    assert (
        "mutant short-retention: breaks clause R1.consume, so its breaks ['R2'] must include R1"
        in problems
    )


def test_a_mutant_naming_no_clause_and_a_requirement_without_clauses_are_reported(tmp_path):
    problems = _coverage_problems(
        tmp_path,
        ("    clauses: [R2.retention]\n", ""),
        (
            "R2: {title: The queue keeps messages for a day, clauses: {retention: retention is "
            "86400 s}}",
            "R2: The queue keeps messages for a day",
        ),
    )
    assert problems == ["R2: clauses not declared (requirements.R2.clauses in kata.yaml)"]
    problems = _coverage_problems(tmp_path / "again", ("    clause: R1.consume\n", ""))
    assert problems == [
        "mutant cannot-delete: names no clause; which clause of R1 does it break? "
        "(clause: R….<id>)",
        "R1.consume: no mutant breaks this clause "
        "(may call ReceiveMessage and DeleteMessage on the queue)",
    ]


# --- variants: mutant files, alternatives, making a mutant ----------------------------


def test_prepare_program_applies_the_mutant_diff_and_lays_out_alternatives(tmp_path):
    kata = parse_kata(make_kata(tmp_path))
    prepare_program(kata, "mutant:sqs-wildcard", tmp_path / "m")
    assert (tmp_path / "m" / "__main__.py").read_text() == WILDCARD
    prepare_program(kata, "alternative:style-2", tmp_path / "a")
    assert (tmp_path / "a" / "__main__.py").read_text() == SOLUTION + "# style 2\n"
    with pytest.raises(KataFormatError, match="has no alternative 'nope'"):
        prepare_program(kata, "alternative:nope", tmp_path / "x")


def test_a_stale_mutant_fails_to_build_naming_mutant_and_hunk(tmp_path):
    path = make_kata(tmp_path)
    sol = path / "solution" / "__main__.py"
    sol.write_text(SOLUTION.replace('"Effect": "Allow",', '"Effect": "Allow",  # edited'))
    kata = parse_kata(path)
    with pytest.raises(KataFormatError) as caught:
        mutant_files(kata, kata.mutants[0])
    assert str(caught.value).startswith(
        "tiny-queue: mutant sqs-wildcard: hunk 1 at __main__.py:4 no longer applies to the "
        """solution (line 6 should read '    "Effect": "Allow",', not """
        """'    "Effect": "Allow",  # edited') — regenerate it"""
    )
    assert "kata mutant new tiny-queue sqs-wildcard" in caught.value.hint


def test_kata_mutant_new_then_diff_writes_the_mutant(tmp_path):
    path = make_kata(tmp_path)
    kata = parse_kata(path)
    scratch = scratch_copy(kata, "keeps-an-hour", tmp_path / "scratch")
    assert (scratch / "__main__.py").read_text() == SOLUTION
    (scratch / "__main__.py").write_text(SOLUTION.replace("86400", "3600"))
    out = write_mutant_diff(kata, "keeps-an-hour", scratch)
    assert out == path / "mutants" / "keeps-an-hour.diff"
    assert "-queue = aws.sqs.Queue" in out.read_text() and '"3600"' not in out.read_text()
    with pytest.raises(KataFormatError, match="the same as tiny-queue's solution"):
        write_mutant_diff(kata, "nothing", path / "solution")


def test_the_mutant_commands_make_a_diff_and_lint_sees_it_unlisted(tmp_path, monkeypatch):
    path = make_kata(tmp_path)
    monkeypatch.setattr("harness.cli.load_kata", lambda slug: parse_kata(path))
    assert main(["mutant", "new", "tiny-queue", "open-queue", str(tmp_path / "s")]) == 0
    (tmp_path / "s" / "__main__.py").write_text(WILDCARD.replace("sqs:*", "*"))
    assert main(["mutant", "diff", "tiny-queue", "open-queue", str(tmp_path / "s")]) == 0
    assert lint_kata(path) == ["mutants/open-queue.diff: not listed under mutants: in kata.yaml"]


# --- lint -----------------------------------------------------------------------------


def _lint_after(tmp_path: Path, edit) -> list[str]:
    path = make_kata(tmp_path)
    edit(path)
    return lint_kata(path)


def test_lint_reports_missing_files_and_directories(tmp_path):
    def edit(path: Path) -> None:
        (path / "hints.md").unlink()
        shutil.rmtree(path / "alternatives")

    problems = _lint_after(tmp_path, edit)
    assert problems[:2] == ["missing hints.md", "missing alternatives/"]


def test_lint_reports_an_untagged_test_and_an_unknown_tag(tmp_path):
    def edit(path: Path) -> None:
        (path / "tests" / "test_more.py").write_text(
            "import pytest\n\n\ndef test_untagged():\n    pass\n\n\n"
            '@pytest.mark.requirement("R9")\ndef test_wrong():\n    pass\n'
        )

    assert _lint_after(tmp_path, edit) == [
        "tests/test_more.py:4: test_untagged is not tagged @pytest.mark.requirement('R…')",
        "tests/test_more.py:9: test_wrong is tagged 'R9', not a requirement of kata.yaml (R1, R2)",
    ]


def test_lint_reports_a_requirement_no_check_verifies(tmp_path):
    def edit(path: Path) -> None:
        (path / "tests" / "test_queue.py").write_text(TESTS.replace('"R1"', '"R2"'))

    assert _lint_after(tmp_path, edit) == [
        "R1: no check verifies it (no tagged test, no enforced policy) — "
        "The consumer may only consume the queue"
    ]


def test_a_module_pytestmark_tags_its_tests(tmp_path):
    def edit(path: Path) -> None:
        (path / "tests" / "test_queue.py").write_text(
            'import pytest\n\npytestmark = [pytest.mark.requirement("R1")]\n\n\n'
            "def test_consumes():\n    pass\n"
        )

    # R2 stays verified by its enforced policy (CKV_AWS_27).
    assert _lint_after(tmp_path, edit) == []


def test_lint_reports_a_stale_mutant_and_a_v1_copy_left(tmp_path):
    def edit(path: Path) -> None:
        stale = make_diff(
            {"__main__.py": SOLUTION.replace("86400", "3600")}, {"__main__.py": SHORT}
        )
        (path / "mutants" / "short-retention.diff").write_text(stale)
        (path / "mutants" / "sqs-wildcard").mkdir()
        (path / "mutants" / "sqs-wildcard" / "__main__.py").write_text(WILDCARD)

    problems = _lint_after(tmp_path, edit)
    assert problems[0].startswith(
        "tiny-queue: mutant short-retention: hunk 1 at __main__.py:1 no longer applies"
    )
    assert problems[1:] == ["mutants/sqs-wildcard/: a v1 copy left next to its diff; delete it"]


def test_lint_reports_a_mutant_identical_to_the_solution(tmp_path):
    def edit(path: Path) -> None:
        # A diff that removes and re-adds the same line changes nothing.
        (path / "mutants" / "cannot-delete.diff").write_text(
            "--- a/__main__.py\n+++ b/__main__.py\n@@ -1 +1 @@\n-import pulumi\n+import pulumi\n"
        )

    assert _lint_after(tmp_path, edit) == [
        "mutant cannot-delete: identical to the solution, so it cannot be caught"
    ]


def test_lint_reports_alternatives_with_stray_files_copies_or_too_few(tmp_path):
    def edit(path: Path) -> None:
        (path / "alternatives" / "style-0" / "notes.txt").write_text("why this style\n")
        (path / "alternatives" / "style-1" / "__main__.py").write_text(SOLUTION)
        shutil.rmtree(path / "alternatives" / "style-3")

    assert _lint_after(tmp_path, edit) == [
        "alternatives/style-0/: holds notes.txt; only candidate files (__main__.py) belong there",
        "alternatives/style-1/: identical to the solution",
        "alternatives/: 3 of at least 4 correct programs in other styles",
    ]


def test_kata_lint_exit_codes(tmp_path, monkeypatch, capsys):
    make_kata(tmp_path)
    monkeypatch.setattr("harness.cli.KATAS_DIR", tmp_path)
    monkeypatch.setattr("harness.kata_format.lint.KATAS_DIR", tmp_path)
    monkeypatch.setattr("harness.cli.available_katas", lambda: ["tiny-queue"])
    assert main(["lint", "tiny-queue"]) == 0
    (tmp_path / "tiny-queue" / "SPEC.md").unlink()
    assert main(["lint"]) == 1
    assert "tiny-queue: missing SPEC.md" in capsys.readouterr().out
    assert main(["lint", "no-such-kata"]) == 2


# --- verify: what counts as catching a mutant -----------------------------------------


def _result(tmp_path: Path, *checks: tuple[str, str, Outcome]) -> RunResult:
    return RunResult(
        kata=parse_kata(make_kata(tmp_path)),
        options=RunOptions(variant="mutant:sqs-wildcard"),
        results=[
            CheckResult(check_id, Stage.BEHAVIOR, req, outcome) for check_id, req, outcome in checks
        ],
        timings=[],
        duration_s=0.0,
        out_dir=tmp_path,
    )


def test_a_mutant_is_caught_only_by_a_check_that_failed_not_one_that_errored(tmp_path):
    caught = _result(tmp_path, ("test_consumes", "R1", Outcome.FAILED))
    assert caught_on(caught, ("R1",)) == (True, "")
    errored = _result(
        tmp_path / "e",
        ("test_consumes", "R1", Outcome.ERROR),
        ("test_retention", "R2", Outcome.PASSED),
    )
    assert caught_on(errored, ("R1", "R2")) == (
        False,
        "R1 errored, no check failed (test_consumes); R2 passed",
    )


def test_a_verdict_names_the_harness_stage_that_failed_and_why(tmp_path):
    result = _result(tmp_path, ("test_consumes", "R1", Outcome.ERROR))
    result.results.append(
        CheckResult("synth", Stage.SYNTH, None, Outcome.ERROR, message="the program\ntimed out")
    )
    assert _failing(result) == "failing R1; harness: synth (the program timed out)"
