/// The batch scripts `submit` writes into the output directory and hands to `sbatch`: the
/// binary carries them, so a submission does not depend on where the repository is.
/// They are `jobs/array.sbatch` and `jobs/merge-analyze.sbatch` verbatim (a unit test holds
/// them equal; after editing a script, paste it here).
public enum BatchScripts {
    /// `jobs/array.sbatch`: shard `$SLURM_ARRAY_TASK_ID` of K. Arguments: SPEC OUT_DIR K ALPHASWEEP [ARCHIVE].
    public static let array = #"""
#!/usr/bin/env bash
# One shard of a sweep as one task of a Slurm job array: shard I of K into OUT_DIR/shard-I.h5,
# resumed when that file already exists. `alphasweep submit` writes this script into OUT_DIR and
# submits it with the values as arguments. By hand:
#
#   sbatch --array=0-3 --ntasks=4 jobs/array.sbatch jobs/default.yaml runs/a 4
#   sbatch --dependency=afterok:<array job id> jobs/merge-analyze.sbatch runs/a 4
#
# Arguments (each falls back to the environment variable in brackets, then to the default):
#   array.sbatch [SPEC [OUT_DIR [SHARDS [ALPHASWEEP [ARCHIVE [FIRST_SHARD]]]]]]
#   SPEC        sweep spec                         [SPEC; jobs/default.yaml]
#   OUT_DIR     directory of the shard files       [OUT_DIR; shards]
#   SHARDS      K, the number of shards            [SHARDS; $SLURM_ARRAY_TASK_COUNT]
#               Give K explicitly when resubmitting only some tasks (--array=3,7): the
#               array's task count is then not K.
#   ALPHASWEEP  the binary                         [ALPHASWEEP; $SLURM_SUBMIT_DIR/.build/release/alphasweep]
#   ARCHIVE     a results file this sweep extends: the shards split and run only the tasks it
#               lacks (`run --extend`); it is read, never changed ("" for none)  [ARCHIVE; none]
#   FIRST_SHARD array task I runs shard FIRST_SHARD + I: `submit` splits K shards into several
#               arrays when K exceeds the cluster's MaxArraySize     [FIRST_SHARD; 0]
#   DRAIN_SECONDS, LOST_RANK_SECONDS, ALPHASWEEP_LAUNCHER, ALPHASWEEP_REQUEUE_LIMIT,
#   TIME_LIMIT_WINDOW, ALPHASWEEP_LAUNCH_ATTEMPTS: as in jobs/sweep.sbatch (the requeue count is in OUT_DIR/shard-I.h5.requeues).
#
# Stopping works as in jobs/sweep.sbatch: USR1 120 s before the time limit (or by
# `scancel --signal=USR1 --batch JOBID_TASK`), TERM from scancel; the shard file is left closed
# and resumable, the task exits non-zero, and a dependent merge (afterok) does not start.
#SBATCH --job-name=alphasweep-shard
#SBATCH --ntasks=4
#SBATCH --cpus-per-task=1
#SBATCH --time=12:00:00
#SBATCH --output=%x-%A_%a.out
#SBATCH --open-mode=append
#SBATCH --signal=B:USR1@120
#SBATCH --requeue
set -uo pipefail   # no -e: the script must outlive a failed run to report it

SPEC=${1:-${SPEC:-jobs/default.yaml}}
OUT_DIR=${2:-${OUT_DIR:-shards}}
SHARDS=${3:-${SHARDS:-${SLURM_ARRAY_TASK_COUNT:-}}}
ALPHASWEEP=${4:-${ALPHASWEEP:-${SLURM_SUBMIT_DIR:-$PWD}/.build/release/alphasweep}}
ARCHIVE=${5:-${ARCHIVE:-}}
FIRST_SHARD=${6:-${FIRST_SHARD:-0}}
DRAIN_SECONDS=${DRAIN_SECONDS:-60}

# One BLAS thread per rank: the ranks are the parallelism.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
# HDF5 locks files it opens. BEST_EFFORT ignores file systems without lock support; set
# HDF5_USE_FILE_LOCKING=FALSE where locking is broken or hangs (some Lustre, NFS or GPFS mounts).
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-BEST_EFFORT}

