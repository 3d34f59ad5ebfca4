// Rank 0 of a run: `CoordinatorCore` decides (a state machine over events, testable with no
// transport), `CoordinatorSession` drives it over a `Transport` and stores results through a
// `ResultsSink`; `MemoryBudget` says whether rank 0 can track a run at all.
