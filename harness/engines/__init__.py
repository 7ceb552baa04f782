"""Engines deploy a program to an emulator. ``local`` (default) needs neither the
Pulumi CLI nor Docker; ``pulumi`` drives the real engine through the Automation API.
"""
