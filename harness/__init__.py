"""IaC Katas harness: grades a kata's Pulumi program against an AWS emulator.

Layout mirrors the pipeline: ``stages/`` (validate → synth → policy → deploy →
behavior → converge → teardown), ``engines/`` (how a program is deployed),
``adapters/`` (one module per AWS service for the local engine), ``drills/``
(AWS behaviour the emulator does not model), ``emulator/`` (moto lifecycle).
"""

__version__ = "0.1.0"
