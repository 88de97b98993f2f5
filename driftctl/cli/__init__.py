"""The command line: one module per command, each parsing options, calling the core and rendering.

Modules register their commands on the shared typer app in `main.py`. No logic lives here.
"""
