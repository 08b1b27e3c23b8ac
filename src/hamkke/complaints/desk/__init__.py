"""The officials' desk of the Smart Complaint Report: pages (views.py, forms.py, exports.py for
the CSV files) and the JSON API (api.py, schemas.py), both asking complaints.policies what to
offer and calling complaints.services to act. The API never imports the pages' forms or views."""
