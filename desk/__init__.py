"""The editor's desk: the admin, its forms, buttons, versions and preview."""
