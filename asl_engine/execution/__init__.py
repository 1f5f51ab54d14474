"""What one execution runs with and where it stands: its clock, quotas,
variables and the frames of the programs it runs (plain data)."""
