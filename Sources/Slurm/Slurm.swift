// The Slurm layer: what `alphasweep submit` hands to a Slurm cluster.
//
// Words used here, once:
// - *job*: what `sbatch` queues; it has an id (`123`, printed as `123;cluster` by
//   `sbatch --parsable` on a federation).
// - *array job*: one job with K *array tasks*; array task I runs *shard* I/K of the sweep into
//   `OUT/shard-I.h5` (`jobs/array.sbatch`).
// - *merge job*: the job that starts when every array task ended with exit code 0
//   (`--dependency=afterok:<array job id>`); it merges the shards into `OUT/merged.h5` and
//   analyzes it (`jobs/merge-analyze.sbatch`).
// - *submission*: the two `sbatch` commands of one `submit`, recorded in
//   `OUT/submit-commands.txt`.
//
// Every command is an argument array handed to `Process`, never a shell string: no value from
// a spec, a flag or a file name can run a command. Values Slurm itself parses (partition,
// account, time) are checked against Slurm's syntax before anything is submitted.
//
// The pure part (`SubmitPlan`, validation, quoting, id parsing) needs no Slurm;
// `submitSweep(_:run:)` takes the `sbatch` runner as a closure, so tests hand it a fake.
