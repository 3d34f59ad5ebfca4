#ifndef ALPHASWEEP_CBLAS_SHIM_H
#define ALPHASWEEP_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

// OpenBLAS extensions (declared in cblas.h of OpenBLAS builds, repeated here for clarity).
char *openblas_get_corename(void);
char *openblas_get_config(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
