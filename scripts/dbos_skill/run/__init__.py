"""Running snippets: a fork-server worker, isolated processes, judged outcomes.

Import what you need from the modules (pool, signals, ...): this package
imports nothing itself, so `dbos-skill` starts without the runner's imports.
"""
