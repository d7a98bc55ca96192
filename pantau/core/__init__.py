"""The lowest layer: configuration, errors, URLs, local time and weeks, the outlet registry, campaign
definitions. Everything else imports from here; nothing here imports from another pantau layer."""
