"""The officials' screens of M-Voting: create, approve, close, codes, decisions."""
