"""The officials' screens of the Plaza's meetings: views.py and forms.py."""
