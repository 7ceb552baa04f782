"""Runs inside the checkov tool venv: import checkov now, scan when asked.

Importing checkov is ~3 s of its ~4 s run. The harness starts this at the start of a
kata run, while synth is still running, then sends one line of JSON
({"argv": [...], "cwd": "..."}) once the plan is written. One scan per process.
"""

import json
import os
import sys

import checkov.main

request = json.loads(sys.stdin.readline() or "null")
if request is None:  # the run ended before a scan was needed
    sys.exit(0)
os.chdir(request["cwd"])
sys.exit(checkov.main.Checkov(argv=request["argv"]).run())
