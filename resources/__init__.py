"""The app's icons, stylesheet and desktop entry, installed as the package
``desktop._resources`` (see pyproject.toml) and read with ``desktop.resources``.

This file makes the folder a regular package: the finder of an editable install
cannot reach a namespace package mapped from outside ``desktop/``.
"""
