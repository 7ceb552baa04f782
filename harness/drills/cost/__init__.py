"""Cost drills: what a stack costs and whether it keeps up, modeled from its deployed
definitions (the emulator stores scaling policies, schedules and lifecycle rules; it never
scales, ages objects or bills).

- ``scaling``: replays an hourly load profile against an Auto Scaling group's deployed
  sizes, target tracking policy and recurring scheduled actions, on a virtual clock;
- ``lifecycle``: ages objects against a bucket's deployed lifecycle rules, day by day;
- ``model``: a month's bill, item by item, from those two, a price table and a load
  profile.

Each module states what it models and what it leaves out.
"""
