"""The demo consultation: `flask demo load` and `flask demo generate`."""
