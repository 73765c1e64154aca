"""The compiled part of plasticnets: H-Mem's Hebbian writes for the bAbI twin (Cython, OpenMP).
Everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

openmp = ["-fopenmp"]
setup(ext_modules=cythonize(
    [Extension("networks.hebbian_writes_native", ["networks/hebbian_writes_native.pyx"],
               include_dirs=["networks"], depends=["networks/hebbian_writes_native.h"],
               extra_compile_args=["-O3", *openmp], extra_link_args=openmp)],
    compiler_directives={"language_level": 3}))
