"""The project's tests. Importing this package first, under pytest-xdist, gives each worker its share of the cores
for the threads of Whisper (CTranslate2) and numpy, before either is imported: the workers' threads together never
outnumber the cores."""

import os

if os.environ.get("PYTEST_XDIST_WORKER_COUNT", "").isdigit():
    _SHARE = str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_variable, _SHARE)
