"""The mail bridge's runtime: the SMTP listener (mail in) and the relay client (mail out)."""
