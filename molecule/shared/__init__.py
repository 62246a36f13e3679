"""Helpers shared by the Molecule scenarios (run on the controller or copied to the test hosts)."""
