#!/usr/bin/env bash
# Installs the Debian packages alphasweep builds and runs with, only those missing.
# Idempotent; needs root (or sudo) only when something is missing.
#   hpc/install-deps.sh            build + run: MPI, OpenBLAS, LAPACKE, HDF5
#   hpc/install-deps.sh --slurm    also Slurm and munge (for the local-Slurm tests)
#   hpc/install-deps.sh --browser  also headless Chromium (the test of `analyze --report`)
#   hpc/install-deps.sh --test     also what the test suite uses (pytest, h5py, pandas, scipy, numpy,
#                                  xarray, h5netcdf, netCDF4)
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libopenblas-dev liblapacke-dev libhdf5-dev hdf5-tools pkg-config zlib1g-dev)
python_packages=()
for arg in "$@"; do
  case "$arg" in
    --slurm) packages+=(slurm-wlm munge) ;;
    --browser) packages+=(chromium) ;;
    --test) python_packages+=(pytest h5py pandas scipy numpy xarray h5netcdf netCDF4) ;;
    *) echo "install-deps.sh: unknown option '$arg' (known: --slurm --browser --test)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ${#python_packages[@]} -gt 0 ]; then
  need=()
  for p in "${python_packages[@]}"; do
    python3 -c "import ${p}" 2>/dev/null || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: pip installing ${need[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need[@]}"
  fi
fi
