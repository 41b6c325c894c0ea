"""Checks: every snippet of a sheet compiled and run against a loopback peer."""