# ---- begin: the run (identical in jobs/sweep.sbatch and jobs/array.sbatch) ----
job_label=${SLURM_ARRAY_JOB_ID:+${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}}
job_label=${job_label:-${SLURM_JOB_ID:-}}
say() { echo "[$(date '+%F %T')] ${job_label:+job $job_label: }$*"; }
[ -x "$ALPHASWEEP" ] || { say "error: no alphasweep binary at '$ALPHASWEEP' (set ALPHASWEEP)"; exit 2; }
[ -r "$SPEC" ] || { say "error: cannot read spec '$SPEC' (set SPEC)"; exit 2; }

# launch ARGS...: starts the MPI run in the background (so traps fire at once) and sets $run_pid.
launch() {
  local launcher=${ALPHASWEEP_LAUNCHER:-auto} ntasks=${SLURM_NTASKS:-1}
  if [ "$launcher" = auto ]; then
    launcher=mpirun
    if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null && srun --mpi=list 2>&1 | grep -q pmix; then
      launcher=srun
    fi
  fi
  say "launching $ntasks ranks with $launcher: $*"
  case "$launcher" in
    # A rank that dies ends the whole step at once (a site may not set KillOnBadExit=1).
    srun) srun --mpi=pmix --kill-on-bad-exit=1 --ntasks="$ntasks" --cpus-per-task=1 "$@" & ;;
    mpirun)
      if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
      # TCP keepalive on mpirun's links to its daemons: a host cut off from the network is
      # noticed in ~25 s and the job ends, instead of Open MPI's 300+20x9 s (hpc/MULTINODE.md).
      export OMPI_MCA_oob_tcp_keepalive_time=${OMPI_MCA_oob_tcp_keepalive_time:-10} \
             OMPI_MCA_oob_tcp_keepalive_intvl=${OMPI_MCA_oob_tcp_keepalive_intvl:-5} \
             OMPI_MCA_oob_tcp_keepalive_probes=${OMPI_MCA_oob_tcp_keepalive_probes:-3}
      mpirun --bind-to none -np "$ntasks" -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS \
        -x HDF5_USE_FILE_LOCKING "$@" & ;;
    *) say "error: ALPHASWEEP_LAUNCHER must be srun, mpirun or auto, not '$launcher'"; exit 2 ;;
  esac
  run_pid=$!
}

# The first USR1/TERM/INT is passed on as USR1 (the launcher forwards it to every rank); later
# ones are not repeated, so rank 0 drains once.
stop_signal="" left_at_signal=""
on_signal() {
  [ -n "$stop_signal" ] && return
  stop_signal=$1
  left_at_signal=$(seconds_left)
  say "received SIG$1: asking the run to stop (drain up to ${DRAIN_SECONDS}s, close the results file)"
  [ -n "${run_pid:-}" ] && kill -USR1 "$run_pid" 2>/dev/null
}
trap 'on_signal USR1' USR1
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

