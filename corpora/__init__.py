"""The sample corpora, installed as `stc.corpora`: fictional interviews written for stc, with
their complete analysis (`stc demo` runs the Norwegian one; the benchmarks grow larger corpora
from them)."""
