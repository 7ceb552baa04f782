"""Drills: AWS behaviour a kata must exercise that the emulator does not model.

Each drill module says which AWS behaviour it models, acts through the emulator's
API where it can, refuses where AWS would refuse, and has its own tests.
"""
