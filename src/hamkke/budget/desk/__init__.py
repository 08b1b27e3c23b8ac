"""The participatory budgeting desk, where officials run a cycle: its pools, the review of
proposals, the paper-ballot booth, the survey, the committee, the tally and its publication, and
implementation updates; and the committee member's scoring screen. views.py holds the screens,
screens.py what every screen of a cycle shares (its tabs, the forms in a list's rows), forms.py
the forms and urls.py the routes. Who may do what is decided in budget/policies.py."""
