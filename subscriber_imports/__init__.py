"""Subscribers imported from other platforms' CSV exports.

formats.py reads a file (encoding, separator, the columns of each export)
into rows; plan.py decides what each row becomes (the consent rules);
run.py runs the dry run and the import as tasks, in committed chunks; the
editor's pages are pages.py, registered by admin.py.
"""
