"""The whole test run (tests and doctests): one BLAS thread per process.

Worker processes x BLAS threads must not exceed the cores (OpenBLAS threads fighting the workers
made the graph test 7x slower on two cores). The variables must be set before numpy is imported,
which is why this file sits at the root, read by pytest before it collects anything.
"""

from wordmine.parallel import limit_blas_threads  # imports neither numpy nor jieba

limit_blas_threads()
