"""Private packs: the katas a hiring team keeps out of the candidates' reach.

A pack is laid out like this repository: ``PACK/katas/<slug>/`` holds kata.yaml, SPEC,
tests, solution and mutants. It is a directory, or a git repository given as ``URL`` or
``URL@REF`` (a branch, tag or commit), cloned into a temporary directory for the length
of the command.

Custom policy checks (CKV_KATA_*) come from this harness's policies/: a pack names them in
its kata.yaml but cannot ship new ones yet, and loading says so rather than scan without.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.kata import Kata, available_katas, load_kata
from harness.policy.scan import POLICIES_DIR

GIT_TIMEOUT_S = 300
CUSTOM_CHECK = re.compile(r"^CKV2?_KATA_([0-9]+)$")


class PackError(HarnessError):
    kind = "usage"


@dataclass(frozen=True)
class Pack:
    source: str  # as given: a directory or URL[@REF]
    root: Path  # the trusted root a submission is compared with
    katas_dir: Path

    def slugs(self) -> list[str]:
        return available_katas(self.katas_dir)

    def kata(self, slug: str) -> Kata:
        kata = load_kata(slug, self.katas_dir)
        _check_policies(kata)
        return kata


def is_git_url(source: str) -> bool:
    return source.startswith(("https://", "http://", "ssh://", "git@", "file://"))


def split_ref(source: str) -> tuple[str, str | None]:
    """``URL@REF`` -> (URL, REF); the ``@`` of ``git@host:…`` is not a ref."""
    head, sep, ref = source.rpartition("@")
    if not sep or not ref or "/" in ref or ":" in ref or "/" not in head:
        return source, None  # no @, or only the user of git@host:owner/repo
    return head, ref


@contextmanager
def open_pack(source: str) -> Iterator[Pack]:
    """The pack at ``source``; a git pack is cloned and removed afterwards."""
    if not is_git_url(source):
        root = Path(source).expanduser().resolve()
        if not root.is_dir():
            raise PackError(f"--pack {source} is not a directory or a git URL")
        yield _layout(source, root)
        return
    url, ref = split_ref(source)
    tmp = Path(tempfile.mkdtemp(prefix="kata-pack-"))
    try:
        clone(url, ref, tmp / "pack")
        yield _layout(source, tmp / "pack")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def clone(url: str, ref: str | None, dest: Path) -> str:
    """A shallow checkout of ``ref`` (default: the default branch); returns its commit."""
    dest.mkdir(parents=True)
    steps = [
        ["init", "-q"],
        ["remote", "add", "origin", url],
        ["fetch", "-q", "--depth", "1", "origin", ref or "HEAD"],
        ["-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD"],
        ["rev-parse", "HEAD"],
    ]
    out = ""
    for step in steps:
        try:
            proc = subprocess.run(
                ["git", *step],
                cwd=dest,
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT_S,
                env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
            )
        except subprocess.TimeoutExpired:
            raise PackError(f"git {step[0]} of {url} took over {GIT_TIMEOUT_S} s") from None
        if proc.returncode != 0:
            why = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            raise PackError(f"cannot fetch {url}{'@' + ref if ref else ''}: {why}")
        out = proc.stdout.strip()
    return out


def _layout(source: str, root: Path) -> Pack:
    # Laid out as this repository, so grade.inspect finds a fork's katas/<slug>/ and
    # compares it file by file with the pack's.
    katas_dir = root / "katas"
    if not available_katas(katas_dir):
        raise PackError(f"the pack {source} holds no kata", "expected katas/<slug>/kata.yaml in it")
    return Pack(source, root, katas_dir)


def _check_policies(kata: Kata) -> None:
    shipped = {p.stem for p in POLICIES_DIR.glob("ckv*_kata_*")}
    for check in kata.enforced_policies:
        m = CUSTOM_CHECK.match(check.id)
        if m and not any(s.split("_kata_")[1].split("_")[0] == m.group(1) for s in shipped):
            raise PackError(
                f"{kata.slug}: policy {check.id} is not one of this harness's policies/",
                "a pack may use checkov's checks and the harness's CKV_KATA_* checks",
            )
