"""Kata format v2: mutants as unified diffs, alternatives, clause coverage, lint."""
