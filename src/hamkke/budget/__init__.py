"""Participatory budgeting: the Pabulib file format (pabulib.py) and the selection rules (rules.py),
both pure Python; the `hamkke budget …` verbs."""
