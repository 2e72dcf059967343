"""Odkrywka's benchmark: ``python -m bench.run`` (or ``make bench``).

See README.md, section "Performance", for the method and the latest figures.
"""
