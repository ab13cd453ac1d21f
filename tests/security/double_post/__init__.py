"""Every state-changing POST route sent twice at once (see
``tests/security/test_double_post.py``)."""
