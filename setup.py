"""Only the package list: everything else is in pyproject.toml.

The app's resources are the top-level ``resources/`` folder installed as
``desktop._resources`` (``[tool.setuptools.package-dir]``); a ``packages.find``
table in pyproject.toml can only find packages under ``desktop/``, so the list is
built here.
"""

from setuptools import find_namespace_packages, setup

RESOURCES = ["desktop._resources",
             *(f"desktop._resources.{name}" for name in find_namespace_packages(where="resources"))]

setup(packages=[*find_namespace_packages(include=["desktop", "desktop.*"]), *RESOURCES])
