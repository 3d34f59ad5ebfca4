#ifndef ALPHASWEEP_CMPI_SHIM_H
#define ALPHASWEEP_CMPI_SHIM_H
#include <mpi.h>

// Open MPI's handles are macros over addresses of global objects; Swift cannot import them.
static inline MPI_Comm alphasweep_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype alphasweep_mpi_byte(void) { return MPI_BYTE; }
static inline int alphasweep_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int alphasweep_mpi_any_tag(void) { return MPI_ANY_TAG; }
static inline MPI_Status *alphasweep_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int alphasweep_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int alphasweep_mpi_success(void) { return MPI_SUCCESS; }
static inline MPI_Errhandler alphasweep_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
#endif
