// Fixtures shared by every test bundle: scratch directories, the repository's files, sample
// records and experiments, the built binary, and child processes.
