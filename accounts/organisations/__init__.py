"""The organisations directory: CSOs, government bodies, businesses, academia and others."""
