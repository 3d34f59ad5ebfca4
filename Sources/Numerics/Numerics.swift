// The science of alphasweep (SPEC §1–5): no MPI, no HDF5, no command line.
//
// Data flow, by folder:
// - Random/: Philox4x32-10 and `RandomStream`, keyed by (master seed, s, N, replicate,
//   stream); uniforms and ziggurat normals in bulk.
// - LinearAlgebra/: `Matrix` (column-major) and thin throwing wrappers over OpenBLAS/LAPACKE.
// - Problem/: the vocabulary (`ProblemParameters`, `InstanceKey`, `TrainingOutcome`), the
//   spectrum, and `ProblemInstance` (W, W*, and the training data's Gram matrix F, B, YᵀY/n),
//   with its exact test loss.
// - Optimizers/: `InstanceTrainer` (one eigendecomposition per instance; GD, SqrtNG, NG as
//   spectral filters, Adam in the feature basis, MatSign in the eigenbasis, oracle lr search).
// - Performance/: `FlopCount` and `usefulFlops` for the performance harness.
//
// Typical use, one instance (all five optimizers train on it: a paired design):
//
//     BLASEnvironment.setThreads(1)
//     let outcomes = InstanceTrainer.outcomes(parameters: spec.problem, key: key)
