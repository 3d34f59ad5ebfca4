#!/usr/bin/env bash
# Runs a command under Open MPI's mpirun on this machine with the settings alphasweep needs:
# one BLAS thread per rank, oversubscription allowed (rank 0 mostly sleeps, so
# `-np cores+1` keeps every core on task work), and root allowed when run as root.
#   hpc/mpirun-local.sh NP command args...
set -euo pipefail
np=${1:?usage: mpirun-local.sh NP command [args...]}
shift
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
# Shared memory and loopback only: a laptop or a single node needs no network transport.
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
exec mpirun --oversubscribe --bind-to none -np "$np" -x OPENBLAS_NUM_THREADS "$@"
