"""Users, groups, memberships, passwords and lockout: services over one Connection."""
