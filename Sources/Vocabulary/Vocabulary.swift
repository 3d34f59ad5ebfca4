// The words of alphasweep, defined once; every other module speaks them.
//
// - *experiment*: everything that can change a task's result (`Experiment`: D, K, β, σ,
//   n, T, sampler, master seed, learning-rate grids). Two results files with the same
//   experiment hold interchangeable tasks.
// - *grid*: which tasks a sweep runs (`SweepGrid`: N values, s values, replicates, optimizers).
// - *sweep*: an experiment and a grid (`SweepSpec`, read from a spec file by `Sweep`).
// - *instance*: one draw of (W, W*, training data) for a key (s, N, replicate)
//   (`InstanceKey`); every optimizer trains on the same instance (SPEC §5's paired design).
// - *task*: one optimizer trained on one instance (`TaskKey`); its result is a `TaskRecord`,
//   one row of the results file.
// - *work unit*: an instance with the optimizers still to run on it (`WorkUnit`): what the
//   coordinator hands a worker.
// - *shard*: the part of a sweep one Slurm array task runs (`Shard`).
// - *replicate*: the index of an independent draw of the instance. The spec file's key
//   `seeds: K` names replicates 0…K−1; nothing else says "seed" for it.
//
// This module depends on nothing but the standard library and Foundation.
