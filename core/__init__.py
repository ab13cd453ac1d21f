"""Platform services shared by every domain package."""
