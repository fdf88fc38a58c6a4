"""The editor's newsletter desk in the Django admin (registered in
newsletter/admin.py): how editions and subscribers are described to editors
(wording.py), an edition's list of articles (inlines.py), its own pages and
confirmations (pages.py) and the admin actions (actions.py). The rules they
apply live in the services they call (editions.py, edition_plans.py,
subscribers.py, exports.py)."""
