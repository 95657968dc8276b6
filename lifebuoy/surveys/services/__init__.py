"""Writes for satisfaction surveys: sending them (sweeps), recording answers, and the follow-up
tasks low ratings open for the support leads."""
