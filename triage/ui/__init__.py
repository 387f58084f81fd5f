"""The Textual app. The only package that imports textual; it renders core dataclasses
and asks core functions (in thread workers) for everything else."""
