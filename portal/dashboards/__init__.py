"""Dashboards of station commanders and the sub-bureau (figures from rollup tables)."""
