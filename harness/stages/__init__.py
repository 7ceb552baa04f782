"""The stages of one kata run, in order. Each module has ``run(ctx) -> list[CheckResult]``.

validate -> synth -> policy (in the background) -> deploy -> behavior -> converge -> teardown
"""
