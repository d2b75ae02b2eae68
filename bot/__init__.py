"""Sotong (소통): a Matrix bot for government working groups."""
