"""Database backends: Django's own, with what Lifebuoy changes about them."""
