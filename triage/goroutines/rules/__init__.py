"""Diagnosis rules. Each module registers its rules with ``triage.goroutines.diagnose.rule``.

* :mod:`.crash` - what killed the process (one finding per crash, specific rule id);
* :mod:`.piles` - piles of goroutines stuck in the same place (leaks, contention, I/O).
"""