# run_to_end ARGS...: launch, wait through signals, leave the exit code in $rc. The run writes a
# receipt (`run --receipt`, a mktemp file beside $OUT) only once every task is in $OUT, so a
# launcher that exits 0 without having run (Slurm refused the step: seen when a requeued job
# starts while its old step is still cleaned up) is launched again, up to
# ALPHASWEEP_LAUNCH_ATTEMPTS times [3], 10, 20, … s apart, and then fails instead of COMPLETED;
# and a run that finished every task before an abort (ranks lost at the end) counts as done.
run_to_end() {
  local t0=$SECONDS attempt=1 attempts=${ALPHASWEEP_LAUNCH_ATTEMPTS:-3} receipt done
  case "$attempts" in ''|*[!0-9]*|0) say "error: ALPHASWEEP_LAUNCH_ATTEMPTS must be a positive number, not '$attempts'"; rc=2; return ;; esac
  receipt=$(mktemp "$(dirname -- "$OUT")/.$(basename -- "$OUT").receipt.XXXXXX") || { say "error: cannot make a receipt file beside $OUT"; rc=1; return; }
  while :; do
    launch "$@" --receipt "$receipt"
    while :; do
      wait "$run_pid"; rc=$?
      kill -0 "$run_pid" 2>/dev/null || break   # wait returned for a trap, not the run's end
    done
    done=$(cat -- "$receipt" 2>/dev/null)
    [ "$rc" -eq 0 ] && [ -z "$done" ] && [ -z "$stop_signal" ] && [ "$attempt" -lt "$attempts" ] || break
    say "the launcher exited 0 but the run did not finish (no receipt: the step was never launched?): launching again in $((10 * attempt)) s (attempt $((attempt + 1)) of $attempts)"
    sleep $((10 * attempt)) & wait $!
    [ -n "$stop_signal" ] && break
    attempt=$((attempt + 1))
    # A launch that ran nothing made no file; one that made it is resumed.
    if [ -e "$OUT" ] && [[ " $* " != *" --resume "* ]]; then set -- "$@" --resume; fi
  done
  rm -f -- "$receipt"
  say "run exited with $rc after $((SECONDS - t0)) s${stop_signal:+ (stop requested by SIG$stop_signal)}${done:+; $done}"
  if [ -n "$done" ] && [ "$rc" -ne 0 ]; then
    say "every task is in $OUT although the run exited $rc (ranks lost after the last task): done"
    rc=0
  fi
  if [ "$rc" -eq 0 ] && [ -z "$done" ]; then
    say "error: the launcher exited 0 but the run never finished ($attempt launch(es)): failing the job; rerun the same command to resume"
    rc=1
    return
  fi
  [ "$rc" -eq 0 ] && return
  local why
  why=$(stop_kind)
  case "$why" in
    time-limit) say "stopped by the time limit (SIGUSR1 with ${left_at_signal}s left)"; requeue_after_time_limit ;;
    requested) say "stopped on request (SIGUSR1 with ${left_at_signal:-unknown}s left): not requeued; rerun the same command to resume" ;;
    cancelled) say "stopped by SIG$stop_signal (scancel or preemption; a preempted job is requeued by Slurm itself under PreemptMode=REQUEUE): not requeued" ;;
    crash) say "the run failed with $rc without a stop request (a crash or bad input): not requeued; see above, then rerun to resume" ;;
  esac
}

