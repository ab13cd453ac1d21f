"""Users, roles, sign-in, and the organisations directory."""
