"""``python -m shipcaptaincrew``: the ``scc`` command line."""

from .cli import app

app(prog_name="scc")