# seconds_left: the job's remaining time in seconds (squeue %L: [D-]HH:MM:SS, MM:SS, SS), or
# nothing when unknown or unlimited.
seconds_left() {
  [ -n "${SLURM_JOB_ID:-}" ] || return 0
  local left days=0 h=0 m=0 s=0 f
  left=$(squeue -h -j "$SLURM_JOB_ID" -o %L 2>/dev/null | head -n 1)
  case "$left" in ''|*[!0-9:-]*) return 0 ;; esac
  if [[ $left == *-* ]]; then days=${left%%-*}; left=${left#*-}; fi
  IFS=: read -r -a f <<<"$left"
  case ${#f[@]} in 3) h=${f[0]} m=${f[1]} s=${f[2]} ;; 2) m=${f[0]} s=${f[1]} ;; 1) s=${f[0]} ;; *) return 0 ;; esac
  echo $(( ((10#$days * 24 + 10#$h) * 60 + 10#$m) * 60 + 10#$s ))
}

# stop_kind: why a run that exited non-zero stopped. time-limit: USR1 with at most
# TIME_LIMIT_WINDOW s (600) of the job left, i.e. Slurm's --signal warning (120 s before the
# limit in these scripts); requested: USR1 earlier than that (scancel --signal=USR1 by hand);
# cancelled: TERM or INT (scancel, preemption, node failure); crash: no stop signal at all.
stop_kind() {
  case "$stop_signal" in
    USR1) if [ -n "$left_at_signal" ] && [ "$left_at_signal" -le "${TIME_LIMIT_WINDOW:-600}" ]; then echo time-limit; else echo requested; fi ;;
    TERM|INT) echo cancelled ;;
    *) echo crash ;;
  esac
}

# requeue_after_time_limit: requeues this job (or array task) unless it was requeued after a
# time limit ALPHASWEEP_REQUEUE_LIMIT times already. The count is the number of lines of
# $OUT.requeues (one per requeue: when, which job), so it survives the job and resubmissions,
# and is shown in the job's comment.
requeue_after_time_limit() {
  local limit=${ALPHASWEEP_REQUEUE_LIMIT:-}
  if [ -z "$limit" ]; then if [ "${ALPHASWEEP_REQUEUE:-0}" = 1 ]; then limit=3; else limit=0; fi; fi
  case "$limit" in ''|*[!0-9]*) say "error: ALPHASWEEP_REQUEUE_LIMIT must be a number, not '$limit': not requeued"; return ;; esac
  local record=$OUT.requeues count=0
  [ -f "$record" ] && count=$(grep -c . "$record")
  if [ -z "${SLURM_JOB_ID:-}" ] || [ "$limit" -eq 0 ]; then
    say "not requeued (ALPHASWEEP_REQUEUE_LIMIT=$limit); rerun the same command (or scontrol requeue) to resume"
  elif [ "$count" -ge "$limit" ]; then
    say "requeue limit reached: requeued $count of $limit times after a time limit; not requeued (resubmit to continue)"
  else
    count=$((count + 1))
    echo "$(date '+%FT%T') job=$job_label time-limit requeue $count of $limit" >>"$record"
    scontrol update JobId="$SLURM_JOB_ID" Comment="alphasweep: time-limit requeue $count of $limit" 2>/dev/null
    say "requeueing $job_label (time-limit requeue $count of $limit, recorded in $record)"
    scontrol requeue "$job_label" || say "requeue failed"
  fi
}
# ---- end: the run ----

TASK=${SLURM_ARRAY_TASK_ID:-}
case "$TASK" in ''|*[!0-9]*) say "error: not a job array task (SLURM_ARRAY_TASK_ID='$TASK'); submit with --array"; exit 2 ;; esac
case "$FIRST_SHARD" in ''|*[!0-9]*) say "error: the first shard is not a number ('$FIRST_SHARD'); pass it as the 6th argument"; exit 2 ;; esac
SHARD=$((FIRST_SHARD + TASK))
case "$SHARDS" in ''|*[!0-9]*) say "error: the number of shards is unknown or not a number ('$SHARDS'); pass it as the 3rd argument"; exit 2 ;; esac
[ "$SHARD" -lt "$SHARDS" ] || { say "error: array task $SHARD is not a shard of $SHARDS (0..$((SHARDS - 1)))"; exit 2; }
mkdir -p "$OUT_DIR" || exit 1
OUT=$OUT_DIR/shard-$SHARD.h5

args=(run "$SPEC" --out "$OUT" --shard "$SHARD/$SHARDS" --drain-seconds "$DRAIN_SECONDS")
if [ -n "${LOST_RANK_SECONDS:-}" ]; then args+=(--lost-rank-seconds "$LOST_RANK_SECONDS"); fi
if [ -n "$ARCHIVE" ]; then args+=(--extend "$ARCHIVE"); fi
if [ -e "$OUT" ]; then args+=(--resume); say "$OUT exists: resuming it"; fi
say "shard $SHARD/$SHARDS of $SPEC -> $OUT on ${SLURM_JOB_NODELIST:-$(hostname)}"
run_to_end "$ALPHASWEEP" "${args[@]}"
exit "$rc"

"""#

    /// `jobs/merge-analyze.sbatch`: merge [ARCHIVE and] shard-0..K-1, then analyze. Arguments: OUT_DIR K ALPHASWEEP [ARCHIVE].
    public static let mergeAnalyze = #"""
