"""The build backend: setuptools, without its "Editable installation" notice.

stages/ and reports/ install as stc.stages and stc.reports through `package-dir`, so an editable
install maps them with an import hook, and setuptools then always emits an `InformationOnly`
warning (its words: information, sent as a warning for want of another channel). Everything
else, real warnings included, passes through unchanged.
"""

from __future__ import annotations

import warnings

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (the PEP 517 and PEP 660 hooks)
from setuptools.warnings import InformationOnly

__all__ = build_meta.__all__

warnings.filterwarnings("ignore", category=InformationOnly)
