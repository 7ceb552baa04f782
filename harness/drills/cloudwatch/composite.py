"""Composite alarms: the ``AlarmRule`` over child alarm states, and action suppression.

Models *Creating a composite alarm* and *PutCompositeAlarm* (Amazon CloudWatch):

- The rule is built from ``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)`` (true when
  alarm ``x`` is in that state), ``TRUE``, ``FALSE``, ``AND``, ``OR``, ``NOT`` and
  parentheses. ``x`` is an alarm name or ARN, in double quotes or bare. The composite
  is in ALARM while the rule is true and OK while it is false; it starts in
  INSUFFICIENT_DATA until first evaluated. Its children must be alarms of its own
  region and account.
- ``ActionsSuppressor`` (an alarm), ``ActionsSuppressorWaitPeriod`` and
  ``ActionsSuppressorExtensionPeriod`` (seconds): the composite's *state* still
  changes, only its *actions* are held. When it changes state while the suppressor is
  in ALARM, its actions are suppressed. When the suppressor is not in ALARM, the
  composite waits up to the wait period for it to go into ALARM (then the actions are
  suppressed) and performs them when the wait ends. After the suppressor leaves ALARM,
  the composite waits the extension period and then performs its actions if the
  suppressor has not gone back into ALARM. A new state change drops what was held.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from harness.drills.cloudwatch.evaluation import NotEvaluable

STATE_FUNCTIONS = ("ALARM", "OK", "INSUFFICIENT_DATA")
_ARN = re.compile(r"^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$")
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<word>[^\s()"]+))')

Rule = tuple[Any, ...]  # ("const", bool) | ("state", fn, ref) | ("not", r) | ("and"|"or", a, b)


def parse_rule(text: str) -> Rule:
    """The rule as a small tree; NotEvaluable (one sentence) for what AWS would refuse."""
    toks: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise NotEvaluable(f"the AlarmRule {text!r} cannot be read at {text[pos:]!r}")
        kind = match.lastgroup or ""
        toks.append((kind, match.group(kind)))
        pos = match.end()
    parser = _RuleParser(toks, text)
    rule = parser.or_()
    if parser.pos != len(toks):
        raise NotEvaluable(f"the AlarmRule {text!r} has {toks[parser.pos][1]!r} left over")
    return rule


@dataclass
class _RuleParser:
    toks: list[tuple[str, str]]
    text: str
    pos: int = 0

    def peek(self) -> str:
        return self.toks[self.pos][1] if self.pos < len(self.toks) else ""

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.toks):
            raise NotEvaluable(f"the AlarmRule {self.text!r} ends too early")
        self.pos += 1
        return self.toks[self.pos - 1]

    def or_(self) -> Rule:
        rule = self.and_()
        while self.peek().upper() == "OR":
            self.take()
            rule = ("or", rule, self.and_())
        return rule

    def and_(self) -> Rule:
        rule = self.not_()
        while self.peek().upper() == "AND":
            self.take()
            rule = ("and", rule, self.not_())
        return rule

    def not_(self) -> Rule:
        if self.peek().upper() == "NOT":
            self.take()
            return ("not", self.not_())
        return self.primary()

    def primary(self) -> Rule:
        _kind, tok = self.take()
        if tok == "(":
            rule = self.or_()
            if self.take()[1] != ")":
                raise NotEvaluable(f"the AlarmRule {self.text!r} misses a closing parenthesis")
            return rule
        word = tok.upper()
        if word in ("TRUE", "FALSE"):
            return ("const", word == "TRUE")
        if word in STATE_FUNCTIONS and self.peek() == "(":
            self.take()
            name = self._reference()
            return ("state", word, name)
        raise NotEvaluable(
            f"the AlarmRule {self.text!r} has {tok!r} where ALARM(…), OK(…), "
            "INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or '(' belongs"
        )

    def _reference(self) -> str:
        parts: list[str] = []
        while self.peek() != ")":
            kind, tok = self.take()
            if kind == "quoted":
                parts.append(tok[1:-1].replace('\\"', '"'))
            elif kind == "paren":
                raise NotEvaluable(f"the AlarmRule {self.text!r} has a '(' inside an alarm name")
            else:
                parts.append(tok)
        self.take()
        if not parts:
            raise NotEvaluable(f"the AlarmRule {self.text!r} names no alarm in a state function")
        return " ".join(parts)


def children(rule: Rule) -> list[str]:
    """The alarm references of a rule, in order of appearance."""
    if rule[0] == "state":
        return [rule[2]]
    if rule[0] == "const":
        return []
    return [ref for sub in rule[1:] for ref in children(sub)]


def resolve_reference(ref: str, region: str, account: str) -> str:
    """An alarm name or ARN as the name of an alarm of ``region`` and ``account``."""
    arn = _ARN.match(ref)
    if not arn:
        return ref
    if (arn.group(1), arn.group(2)) != (region, account):
        raise NotEvaluable(
            f"{ref} is an alarm of {arn.group(2)} in {arn.group(1)}; a composite alarm in "
            f"{region} of {account} can only watch alarms of its own region and account"
        )
    return arn.group(3)


def holds(rule: Rule, state_of: Callable[[str], str]) -> bool:
    """Is the rule true, given each referenced alarm's state?"""
    kind = rule[0]
    if kind == "const":
        return bool(rule[1])
    if kind == "state":
        return state_of(rule[2]) == rule[1]
    if kind == "not":
        return not holds(rule[1], state_of)
    if kind == "and":
        return holds(rule[1], state_of) and holds(rule[2], state_of)
    return holds(rule[1], state_of) or holds(rule[2], state_of)


@dataclass
class Held:
    """Actions of a composite state change that have not run yet."""

    state: str  # the composite's state whose actions are held
    old_state: str
    reason: str
    since: datetime
    by: str  # "WaitPeriod", "Alarm" or "ExtensionPeriod" (DescribeAlarms' ActionsSuppressedBy)
    until: datetime | None  # when the actions run unless suppressed; None: suppressed
    children: list[str] = field(default_factory=list)  # the alarms its rule watches


@dataclass
class Suppression:
    """One composite's suppressor settings and what it holds now."""

    suppressor: str | None
    wait_s: int = 0
    extension_s: int = 0
    held: Held | None = None

    def on_change(
        self, old: str, new: str, reason: str, now: datetime, suppressor_state: str | None
    ) -> str:
        """The composite changed state: ``"run"`` its actions now, or hold them (the
        returned text says why)."""
        self.held = None
        if not self.suppressor:
            return "run"
        if suppressor_state == "ALARM":
            self.held = Held(new, old, reason, now, "Alarm", None)
            return f"suppressed: the suppressor {self.suppressor} is in ALARM"
        if self.wait_s > 0:
            until = now + timedelta(seconds=self.wait_s)
            self.held = Held(new, old, reason, now, "WaitPeriod", until)
            return f"held: waiting {self.wait_s} s for the suppressor {self.suppressor}"
        return "run"

    def tick(self, now: datetime, suppressor_state: str | None) -> Held | None:
        """A minute passed with no state change: the held actions to run now, if any."""
        held = self.held
        if held is None:
            return None
        in_alarm = suppressor_state == "ALARM"
        if held.by in ("WaitPeriod", "ExtensionPeriod") and in_alarm:
            held.by, held.until = "Alarm", None
            return None
        if held.by == "Alarm" and not in_alarm:
            if self.extension_s <= 0:
                self.held = None
                return held
            held.by, held.until = "ExtensionPeriod", now + timedelta(seconds=self.extension_s)
            return None
        if held.until is not None and now >= held.until:
            self.held = None
            return held
        return None