#!/usr/bin/env bash
# After the shards of a job array: merge OUT_DIR/shard-0..K-1.h5 into OUT_DIR/merged.h5, then
# analyze it: the α table as OUT_DIR/alpha.json (and /analysis inside merged.h5) and SVG
# figures in OUT_DIR/figures. `alphasweep submit` writes this script into OUT_DIR and submits
# it with --dependency=afterok:<array job id>. By hand:
#
#   sbatch --dependency=afterok:<array job id> jobs/merge-analyze.sbatch runs/a 4
#
# Arguments (each falls back to the environment variable in brackets, then to the default):
#   merge-analyze.sbatch [OUT_DIR [SHARDS [ALPHASWEEP [ARCHIVE]]]]
#   OUT_DIR     directory of the shard files       [OUT_DIR; shards]
#   SHARDS      K; exactly shard-0..K-1 are merged, so stale shards of another K are not
#               [SHARDS; required]
#   ALPHASWEEP  the binary                         [ALPHASWEEP; $SLURM_SUBMIT_DIR/.build/release/alphasweep]
#   ARCHIVE     the results file the shards extend: merged with them (and never changed)
#               [ARCHIVE; none]
# A merge that fails leaves an existing merged.h5 untouched (it writes a temporary file first).
#SBATCH --job-name=alphasweep-merge
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time=01:00:00
#SBATCH --output=%x-%j.out
set -euo pipefail

OUT_DIR=${1:-${OUT_DIR:-shards}}
SHARDS=${2:-${SHARDS:-}}
ALPHASWEEP=${3:-${ALPHASWEEP:-${SLURM_SUBMIT_DIR:-$PWD}/.build/release/alphasweep}}
ARCHIVE=${4:-${ARCHIVE:-}}

export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-BEST_EFFORT}

say() { echo "[$(date '+%F %T')] ${SLURM_JOB_ID:+job $SLURM_JOB_ID: }$*"; }
[ -x "$ALPHASWEEP" ] || { say "error: no alphasweep binary at '$ALPHASWEEP' (set ALPHASWEEP)"; exit 2; }
case "$SHARDS" in ''|*[!0-9]*|0) say "error: give the number of shards K >= 1 as the 2nd argument (not '$SHARDS')"; exit 2 ;; esac

shards=()
if [ -n "$ARCHIVE" ]; then
  [ -e "$ARCHIVE" ] || { say "error: the archive $ARCHIVE is missing"; exit 2; }
  shards+=("$ARCHIVE")
fi
for ((i = 0; i < SHARDS; i++)); do
  f=$OUT_DIR/shard-$i.h5
  [ -e "$f" ] || { say "error: $f is missing: shard $i of $SHARDS has not run"; exit 2; }
  shards+=("$f")
done

t0=$SECONDS
tmp=$OUT_DIR/.merged-${SLURM_JOB_ID:-$$}.h5
trap 'rm -f "$tmp" "$OUT_DIR/.alpha-${SLURM_JOB_ID:-$$}.json"' EXIT
say "merging $SHARDS shards of $OUT_DIR${ARCHIVE:+ with the archive $ARCHIVE}"
if [ "${#shards[@]}" -eq 1 ]; then
  cp "${shards[0]}" "$tmp"   # one shard is the whole sweep (merge takes two or more files)
else
  "$ALPHASWEEP" merge "${shards[@]}" --out "$tmp"
fi
mv -f "$tmp" "$OUT_DIR/merged.h5"
say "analyzing $OUT_DIR/merged.h5"
"$ALPHASWEEP" analyze "$OUT_DIR/merged.h5" --format json --figures "$OUT_DIR/figures" \
  >"$OUT_DIR/.alpha-${SLURM_JOB_ID:-$$}.json"
mv -f "$OUT_DIR/.alpha-${SLURM_JOB_ID:-$$}.json" "$OUT_DIR/alpha.json"
say "done in $((SECONDS - t0)) s: $OUT_DIR/merged.h5, $OUT_DIR/alpha.json, $OUT_DIR/figures/ (the table: alphasweep analyze $OUT_DIR/merged.h5)"

"""#
}
