// The Slurm layer: sbatch scripts and job submission.
