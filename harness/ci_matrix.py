"""Which katas a pull request touches: the matrix of the grade workflow.

    git diff --name-only BASE...HEAD > changed.txt
    python -m harness.ci_matrix --katas-dir base/katas --paths-file changed.txt --github-output

A kata counts when any file under ``katas/<slug>/`` changed and the slug is a kata of
the base branch (a pull request that adds a kata is a contribution, not a submission;
the tests workflow covers it). Standard library only: it runs before anything is
installed, from the base branch's checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

MAX_KATAS = 20  # a matrix larger than the catalogue means something is off


def known_katas(katas_dir: Path) -> set[str]:
    return {p.parent.name for p in katas_dir.glob("*/kata.yaml")}


def katas_touched(paths: Iterable[str], known: Iterable[str]) -> list[str]:
    known = set(known)
    touched = set()
    for raw in paths:
        parts = PurePosixPath(raw.strip().strip('"')).parts
        if len(parts) >= 3 and parts[0] == "katas" and parts[1] in known:
            touched.add(parts[1])
    return sorted(touched)[:MAX_KATAS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.ci_matrix", description=__doc__)
    parser.add_argument("--katas-dir", type=Path, required=True, help="the base branch's katas/")
    parser.add_argument("--paths-file", type=Path, help="changed paths, one a line (else stdin)")
    parser.add_argument(
        "--github-output", action="store_true", help="also append katas=<json> to $GITHUB_OUTPUT"
    )
    args = parser.parse_args(argv)
    text = args.paths_file.read_text() if args.paths_file else sys.stdin.read()
    katas = katas_touched(text.splitlines(), known_katas(args.katas_dir))
    print(json.dumps(katas))
    if args.github_output:
        target = os.environ.get("GITHUB_OUTPUT")
        if not target:
            print("GITHUB_OUTPUT is not set", file=sys.stderr)
            return 2
        with open(target, "a") as out:
            out.write(f"katas={json.dumps(katas)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
