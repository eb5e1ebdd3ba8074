"""Fault drills: the real processes on loopback, broken on purpose, everything counted.

Run one with ``python -m drills <name>`` or all with ``python -m drills all``;
``python -m drills --help`` lists them. Each prints what it did and what it
counted, and exits non-zero when anything was lost or duplicated.
"""
