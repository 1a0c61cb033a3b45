"""`dbos-skill check`: a static checker for DBOS Python code, tied to the dbos-python skill's rule files.

Standard library only: it runs from an installed copy of the skill with
`python3 <skill>/scripts/check.py PATH ...`. Data flow: files -> ast -> module
model (model.py) -> check families (one module each) -> findings -> output -> exit code.
"""
